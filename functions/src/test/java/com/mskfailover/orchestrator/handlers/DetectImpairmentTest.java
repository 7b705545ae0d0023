package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.domain.InvalidInputException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DetectImpairment on the sample EventBridge events, with a real secondary and a primary that does not answer. */
@Tag("integration")
class DetectImpairmentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static String deadPrimary;

    @TempDir
    Path dir;
    private TestPorts ports;
    private DetectImpairment detect;

    @BeforeAll
    static void clusters() throws IOException {
        SharedClusters.secondary().clients().createTopic("customer", 3);
        try (ServerSocket socket = new ServerSocket(0)) {
            // A port nobody listens on once closed: the impaired primary.
            deadPrimary = "127.0.0.1:" + socket.getLocalPort();
        }
    }

    @BeforeEach
    void ports() {
        ports = new TestPorts(dir, List.of("customer"), List.of(), null,
                Map.of(TestPorts.PRIMARY_ARN, deadPrimary, TestPorts.SECONDARY_ARN, SharedClusters.secondary().bootstrapServers()));
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ports.alarms.set(TestPorts.ALARM, "ALARM");
        detect = new DetectImpairment(ports.ports());
    }

    private static String event(String name) throws IOException {
        return Files.readString(StateMachineRun.event(name));
    }

    private JsonNode decide(String eventJson) throws IOException {
        return JSON.readTree(detect.handleJson(eventJson));
    }

    @Test
    void duplicateAlarmEventsStartOneFailoverThenNothingOnceFailedOver() throws IOException {
        JsonNode first = decide(event("alarm-primary-impaired.json"));
        JsonNode duplicate = decide(event("alarm-primary-impaired.json"));

        assertEquals("STARTED", first.path("decision").asText(), first.toString());
        assertEquals("DUPLICATE", duplicate.path("decision").asText(), duplicate.toString());
        assertEquals(first.path("executionName").asText(), duplicate.path("executionName").asText());
        assertTrue(first.path("executionName").asText().matches("failover-msk-failover-primary-unreachable-[0-9a-f]{16}"), first.toString());
        assertEquals(1, ports.executions.started().size());

        // The started input is a valid failover input: run it through the real state machine.
        String input = ports.executions.started().values().iterator().next();
        ports.forwardReplication = TestPorts.healthyForward();
        ExecutionResult result = StateMachineRun.run("failover", ports.ports(), input).result();
        assertTrue(result.succeeded(), result.timelineTable());

        // A later alarm state change (a new timestamp) finds the aliases on the secondary already.
        ObjectNode later = (ObjectNode) JSON.readTree(event("alarm-primary-impaired.json"));
        ((ObjectNode) later.path("detail").path("state")).put("timestamp", "2026-11-24T22:00:00.000+0000");
        JsonNode refused = decide(later.toString());
        assertEquals("REFUSED", refused.path("decision").asText());
        assertTrue(refused.path("reason").asText().contains("already point at the secondary"), refused.toString());
        assertEquals(1, ports.executions.started().size());
    }

    @Test
    void refusesWhileAFailoverOrFailbackRuns() throws IOException {
        ports.executions.setRunning("failback-by-operator", true);
        JsonNode decision = decide(event("alarm-primary-impaired.json"));
        assertEquals("REFUSED", decision.path("decision").asText());
        assertTrue(decision.path("reason").asText().contains("failback-by-operator"), decision.toString());
        assertTrue(ports.executions.started().isEmpty());
    }

    @Test
    void aPrimaryThatAnswersIsNotAnImpairment() throws IOException {
        ports = new TestPorts(dir, List.of("customer"), List.of(), null);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ports.alarms.set(TestPorts.ALARM, "ALARM");
        detect = new DetectImpairment(ports.ports());

        JsonNode decision = decide(event("alarm-primary-impaired.json"));

        assertEquals("IGNORED", decision.path("decision").asText());
        assertTrue(decision.path("reason").asText().contains("the primary answered"), decision.toString());
    }

    @Test
    void anAlarmNoLongerInAlarmOrARecoveryNeverStartsAnything() throws IOException {
        ports.alarms.set(TestPorts.ALARM, "OK");
        assertEquals("IGNORED", decide(event("alarm-primary-impaired.json")).path("decision").asText());
        // Recovery (ALARM -> OK) never starts a failback: that is an operator's decision.
        assertEquals("IGNORED", decide(event("alarm-primary-recovered.json")).path("decision").asText());
        ObjectNode otherAlarm = (ObjectNode) JSON.readTree(event("alarm-primary-impaired.json"));
        ((ObjectNode) otherAlarm.path("detail")).put("alarmName", "some-other-alarm");
        assertEquals("IGNORED", decide(otherAlarm.toString()).path("decision").asText());
        assertTrue(ports.executions.started().isEmpty());
    }

    @Test
    void aMalformedEventFailsNamingTheField() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(event("alarm-primary-impaired.json"));
        ((ObjectNode) event.path("detail")).remove("alarmName");
        InvalidInputException failure = assertThrows(InvalidInputException.class, () -> detect.handleJson(event.toString()));
        assertEquals("detail.alarmName", failure.field());

        event.put("source", "aws.ec2");
        assertEquals("source", assertThrows(InvalidInputException.class, () -> detect.handleJson(event.toString())).field());
    }
}
