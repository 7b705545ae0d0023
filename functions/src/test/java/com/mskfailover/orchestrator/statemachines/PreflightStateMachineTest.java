package com.mskfailover.orchestrator.statemachines;

import com.fasterxml.jackson.databind.JsonNode;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.domain.OrchestratorSettings;
import com.mskfailover.orchestrator.local.LocalProcessReplicatorTasks;
import com.mskfailover.orchestrator.local.LocalReverseMskReplicators;
import com.mskfailover.orchestrator.local.LocalWiring;
import com.mskfailover.orchestrator.local.StaticClusterDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * statemachines/preflight.asl.json run by aws-local-stepfunctions on real brokers: it passes when everything a
 * failover and a failback need is there, and names each prerequisite missing in turn (one test per row of
 * docs/deploy.md's checklist), while the other checks still run and nothing moves.
 */
@Tag("integration")
class PreflightStateMachineTest {

    private static final String TOPIC = "customer";
    private static final List<String> CHECKS = List.of("CheckSecondaryReady", "CheckPrimaryHealthy", "CheckReverseFlowReady", "CheckAliasRecords");

    @TempDir
    Path dir;

    @BeforeAll
    static void topics() {
        SharedClusters.primary().clients().createTopic(TOPIC, 3);
        SharedClusters.secondary().clients().createTopic(TOPIC, 3);
    }

    /** The default mode (MSK Replicator both ways); the reverse flow's source cluster lacking {@code gaps}. */
    private LocalWiring.LocalPorts mskMode(TestPorts ports, List<String> gaps) {
        LocalReverseMskReplicators reverse = new LocalReverseMskReplicators(ports.clusters, (name, source, target, topics) -> {
            throw new AssertionError("the preflight must create no replicator");
        }).sourceClusterLacks(gaps);
        return new LocalWiring.LocalPorts(ports.settings, ports.clusters, ports.kafka, ports.aliases, ports.tasks, ports.forwardReplication,
                ports.notifier, ports.alarms, ports.executions, reverse);
    }

    private TestPorts readyStack() {
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), null);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        return ports;
    }

    private static ExecutionResult preflight(LocalWiring.LocalPorts ports) {
        return StateMachineRun.run("preflight", ports, "{}").result();
    }

    /** Check name -> passed, from the report in the execution's output (or its last state's). */
    private static List<String> failedChecks(ExecutionResult result) {
        List<String> failed = new ArrayList<>();
        for (String check : CHECKS) {
            if (!result.cause().contains("\n" + check + ": passed") && result.cause().contains(check + ": FAILED")) {
                failed.add(check);
            }
        }
        return failed;
    }

    @Test
    void passesWhenAFailoverAndAFailbackWouldFindWhatTheyNeed() {
        TestPorts ports = readyStack();
        ExecutionResult result = preflight(mskMode(ports, List.of()));

        assertTrue(result.succeeded(), result.timelineTable() + result.cause());
        JsonNode report = result.output().path("report");
        assertTrue(report.path("passed").asBoolean(), report.toString());
        assertEquals(0, report.path("failed").asInt());
        List<String> checked = new ArrayList<>();
        report.path("lines").forEach(line -> checked.add(line.asText().substring(0, line.asText().indexOf(':'))));
        assertEquals(CHECKS, checked, report.toString());
        report.path("lines").forEach(line -> assertTrue(line.asText().contains(": passed"), line.asText()));
        assertEquals(List.of(), ports.notifier.notifications(), "nothing is sent when all pass");
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS), "nothing moved");
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS));
    }

    @Test
    void theSecondarysClusterPolicyMissingForTheMskReplicatorFailbackIsNamedWithItsFix() {
        TestPorts ports = readyStack();
        ExecutionResult result = preflight(mskMode(ports, List.of("no cluster policy on " + TestPorts.SECONDARY_ARN
                + " (put one that allows the service principal kafka.amazonaws.com ...: aws kafka put-cluster-policy ...)")));

        assertEquals("FAILED", result.status(), result.timelineTable());
        assertEquals("PreflightFailed", result.error());
        assertEquals(List.of("CheckReverseFlowReady"), failedChecks(result), result.cause());
        assertTrue(result.cause().contains("no cluster policy on " + TestPorts.SECONDARY_ARN) && result.cause().contains("put-cluster-policy"), result.cause());
        assertEquals("MSK failover preflight: 1 of 4 checks would fail", ports.notifier.last().subject());
        assertTrue(ports.notifier.last().message().contains("- CheckReverseFlowReady: "), ports.notifier.last().message());
    }

    @Test
    void anAliasWithoutItsRecordIsNamed() {
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), null); // the aliases stack's records are missing
        ExecutionResult result = preflight(mskMode(ports, List.of()));

        assertEquals(List.of("CheckAliasRecords"), failedChecks(result), result.cause());
        assertTrue(result.cause().contains(TestPorts.PRODUCER_ALIAS + " has no record") && result.cause().contains(TestPorts.CONSUMER_ALIAS + " has no record")
                && result.cause().contains("already exists"), result.cause());
    }

    @Test
    void aTopicMissingOnTheSecondaryIsNamed() {
        SharedClusters.primary().clients().createTopic("orders-preflight", 1);
        TestPorts ports = new TestPorts(dir, List.of(TOPIC, "orders-preflight"), List.of(), null);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ExecutionResult result = preflight(mskMode(ports, List.of()));

        assertEquals(List.of("CheckSecondaryReady"), failedChecks(result), result.cause());
        assertTrue(result.cause().contains("topics missing on " + TestPorts.SECONDARY_ARN + ": [orders-preflight]"), result.cause());
    }

    @Test
    void aPrimaryTheFunctionsCannotReachIsNamed() throws IOException {
        String nothingListens;
        try (ServerSocket socket = new ServerSocket(0)) {
            nothingListens = "127.0.0.1:" + socket.getLocalPort();
        }
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), null, Map.of(TestPorts.PRIMARY_ARN, nothingListens,
                TestPorts.SECONDARY_ARN, SharedClusters.secondary().bootstrapServers()));
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ExecutionResult result = preflight(mskMode(ports, List.of()));

        assertEquals(List.of("CheckPrimaryHealthy"), failedChecks(result), result.cause());
        assertTrue(result.cause().contains("primary not ready: cluster " + TestPorts.PRIMARY_ARN + " did not answer"), result.cause());
    }

    @Test
    void inReplicatorTaskModeAMissingImageIsNamed() {
        TestPorts ports = readyStack();
        ports.tasks = new LocalProcessReplicatorTasks(List.of("java", "-jar", dir.resolve("replicator-task.jar").toString()), dir);
        ExecutionResult result = preflight(ports.ports());

        assertEquals(List.of("CheckReverseFlowReady"), failedChecks(result), result.cause());
        assertTrue(result.cause().contains("the replicator-task image is missing"), result.cause());
    }

    @Test
    void inReplicatorTaskModeItPassesOnceTheImageIsThere() throws IOException {
        TestPorts ports = readyStack();
        ports.tasks = new LocalProcessReplicatorTasks(List.of("java", "-jar", Files.createFile(dir.resolve("replicator-task.jar")).toString()), dir);
        ExecutionResult result = preflight(ports.ports());

        assertTrue(result.succeeded(), result.timelineTable() + result.cause());
    }

    @Test
    void settingsThatMakeNoValidPlanAreReportedAndNothingElseRuns() {
        TestPorts valid = readyStack();
        OrchestratorSettings noTopics = TestPorts.settingsFor(List.of(), List.of());
        LocalWiring.LocalPorts ports = new LocalWiring.LocalPorts(noTopics, new StaticClusterDirectory(Map.of(TestPorts.PRIMARY_ARN,
                SharedClusters.primary().bootstrapServers(), TestPorts.SECONDARY_ARN, SharedClusters.secondary().bootstrapServers())),
                valid.kafka, valid.aliases, null, valid.forwardReplication, valid.notifier, valid.alarms, valid.executions);
        ExecutionResult result = preflight(ports);

        assertEquals("FAILED", result.status(), result.timelineTable());
        assertTrue(result.statePath().contains("ValidationFailed") && !result.statePath().contains("RunPreflightChecks"), result.statePath().toString());
        assertTrue(result.cause().contains("ValidateFailoverInput: FAILED"), result.cause());
    }
}
