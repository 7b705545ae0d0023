package com.mskfailover.local.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Executes a real Amazon States Language file with aws-local-stepfunctions (Node 22), the Lambda Tasks going to
 * a local Lambda endpoint (see {@link LocalLambdaEndpoint}) through {@code AWS_ENDPOINT_URL_LAMBDA}.
 *
 * <pre>{@code
 * try (LocalLambdaEndpoint lambdas = new LocalLambdaEndpoint(Map.of("ValidateFailoverInput", handler, ...))) {
 *     ExecutionResult result = new LocalStateMachineRunner(lambdas.endpoint())
 *             .run(Path.of("statemachines/failover.asl.json"), substitutions, inputJson);
 *     System.out.print(result.timelineTable());
 * }
 * }</pre>
 */
public final class LocalStateMachineRunner {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI lambdaEndpoint;
    private boolean zeroWaits;
    private boolean zeroRetryIntervals;
    private Duration timeout = Duration.ofMinutes(10);
    private String executionName;

    public LocalStateMachineRunner(URI lambdaEndpoint) {
        this.lambdaEndpoint = lambdaEndpoint;
    }

    /** Runs every Wait state for 0 s (tests): the definition's own waits are kept otherwise. */
    public LocalStateMachineRunner zeroWaits(boolean zeroWaits) {
        this.zeroWaits = zeroWaits;
        return this;
    }

    /** Retries at once instead of after the definition's IntervalSeconds and backoff (tests). */
    public LocalStateMachineRunner zeroRetryIntervals(boolean zeroRetryIntervals) {
        this.zeroRetryIntervals = zeroRetryIntervals;
        return this;
    }

    /** Shorthand for both zero overrides. */
    public LocalStateMachineRunner fast() {
        return zeroWaits(true).zeroRetryIntervals(true);
    }

    /** The execution's name ({@code $$.Execution.Name}); a UUID without it, as StartExecution gives. */
    public LocalStateMachineRunner executionName(String executionName) {
        this.executionName = executionName;
        return this;
    }

    /** How long the whole execution may take before the Node process is killed. */
    public LocalStateMachineRunner timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /**
     * Runs the definition once.
     *
     * @param substitutions the DefinitionSubstitutions: every {@code ${Name}} in the file must have one
     * @param inputJson     the execution input
     */
    public ExecutionResult run(Path definitionFile, Map<String, String> substitutions, String inputJson) {
        Path node = LocalNodeTools.node();
        Path script = LocalNodeTools.file("run-asl.mjs");
        try {
            ObjectNode request = JSON.createObjectNode();
            request.put("definitionFile", definitionFile.toAbsolutePath().toString());
            request.set("substitutions", JSON.valueToTree(substitutions));
            request.set("input", JSON.readTree(inputJson));
            if (executionName != null) {
                request.put("executionName", executionName);
            }
            request.put("zeroWaits", zeroWaits);
            request.put("zeroRetryIntervals", zeroRetryIntervals);
            Path requestFile = Files.createTempFile("asl-request-", ".json");
            Path outputFile = Files.createTempFile("asl-result-", ".json");
            Path errorFile = Files.createTempFile("asl-stderr-", ".txt");
            try {
                JSON.writeValue(requestFile.toFile(), request);
                ProcessBuilder builder = new ProcessBuilder(node.toString(), script.toString(), requestFile.toString())
                        .directory(script.getParent().toFile())
                        .redirectOutput(outputFile.toFile())
                        .redirectError(errorFile.toFile());
                builder.environment().put("AWS_ENDPOINT_URL_LAMBDA", lambdaEndpoint.toString());
                // The SDK for JavaScript must not pick up a real profile or Region from the machine.
                builder.environment().put("AWS_REGION", "us-east-2");
                builder.environment().remove("AWS_PROFILE");
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("the execution of " + definitionFile + " did not end within " + timeout);
                }
                String stdout = Files.readString(outputFile).strip();
                if (process.exitValue() != 0 || stdout.isEmpty()) {
                    throw new IllegalStateException("aws-local-stepfunctions exited with " + process.exitValue()
                            + " running " + definitionFile + ": " + Files.readString(errorFile));
                }
                JsonNode result = JSON.readTree(stdout);
                if ("INVALID".equals(result.path("status").asText())) {
                    throw new IllegalArgumentException(definitionFile + ": " + result.path("error").asText() + ": " + result.path("cause").asText());
                }
                return ExecutionResult.fromRunnerOutput(result);
            } finally {
                Files.deleteIfExists(requestFile);
                Files.deleteIfExists(outputFile);
                Files.deleteIfExists(errorFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("running " + definitionFile, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + definitionFile, e);
        }
    }
}
