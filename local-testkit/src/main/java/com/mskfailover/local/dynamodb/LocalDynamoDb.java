package com.mskfailover.local.dynamodb;

import com.mskfailover.local.stepfunctions.LocalNodeTools;
import com.mskfailover.local.wait.Polling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A DynamoDB-compatible server on loopback: dynalite (npm, in memory), run by the Node of {@link LocalNodeTools} in a
 * child process. AWS SDK clients reach it by endpoint override; every table is gone when it stops.
 *
 * <pre>{@code
 * try (LocalDynamoDb dynamoDb = LocalDynamoDb.start()) {
 *     DynamoDbClient client = DynamoDbClient.builder().endpointOverride(dynamoDb.endpoint()).region(...).build();
 * }
 * }</pre>
 */
public final class LocalDynamoDb implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static LocalDynamoDb shared;

    private final Process process;
    private final Path output;
    private final URI endpoint;

    private LocalDynamoDb(Process process, Path output, URI endpoint) {
        this.process = process;
        this.output = output;
        this.endpoint = endpoint;
    }

    /** Starts a server of its own; it prints its port once it listens. */
    public static LocalDynamoDb start() {
        try {
            Path script = LocalNodeTools.file("dynalite.mjs");
            Path output = Files.createTempFile("dynalite-", ".log");
            Process process = new ProcessBuilder(LocalNodeTools.node().toString(), script.toString())
                    .directory(script.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            try {
                Polling.until("dynalite to print its port (" + output + ")", START_TIMEOUT,
                        () -> !process.isAlive() || firstLine(output).matches("\\d+"));
                if (!process.isAlive()) {
                    throw new IllegalStateException("dynalite exited with " + process.exitValue() + ": " + Files.readString(output));
                }
            } catch (RuntimeException | AssertionError | IOException e) {
                process.destroyForcibly();
                throw e;
            }
            return new LocalDynamoDb(process, output, URI.create("http://127.0.0.1:" + firstLine(output)));
        } catch (IOException e) {
            throw new UncheckedIOException("starting dynalite", e);
        }
    }

    /** One server for this JVM, stopped when it exits (tables of different tests need different names). */
    public static synchronized LocalDynamoDb shared() {
        if (shared == null) {
            shared = start();
            LocalDynamoDb stopping = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(stopping::close));
        }
        return shared;
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            Files.deleteIfExists(output);
        } catch (IOException ignored) {
            // a temp file left behind
        }
    }

    private static String firstLine(Path output) {
        try {
            return Files.readString(output).lines().findFirst().orElse("").strip();
        } catch (IOException e) {
            return "";
        }
    }
}
