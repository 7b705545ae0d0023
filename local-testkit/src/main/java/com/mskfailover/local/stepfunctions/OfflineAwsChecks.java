package com.mskfailover.local.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Checks that need AWS's own definitions but no AWS account: Amazon States Language validation (npm asl-validator)
 * and the CloudFormation resource specification (npm @aws-cdk/aws-service-spec, which includes AWS::Serverless::*).
 */
public final class OfflineAwsChecks {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the specification says of one resource type: property name -> required. */
    public record ResourceSpec(boolean known, Map<String, Boolean> properties) {
    }

    private OfflineAwsChecks() {
    }

    /** Validates an ASL file ({@code ${...}} placeholders are accepted); returns the validator's complaints, empty if valid. */
    public static List<String> validateStateMachine(Path aslFile) {
        Result result = runNode(List.of(LocalNodeTools.file("node_modules/asl-validator/dist/bin/asl-validator.js").toString(),
                "--json-path", aslFile.toAbsolutePath().toString()));
        return result.exitCode() == 0 ? List.of() : List.of(result.output().strip());
    }

    /** The specification of the given resource types. */
    public static Map<String, ResourceSpec> resourceSpecs(Collection<String> types) {
        List<String> command = new ArrayList<>(List.of(LocalNodeTools.file("cfn-spec.mjs").toString()));
        command.addAll(types);
        Result result = runNode(command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("reading the CloudFormation specification failed: " + result.output());
        }
        try {
            Map<String, ResourceSpec> specs = new LinkedHashMap<>();
            JsonNode answer = JSON.readTree(result.output());
            answer.fields().forEachRemaining(entry -> {
                Map<String, Boolean> properties = new LinkedHashMap<>();
                entry.getValue().path("properties").fields().forEachRemaining(p -> properties.put(p.getKey(), p.getValue().asBoolean()));
                specs.put(entry.getKey(), new ResourceSpec(entry.getValue().path("known").asBoolean(), properties));
            });
            return specs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result runNode(List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(LocalNodeTools.node().toString());
        command.addAll(arguments);
        try {
            Process process = new ProcessBuilder(command).directory(LocalNodeTools.projectDir().toFile()).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
