package com.mskfailover.orchestrator.statemachines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.orchestrator.CopyingReplicatorTasks;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** statemachines/failback.asl.json run by aws-local-stepfunctions, the Java handlers serving its Tasks, on real brokers. */
@Tag("integration")
class FailbackStateMachineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A topic of its own per test, written on the secondary during the "outage", and a group that read it all there. */
    private static void secondaryWithRecords(String topic, String group, int records) {
        SharedClusters.primary().clients().createTopic(topic, 3);
        KafkaClients secondary = SharedClusters.secondary().clients();
        secondary.createTopic(topic, 3);
        for (int i = 1; i <= records; i++) {
            secondary.produce(topic, "key-" + i, "message " + i);
        }
        assertEquals(records, secondary.consumeAsGroup(group, topic).size());
    }

    /** The state a failback starts from: every alias on the secondary, the reverse flow served by {@code tasks}. */
    private TestPorts failedOver(String topic, String group, CopyingReplicatorTasks tasks) {
        TestPorts ports = new TestPorts(dir, List.of(topic), List.of(group), null);
        ports.pointAliasesAt(TestPorts.SECONDARY_ARN);
        ports.tasks = tasks;
        return ports;
    }

    private static ObjectNode input(String topic, String group) throws IOException {
        ObjectNode input = (ObjectNode) JSON.readTree(Files.readString(StateMachineRun.event("failback-start.json")));
        input.putArray("topics").add(topic);
        input.putArray("consumerGroups").add(group);
        // The shared clusters hold every test's topics: this test is not about the ones it does not name (PlanComparisonTest is).
        input.putArray("force").add("unlistedTopics");
        return input;
    }

    @Test
    void replicatesBackThenMovesProducersThenConsumersThenStopsTheTask() throws IOException {
        String topic = "customer-failback-happy";
        String group = "msk-consumer-happy";
        secondaryWithRecords(topic, group, 4);
        CopyingReplicatorTasks tasks = new CopyingReplicatorTasks(List.of(topic), true);
        TestPorts ports = failedOver(topic, group, tasks);

        var outcome = StateMachineRun.run("failback", ports.ports(), input(topic, group).toString());
        ExecutionResult result = outcome.result();

        assertTrue(result.succeeded(), result.timelineTable());
        List<String> order = result.statePath().stream().distinct().toList();
        assertEquals(List.of("ValidateFailbackInput", "AcquireOperationLock", "CheckPrimaryHealthy", "DryRun?", "StartReverseReplication", "WaitForReverseReplication",
                "CheckReverseReplicationLag", "ReverseReplicationCaughtUp?", "MoveProducersToPrimary", "WaitForProducerAliasSync",
                "CheckProducerAliasesInSync", "ProducerAliasesInSync?", "WaitOutProducerAliasTtl", "StartSecondaryQuietWait", "CheckSecondaryQuiet",
                "SecondaryQuiet?", "NotifyRestartProducers", "WaitForSecondaryQuiet", "StartConsumerDrainWait", "WaitForConsumersToDrain",
                "CheckSecondaryConsumersDrained", "SecondaryConsumersDrained?", "MoveConsumersToPrimary", "WaitForConsumerAliasSync",
                "CheckConsumerAliasesInSync", "ConsumerAliasesInSync?", "WaitOutConsumerAliasTtl", "NotifyStartConsumers",
                "StartFinalSecondaryQuietWait", "CheckSecondaryStillQuiet", "SecondaryStillQuiet?", "StopReverseReplication", "StartForwardReplicationCheck",
                "VerifyForwardReplication", "ForwardReplicationHealthy?", "ReleaseOperationLock", "NotifyFailbackSucceeded", "FailbackSucceeded"), order);
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS));
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS));
        assertEquals(4, SharedClusters.primary().clients().readAll(topic).size());
        String taskId = result.lastRun("StartReverseReplication").orElseThrow().output().path("reverseReplication").path("taskIds").get(0).asText();
        assertEquals("STOPPED", tasks.state(taskId).status());
        // The environment contract of replicator-task (docs/replicator.md): secondary -> primary, from earliest, identical names.
        var env = tasks.environmentOf(taskId);
        assertEquals(SharedClusters.secondary().bootstrapServers(), env.get("SOURCE_BOOTSTRAP_SERVERS"));
        assertEquals(SharedClusters.primary().bootstrapServers(), env.get("TARGET_BOOTSTRAP_SERVERS"));
        assertEquals("earliest", env.get("STARTING_POSITION"));
        assertEquals("failback-replicator", env.get("REPLICATOR_NAME"));
        assertEquals("none", env.get("SOURCE_AUTH"));
        assertTrue(java.util.regex.Pattern.matches(env.get("TOPICS"), topic) && !java.util.regex.Pattern.matches(env.get("TOPICS"), topic + "-x"));
        assertTrue(ports.notifier.last().subject().contains("failback succeeded"), ports.notifier.last().toString());
    }

    @Test
    void aDryRunChecksThePrimaryAndStartsNothing() throws IOException {
        String topic = "customer-failback-dry";
        String group = "msk-consumer-dry";
        secondaryWithRecords(topic, group, 2);
        CopyingReplicatorTasks tasks = new CopyingReplicatorTasks(List.of(topic), true);
        TestPorts ports = failedOver(topic, group, tasks);

        ExecutionResult result = StateMachineRun.run("failback", ports.ports(), input(topic, group).put("dryRun", true).toString()).result();

        assertTrue(result.succeeded(), result.timelineTable());
        assertEquals(List.of("ValidateFailbackInput", "AcquireOperationLock", "CheckPrimaryHealthy", "DryRun?", "NotifyFailbackDryRun", "FailbackDryRunPassed"),
                result.statePath());
        assertEquals(0, tasks.started(), "no reverse flow started");
        assertEquals(TestPorts.SECONDARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS), "nothing moved");
        assertEquals("MSK failback dry run passed", ports.notifier.last().subject());
    }

    @Test
    void lagNeverReachingZeroTimesOutLeavesAliasesAndSaysHowToResume() throws IOException {
        String topic = "customer-failback-stuck";
        String group = "msk-consumer-stuck";
        secondaryWithRecords(topic, group, 3);
        CopyingReplicatorTasks tasks = new CopyingReplicatorTasks(List.of(topic), false);
        TestPorts ports = failedOver(topic, group, tasks);
        ObjectNode input = input(topic, group);
        input.withObjectProperty("timeouts").put("replicationCatchUpSeconds", 2);

        ExecutionResult result = StateMachineRun.run("failback", ports.ports(), input.toString()).result();

        assertFalse(result.succeeded());
        assertEquals("FailbackFailed", result.error());
        assertEquals("com.mskfailover.orchestrator.domain.WaitTimedOutException", result.lastRun("CheckReverseReplicationLag").orElseThrow().error());
        assertTrue(result.timesEntered("CheckReverseReplicationLag") > 1, "the loop went round before giving up");
        assertEquals(0, result.timesEntered("MoveProducersToPrimary"));
        assertEquals(TestPorts.SECONDARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS));
        String message = ports.notifier.last().message();
        assertTrue(message.contains("reverse replication lag") && message.contains("lag 3"), message);
        assertTrue(message.contains("aws ecs stop-task") && message.contains("are reused"), message);
    }

    @Test
    void aRerunAfterAFailureAtTheEndRepeatsEveryStepSafely() throws IOException {
        String topic = "customer-failback-rerun";
        String group = "msk-consumer-rerun";
        secondaryWithRecords(topic, group, 2);
        CopyingReplicatorTasks tasks = new CopyingReplicatorTasks(List.of(topic), true);
        TestPorts ports = failedOver(topic, group, tasks);
        // First attempt: the forward flow is down, so it fails at the very end...
        ports.forwardReplication = TestPorts.fixedForward(new com.mskfailover.orchestrator.domain.ForwardReplication.Status(false, 0, "stub: DELETING"),
                java.util.Optional.empty());
        ObjectNode input = input(topic, group);
        input.withObjectProperty("timeouts").put("forwardReplicationSeconds", 1);
        ExecutionResult first = StateMachineRun.run("failback", ports.ports(), input.toString()).result();
        assertEquals("com.mskfailover.orchestrator.domain.WaitTimedOutException", first.lastRun("VerifyForwardReplication").orElseThrow().error());

        // ...the operator repairs it and starts the same input again: every step is repeated safely.
        ports.forwardReplication = TestPorts.healthyForward();
        ExecutionResult second = StateMachineRun.run("failback", ports.ports(), input.toString()).result();

        assertTrue(second.succeeded(), second.timelineTable());
        assertEquals(2, tasks.started(), "the first task was stopped, so the re-run started one");
        assertEquals(2, SharedClusters.primary().clients().readAll(topic).size(), "the stand-in resumes from its committed position: no copy twice");
    }

    @Test
    void consumersThatNeverDrainStopTheFailbackAfterProducersMovedAndTheMessageSaysWhereItStands() throws IOException {
        String topic = "customer-failback-undrained";
        String group = "msk-consumer-undrained";
        secondaryWithRecords(topic, group, 2);
        SharedClusters.secondary().clients().produce(topic, "key-3", "written after the group last read");
        TestPorts ports = failedOver(topic, group, new CopyingReplicatorTasks(List.of(topic), true));
        ObjectNode input = input(topic, group);
        input.withObjectProperty("timeouts").put("consumerDrainSeconds", 1);

        ExecutionResult result = StateMachineRun.run("failback", ports.ports(), input.toString()).result();

        assertEquals("FailbackFailed", result.error());
        assertEquals("com.mskfailover.orchestrator.domain.WaitTimedOutException", result.lastRun("CheckSecondaryConsumersDrained").orElseThrow().error());
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS), "producers had moved");
        assertEquals(TestPorts.SECONDARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS), "consumers stay where their offsets are");
        String message = ports.notifier.last().message();
        assertTrue(message.contains(group + " lag 1"), message);
        assertTrue(message.contains("producer aliases moved to the primary") && message.contains("keep replicator-task running"), message);
    }

    @Test
    void aTopicCreatedOnTheSecondaryDuringTheOutageAndAGroupThePlanDoesNotNameStopTheFailbackBeforeAnythingMoves() throws IOException {
        String topic = "customer-failback-unlisted";
        String group = "msk-consumer-unlisted";
        String createdDuringTheOutage = "orders-created-on-the-secondary";
        secondaryWithRecords(topic, group, 2);
        SharedClusters.secondary().clients().createTopic(createdDuringTheOutage, 1);
        SharedClusters.secondary().clients().produce(createdDuringTheOutage, "key-1", "written on the secondary only");
        SharedClusters.secondary().clients().consumeAsGroup("audit-not-in-the-plan", topic);
        CopyingReplicatorTasks tasks = new CopyingReplicatorTasks(List.of(topic), true);
        TestPorts ports = failedOver(topic, group, tasks);
        ObjectNode input = input(topic, group);
        input.remove("force");

        ExecutionResult result = StateMachineRun.run("failback", ports.ports(), input.toString()).result();

        assertEquals("FailbackFailed", result.error(), result.timelineTable());
        assertEquals("com.mskfailover.orchestrator.domain.InvalidInputException", result.lastRun("CheckPrimaryHealthy").orElseThrow().error());
        assertEquals(0, result.timesEntered("StartReverseReplication"));
        assertEquals(0, tasks.started(), "no reverse flow started");
        assertEquals(TestPorts.SECONDARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS), "nothing moved");
        assertTrue(ports.lock.holder().isEmpty(), "the lock was released");
        String message = ports.notifier.last().message();
        assertTrue(message.contains("input field 'topics, consumerGroups'") && message.contains(createdDuringTheOutage)
                && message.contains("audit-not-in-the-plan [" + topic + "-"), message);
        assertTrue(message.contains("add it to \"topics\"") && message.contains("Add them to \"consumerGroups\""), message);

        // Switched off by name: the dry run passes and every notification says so.
        input.put("dryRun", true).putArray("force").add("unlistedTopics").add("unlistedGroups");
        ExecutionResult forced = StateMachineRun.run("failback", ports.ports(), input.toString()).result();
        assertTrue(forced.succeeded(), forced.timelineTable());
        String said = ports.notifier.last().message();
        assertTrue(said.contains("Checks switched off by \"force\" in the input: [\"unlistedTopics\",\"unlistedGroups\"]")
                && said.contains("FORCED (unlistedGroups)") && said.contains("audit-not-in-the-plan"), said);
    }
}
