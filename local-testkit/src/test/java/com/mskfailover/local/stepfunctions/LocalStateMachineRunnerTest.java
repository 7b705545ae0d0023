package com.mskfailover.local.stepfunctions;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner and the Lambda endpoint together: Retry and Catch see Java exception class names, waits run at zero. */
@Tag("integration")
class LocalStateMachineRunnerTest {

    static final class FlakyException extends RuntimeException {
        FlakyException(String message) {
            super(message);
        }
    }

    private static final String DEFINITION = """
            {"StartAt": "Flaky", "States": {
              "Flaky": {"Type": "Task", "Resource": "${FlakyArn}", "ResultPath": "$.flaky", "Next": "Pause",
                "Retry": [{"ErrorEquals": ["com.mskfailover.local.stepfunctions.LocalStateMachineRunnerTest$FlakyException"],
                           "IntervalSeconds": 30, "MaxAttempts": 3, "BackoffRate": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}]},
              "Pause": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
              "Done": {"Type": "Succeed"},
              "Failed": {"Type": "Fail", "Error": "GaveUp", "Cause": "the flaky task kept failing"}}}
            """;

    @TempDir
    Path dir;

    private static RequestStreamHandler failingTimes(int failures, AtomicInteger calls) {
        return (input, output, context) -> {
            if (calls.incrementAndGet() <= failures) {
                throw new FlakyException("attempt " + calls.get() + " failed");
            }
            output.write(("{\"attempts\":" + calls.get() + "}").getBytes(StandardCharsets.UTF_8));
        };
    }

    private ExecutionResult run(int failures, AtomicInteger calls) throws IOException {
        Path definition = Files.writeString(dir.resolve("flaky.asl.json"), DEFINITION);
        try (LocalLambdaEndpoint lambdas = new LocalLambdaEndpoint(Map.of("Flaky", failingTimes(failures, calls)))) {
            return new LocalStateMachineRunner(lambdas.endpoint()).fast()
                    .run(definition, Map.of("FlakyArn", "arn:aws:lambda:us-east-2:000000000000:function:Flaky:live"), "{\"n\":1}");
        }
    }

    @Test
    void retriesOnTheJavaExceptionClassNameThenSucceedsWithZeroWaits() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        long started = System.nanoTime();
        ExecutionResult result = run(2, calls);

        assertTrue(result.succeeded(), result.timelineTable());
        assertEquals(3, calls.get());
        assertEquals(List.of("Flaky", "Pause", "Done"), result.statePath());
        assertEquals(2, result.lastRun("Flaky").orElseThrow().retries());
        assertEquals(3, result.output().path("flaky").path("attempts").asInt());
        assertTrue(System.nanoTime() - started < 30_000_000_000L, "the 30 s retry interval and the 1 h wait ran at zero");
        assertTrue(result.timelineTable().contains("Flaky"), result.timelineTable());
    }

    @Test
    void exhaustedRetriesAreCaughtAndTheFailStateEndsTheExecution() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        ExecutionResult result = run(10, calls);

        assertEquals("FAILED", result.status());
        assertEquals("GaveUp", result.error());
        assertEquals(4, calls.get(), "first attempt + MaxAttempts 3");
        ExecutionResult.StateRun flaky = result.lastRun("Flaky").orElseThrow();
        assertEquals("com.mskfailover.local.stepfunctions.LocalStateMachineRunnerTest$FlakyException", flaky.error());
        assertTrue(flaky.cause().contains("attempt 4 failed"), flaky.cause());
        assertEquals(List.of("Flaky", "Failed"), result.statePath());
    }

    @Test
    void aPlaceholderWithoutSubstitutionIsRefused() throws IOException {
        Path definition = Files.writeString(dir.resolve("flaky.asl.json"), DEFINITION);
        try (LocalLambdaEndpoint lambdas = new LocalLambdaEndpoint(Map.of())) {
            var failure = assertThrows(IllegalArgumentException.class,
                    () -> new LocalStateMachineRunner(lambdas.endpoint()).run(definition, Map.of(), "{}"));
            assertTrue(failure.getMessage().contains("FlakyArn"), failure.getMessage());
        }
    }

    @Test
    void theContextObjectHasTheExecutionNameAndEachStatesName() throws IOException {
        Path definition = Files.writeString(dir.resolve("context.asl.json"), """
                {"StartAt": "First", "States": {
                  "First": {"Type": "Task", "Resource": "${EchoArn}", "ResultPath": "$.first", "Next": "Second",
                    "Parameters": {"context": {"execution.$": "$$.Execution.Name", "state.$": "$$.State.Name"}}},
                  "Second": {"Type": "Pass", "Parameters": {"state.$": "$$.State.Name", "input.$": "$$.Execution.Input.n"},
                    "ResultPath": "$.second", "End": true}}}
                """);
        RequestStreamHandler echo = (input, output, context) -> input.transferTo(output);
        try (LocalLambdaEndpoint lambdas = new LocalLambdaEndpoint(Map.of("Echo", echo))) {
            ExecutionResult named = new LocalStateMachineRunner(lambdas.endpoint()).executionName("drill-1")
                    .run(definition, Map.of("EchoArn", "arn:aws:lambda:us-east-2:000000000000:function:Echo"), "{\"n\":1}");
            assertTrue(named.succeeded(), named.timelineTable());
            assertEquals("{\"execution\":\"drill-1\",\"state\":\"First\"}", named.output().path("first").path("context").toString());
            assertEquals("{\"state\":\"Second\",\"input\":1}", named.output().path("second").toString());

            ExecutionResult unnamed = new LocalStateMachineRunner(lambdas.endpoint())
                    .run(definition, Map.of("EchoArn", "arn:aws:lambda:us-east-2:000000000000:function:Echo"), "{\"n\":1}");
            String generated = unnamed.output().path("first").path("context").path("execution").asText();
            assertTrue(generated.matches("[0-9a-f-]{36}"), "a UUID, as StartExecution names an execution: " + generated);
        }
    }

    @Test
    void functionNamesMayBeArnsWithQualifiers() {
        assertEquals("Flaky", LocalLambdaEndpoint.bareFunctionName("arn%3Aaws%3Alambda%3Aus-east-2%3A000000000000%3Afunction%3AFlaky%3Alive"));
        assertEquals("Flaky", LocalLambdaEndpoint.bareFunctionName("Flaky"));
    }
}
