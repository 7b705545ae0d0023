package com.mskfailover.orchestrator.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.domain.InvalidInputException;
import com.mskfailover.orchestrator.local.LocalWiring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The handlers' logs as the functions print them (the real log4j2.xml and LambdaLogLayout.json of the classpath):
 * one JSON object per line, each line of an invocation with the execution, state and request id it ran for.
 */
class HandlerLogsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RFC_3339_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    @TempDir
    Path dir;

    /** A handler invoked as Lambda does: streams and a Context whose only answer that matters is the request id. */
    private static String invoke(JsonHandler<?, ?> handler, String input, String requestId) throws IOException {
        Context context = (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[]{Context.class},
                (proxy, method, args) -> method.getName().equals("getAwsRequestId") ? requestId : null);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), output, context);
        return output.toString(StandardCharsets.UTF_8);
    }

    /** What the functions print to stdout while {@code body} runs, line by line, each parsed as the JSON it must be. */
    private static List<JsonNode> logLines(ThrowingRunnable body) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).lines().toList()) {
            JsonNode parsed = JSON.readTree(line);
            assertTrue(parsed.isObject(), "one JSON object per line: " + line);
            assertTrue(parsed.path("timestamp").asText().matches(RFC_3339_UTC), "timestamp: " + line);
            assertFalse(parsed.path("level").asText().isEmpty(), "level: " + line);
            assertFalse(parsed.path("logger").asText().isEmpty(), "logger: " + line);
            assertTrue(parsed.path("message").isTextual(), "message: " + line);
            lines.add(parsed);
        }
        return lines;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static String stepFunctionsInput(String parameters, String state) {
        ObjectNode input = (ObjectNode) readTree(parameters);
        input.putObject("context").put("execution", "3f9c-failover-drill").put("state", state);
        return input.toString();
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A handler wired to local ports with clusters nobody listens on: these tests reach no Kafka. */
    private JsonHandler<?, ?> handler(String function) {
        TestPorts ports = new TestPorts(dir, List.of("customer"), List.of(), null,
                Map.of(TestPorts.PRIMARY_ARN, "127.0.0.1:1", TestPorts.SECONDARY_ARN, "127.0.0.1:2"));
        return (JsonHandler<?, ?>) LocalWiring.of(StateMachineRun.projectRoot()).handlers(ports.ports()).get(function);
    }

    private static void assertInvocationFields(JsonNode line, String state, String requestId) {
        assertEquals("3f9c-failover-drill", line.path("execution").asText(), line.toString());
        assertEquals(state, line.path("state").asText(), line.toString());
        assertEquals(requestId, line.path("requestId").asText(), line.toString());
    }

    @Test
    void everyLineAnInvocationLogsCarriesItsExecutionStateAndRequestIdAndTheyAreClearedAfter() throws Exception {
        NotifyOperators notify = new NotifyOperators(notifyingOnly((subject, message) ->
                LoggerFactory.getLogger("com.mskfailover.orchestrator.aws.SnsNotifier").info("published '{}'", subject)));
        List<JsonNode> lines = logLines(() -> {
            String output = invoke(notify, stepFunctionsInput("{\"operation\":\"failover\",\"outcome\":\"succeeded\",\"state\":{}}",
                    "NotifyFailoverSucceeded"), "req-1");
            assertTrue(output.contains("\"subject\""), output);
            LoggerFactory.getLogger(HandlerLogsTest.class).info("after the invocation");
        });

        assertEquals(3, lines.size(), lines.toString());
        // A port's line, then the handler's one line saying what it decided.
        assertEquals("com.mskfailover.orchestrator.aws.SnsNotifier", lines.get(0).path("logger").asText());
        assertInvocationFields(lines.get(0), "NotifyFailoverSucceeded", "req-1");
        JsonNode decision = lines.get(1);
        assertEquals("INFO", decision.path("level").asText());
        assertEquals(NotifyOperators.class.getName(), decision.path("logger").asText());
        assertTrue(decision.path("message").asText().startsWith("NotifyOperators: notified: "), decision.toString());
        assertInvocationFields(decision, "NotifyFailoverSucceeded", "req-1");
        assertTrue(decision.path("exception").isMissingNode(), decision.toString());

        JsonNode after = lines.get(2);
        assertEquals("after the invocation", after.path("message").asText());
        for (String field : List.of("execution", "state", "requestId")) {
            assertTrue(after.path(field).isMissingNode(), "the invocation's " + field + " was cleared: " + after);
        }
    }

    @Test
    void aRefusalIsOneWarnLineAndAnUnexpectedFailureAnErrorWithItsStackTrace() throws Exception {
        JsonHandler<?, ?> validate = handler("ValidateFailoverInput");
        NotifyOperators failingNotify = new NotifyOperators(notifyingOnly((subject, message) -> {
            throw new IllegalStateException("SNS is down");
        }));
        List<JsonNode> lines = logLines(() -> {
            // As the state machine passes it: the execution's input next to the context.
            String bad = stepFunctionsInput("{\"input\":{\"topics\":[\"no spaces allowed\"]}}", "ValidateFailoverInput");
            InvalidInputException refused = assertThrows(InvalidInputException.class, () -> invoke(validate, bad, "req-2"));
            assertEquals("topics[0]", refused.field());
            assertThrows(IllegalStateException.class, () -> invoke(failingNotify,
                    stepFunctionsInput("{\"operation\":\"failover\",\"outcome\":\"failed\",\"state\":{}}", "NotifyFailoverFailed"), "req-3"));
        });

        assertEquals(2, lines.size(), lines.toString());
        JsonNode refusal = lines.get(0);
        assertEquals("WARN", refusal.path("level").asText());
        assertTrue(refusal.path("message").asText().startsWith("ValidateFailoverInput failed: InvalidInputException: input field 'topics[0]'"), refusal.toString());
        assertTrue(refusal.path("exception").isMissingNode(), "a refusal needs no stack trace: " + refusal);
        assertInvocationFields(refusal, "ValidateFailoverInput", "req-2");

        JsonNode error = lines.get(1);
        assertEquals("ERROR", error.path("level").asText());
        assertTrue(error.path("exception").asText().contains("java.lang.IllegalStateException: SNS is down"), error.toString());
        assertTrue(error.path("exception").asText().contains("at com.mskfailover.orchestrator.handlers."), "the stack trace: " + error);
        assertInvocationFields(error, "NotifyFailoverFailed", "req-3");
    }

    @Test
    void theExecutionsInputAndTheStartInputItselfValidateAlike() throws Exception {
        JsonHandler<?, ?> validate = handler("ValidateFailoverInput");
        String start = Files.readString(StateMachineRun.event("failover-start.json"));
        List<JsonNode> lines = logLines(() -> {
            String direct = validate.handleJson(start);
            String fromTheStateMachine = invoke(validate, stepFunctionsInput("{\"input\":" + start + "}", "ValidateFailoverInput"), "req-4");
            // Alike but for impairedSince, which defaults to the moment of each validation.
            ObjectNode directPlan = (ObjectNode) readTree(direct);
            ObjectNode statePlan = (ObjectNode) readTree(fromTheStateMachine);
            assertTrue(directPlan.remove("impairedSince") != null && statePlan.remove("impairedSince") != null, direct);
            assertEquals(directPlan, statePlan);
        });
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).path("execution").isMissingNode(), "invoked directly: no execution: " + lines.get(0));
        assertTrue(lines.get(1).path("message").asText().startsWith("ValidateFailoverInput: failover planned"), lines.get(1).toString());
        assertInvocationFields(lines.get(1), "ValidateFailoverInput", "req-4");
    }

    @Test
    void anAlarmEventsLinesCarryTheAlarmsName() throws Exception {
        JsonHandler<?, ?> detect = handler("DetectImpairment");
        ObjectNode event = (ObjectNode) readTree(Files.readString(StateMachineRun.event("alarm-primary-impaired.json")));
        ((ObjectNode) event.path("detail")).put("alarmName", "some-other-alarm");
        List<JsonNode> lines = logLines(() -> invoke(detect, event.toString(), "req-5"));

        assertEquals(1, lines.size(), lines.toString());
        assertEquals("some-other-alarm", lines.get(0).path("alarm").asText(), lines.get(0).toString());
        assertEquals("req-5", lines.get(0).path("requestId").asText());
        assertTrue(lines.get(0).path("message").asText().startsWith("DetectImpairment: IGNORED: "), lines.get(0).toString());
        assertTrue(lines.get(0).path("execution").isMissingNode(), lines.get(0).toString());
    }

    /** Ports of which NotifyOperators uses only the notifier. */
    private static com.mskfailover.orchestrator.domain.Ports notifyingOnly(com.mskfailover.orchestrator.domain.Notifier notifier) {
        return new com.mskfailover.orchestrator.local.LocalWiring.LocalPorts(null, null, null, null, null, null, notifier, null, null);
    }
}
