package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.InvalidInputException;
import com.mskfailover.orchestrator.domain.TransientDependencyException;
import com.mskfailover.orchestrator.local.ClusterReportedHealth;
import com.mskfailover.orchestrator.local.LocalWiring;
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

    private static final String USER_ALARM = TestPorts.USER_ALARM;
    private static final String SCHEDULED_EVENT = "{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\",\"detail\":{}}";

    /** These ports with another view from the primary Region. */
    private LocalWiring.LocalPorts withPrimaryRegion(ClusterReportedHealth primaryRegion) {
        LocalWiring.LocalPorts local = ports.ports();
        return new LocalWiring.LocalPorts(local.settings(), local.clusterDirectory(), local.kafkaInspector(), local.bootstrapAliases(),
                local.replicatorTasks(), local.forwardReplication(), local.notifier(), local.alarmStates(), local.executions(),
                local.reverseMskReplicators(), primaryRegion);
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
        assertTrue(decision.path("reason").asText().contains("producers can write to the primary (acks=all canary)"), decision.toString());
        assertTrue(ports.notifier.last().subject().startsWith("MSK failover NOT started: producers can write"), ports.notifier.last().toString());
        assertTrue(ports.executions.started().isEmpty());
    }

    /**
     * The network partition: the primary is healthy (its own view, as the primary Region's CloudWatch reports it) but
     * the secondary's path to its brokers is broken. Nothing fails over; operators are told why, once per alarm state
     * change, and the minute's re-checks stay quiet.
     */
    @Test
    void aPrimaryUnreachableFromTheSecondaryOnlyIsNotFailedOverAndOperatorsAreToldWhy() throws IOException {
        ClusterReportedHealth primaryRegion = new ClusterReportedHealth(() -> SharedClusters.primary().bootstrapServers());
        detect = new DetectImpairment(withPrimaryRegion(primaryRegion));

        JsonNode decision = decide(event("alarm-primary-impaired.json"));

        assertEquals("NOTIFIED", decision.path("decision").asText(), decision.toString());
        assertTrue(decision.path("reason").asText().startsWith("unreachable from the secondary only: not failing over"), decision.toString());
        assertTrue(decision.path("reason").asText().contains("the primary Region reports HEALTHY"), decision.toString());
        assertEquals(1, ports.notifier.notifications().size());
        assertTrue(ports.notifier.last().subject().startsWith("MSK failover NOT started: unreachable from the secondary only"), ports.notifier.last().toString());
        assertTrue(ports.notifier.last().message().contains("peering, routes, security groups"), ports.notifier.last().toString());

        assertEquals("NOTIFIED", decide(SCHEDULED_EVENT).path("decision").asText());
        assertEquals(1, ports.notifier.notifications().size(), "the minute's re-check does not repeat the notification");
        assertTrue(ports.executions.started().isEmpty());

        // The same partition, and a user's alarm says producers fail too: that is the quorum.
        ports.alarms.set(USER_ALARM, "ALARM");
        JsonNode agreed = decide(SCHEDULED_EVENT);
        assertEquals("STARTED", agreed.path("decision").asText(), agreed.toString());
        assertTrue(agreed.path("reason").asText().contains(USER_ALARM), agreed.toString());
    }

    /** A first deploy whose network never let the probe reach the primary: not armed, so it notifies instead. */
    @Test
    void beforeTheProbeHasEverSeenThePrimaryReachableNothingFailsOver() throws IOException {
        ClusterReportedHealth primaryRegion = new ClusterReportedHealth(() -> deadPrimary).probeHasSeenPrimaryReachable(false);
        detect = new DetectImpairment(withPrimaryRegion(primaryRegion));

        JsonNode decision = decide(event("alarm-primary-impaired.json"));

        assertEquals("NOTIFIED", decision.path("decision").asText(), decision.toString());
        assertTrue(decision.path("reason").asText().contains("automatic failover is not armed"), decision.toString());
        assertTrue(ports.notifier.last().subject().contains("NOT started"), ports.notifier.last().toString());
        assertTrue(ports.executions.started().isEmpty());

        primaryRegion.probeHasSeenPrimaryReachable(true);
        assertEquals("STARTED", decide(SCHEDULED_EVENT).path("decision").asText(), "armed, the re-check acts");
    }

    /**
     * A refusal (a dry run running) is not the end: the minute's re-check starts the failover once the run ends, and
     * the alarm's event, delivered late, and a second watched alarm joining all name the same execution.
     */
    @Test
    void whileTheAlarmStaysInAlarmARefusedEvaluationIsMadeAgainAndStartsOneFailover() throws IOException {
        ports.executions.setRunning("failover-dry-run-by-operator", true);
        JsonNode refused = decide(event("alarm-primary-impaired.json"));
        assertEquals("REFUSED", refused.path("decision").asText(), refused.toString());
        assertTrue(ports.notifier.last().message().contains("re-evaluated every minute"), ports.notifier.last().toString());
        assertEquals("REFUSED", decide(SCHEDULED_EVENT).path("decision").asText());

        ports.executions.setRunning("failover-dry-run-by-operator", false);
        ports.alarms.set(TestPorts.NOT_WRITABLE_ALARM, "ALARM");
        JsonNode started = decide(SCHEDULED_EVENT);
        assertEquals("STARTED", started.path("decision").asText(), started.toString());
        assertTrue(started.path("executionName").asText().startsWith("failover-msk-failover-primary-unreachable-"),
                "named after the alarm in ALARM the longest: " + started);

        ObjectNode joined = (ObjectNode) JSON.readTree(event("alarm-primary-impaired.json"));
        ((ObjectNode) joined.path("detail")).put("alarmName", TestPorts.NOT_WRITABLE_ALARM);
        JsonNode duplicate = decide(joined.toString());
        assertEquals("DUPLICATE", duplicate.path("decision").asText(), duplicate.toString());
        assertEquals(started.path("executionName").asText(), duplicate.path("executionName").asText());
        assertEquals(1, ports.executions.started().size());
    }

    /**
     * DetectImpairment throws (Route 53 throttled, say): the error leaves the handler, for Lambda's retries and then the
     * failure destination (TemplateTest), and the next re-check starts the failover, once.
     */
    @Test
    void anEvaluationThatThrowsIsMadeAgainByTheReCheckAndStartsOneFailover() throws IOException {
        java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger(1);
        BootstrapAliases records = ports.aliases;
        BootstrapAliases throttledOnce = new BootstrapAliases() {
            @Override
            public Map<String, com.mskfailover.client.BootstrapAliasRecord> read(java.util.Collection<String> names) {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new TransientDependencyException("reading TXT records failed: Throttling: Rate exceeded", null);
                }
                return records.read(names);
            }

            @Override
            public String change(List<com.mskfailover.client.BootstrapAliasRecord> changed, String comment) {
                return records.change(changed, comment);
            }

            @Override
            public boolean isInSync(String changeId) {
                return records.isInSync(changeId);
            }
        };
        LocalWiring.LocalPorts local = ports.ports();
        detect = new DetectImpairment(new LocalWiring.LocalPorts(local.settings(), local.clusterDirectory(), local.kafkaInspector(),
                throttledOnce, local.replicatorTasks(), local.forwardReplication(), local.notifier(), local.alarmStates(),
                local.executions(), local.reverseMskReplicators(), local.primaryRegionHealth()));
        assertThrows(TransientDependencyException.class, () -> detect.handleJson(event("alarm-primary-impaired.json")));
        assertTrue(ports.executions.started().isEmpty());

        assertEquals("STARTED", decide(SCHEDULED_EVENT).path("decision").asText());
        assertEquals("DUPLICATE", decide(event("alarm-primary-impaired.json")).path("decision").asText(), "Lambda's retry of the event");
        assertEquals(1, ports.executions.started().size());
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
