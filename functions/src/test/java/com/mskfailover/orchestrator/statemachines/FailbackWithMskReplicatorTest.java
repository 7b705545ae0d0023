package com.mskfailover.orchestrator.statemachines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.local.msk.LocalMskReplicator;
import com.mskfailover.local.wait.Polling;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.domain.GroupOffsetHandover;
import com.mskfailover.orchestrator.local.LocalReverseMskReplicators;
import com.mskfailover.orchestrator.local.LocalWiring;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blog's setup: MSK Replicator as the forward flow (local stand-in: adds {@code __mskmr}, skips records that carry
 * it, at-least-once, LEGACY offset sync) and, with ReverseReplicationMode=msk-replicator, a reverse MSK Replicator
 * created by the failback (secondary -> primary, identical names, earliest, no offset sync), through the real
 * failback.asl.json on real brokers. One partition gets no record during the failover.
 */
class FailbackWithMskReplicatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theBlogWalkthroughFailsBackWithNoDuplicateOnEitherSideAndNoReRead() throws Exception {
        String topic = "customer-mskr";
        String group = "msk-consumer-mskr";
        KafkaClients primary = SharedClusters.primary().clients();
        KafkaClients secondary = SharedClusters.secondary().clients();
        primary.createTopic(topic, 3);
        try (LocalMskReplicator forward = LocalMskReplicator.start(new LocalMskReplicator.Config("forward-mskr",
                primary.bootstrapServers(), secondary.bootstrapServers(), List.of(topic), LocalMskReplicator.StartingPosition.EARLIEST,
                List.of(group)))) {
            // Before the outage: messages 1 and 2 on the primary, read there; the forward flow copies them and syncs the group.
            primary.produce(List.of(new ProducerRecord<>(topic, 0, "k1", "message 1"), new ProducerRecord<>(topic, 1, "k2", "message 2")));
            assertEquals(List.of("message 1", "message 2"), sortedValues(primary.consumeAsGroup(group, topic)));
            pollUntil("the forward flow to sync the group's offsets onto the secondary", () -> offsets(secondary, group, topic)
                    .equals(Map.of(0, 1L, 1, 1L)));

            // The failover: clients on the secondary; messages 3 and 4 there, partition 1 gets none. The group resumes exactly.
            secondary.produce(List.of(new ProducerRecord<>(topic, 0, "k3", "message 3"), new ProducerRecord<>(topic, 2, "k4", "message 4")));
            assertEquals(List.of("message 3", "message 4"), sortedValues(secondary.consumeAsGroup(group, topic)));

            // The failback, with the forward flow still running (as the blog leaves it).
            TestPorts ports = new TestPorts(dir, List.of(topic), List.of(group), null);
            ports.pointAliasesAt(TestPorts.SECONDARY_ARN);
            ports.tasks = null;
            ports.forwardReplication = LocalReverseMskReplicators.forward(standIn(forward));
            LocalReverseMskReplicators reverse = new LocalReverseMskReplicators(ports.clusters, (name, source, target, topics) -> standIn(
                    LocalMskReplicator.start(new LocalMskReplicator.Config(name, source, target, topics, LocalMskReplicator.StartingPosition.EARLIEST, List.of()))));
            LocalWiring.LocalPorts local = new LocalWiring.LocalPorts(ports.settings, ports.clusters, ports.kafka, ports.aliases, null,
                    ports.forwardReplication, ports.notifier, ports.alarms, ports.executions, reverse);
            ObjectNode input = (ObjectNode) JSON.readTree(Files.readString(StateMachineRun.event("failback-start.json")));
            input.putArray("topics").add(topic);
            input.putArray("consumerGroups").add(group);

            ExecutionResult result = StateMachineRun.run("failback", local, input.toString()).result();

            assertTrue(result.succeeded(), result.timelineTable());
            String arn = result.lastRun("StartReverseReplication").orElseThrow().output().path("reverseReplication").path("taskIds").path(0).asText();
            assertEquals(1, reverse.created());
            assertEquals("STOPPED", reverse.state(arn).status(), "the reverse replicator is deleted at the end");
            assertEquals(TestPorts.SECONDARY_ARN, reverse.specOf(arn).sourceClusterArn());
            assertEquals(TestPorts.PRIMARY_ARN, reverse.specOf(arn).targetClusterArn());
            String drain = result.lastRun("CheckSecondaryConsumersDrained").orElseThrow().output().path("consumerDrain").path("poll").path("detail").asText();
            assertTrue(drain.contains("group offsets handed over onto the primary"), drain);
            assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS));

            // Exactly the 4 messages on each side, each once: the forward flow did not copy the reverse copies back.
            pollUntil("the forward flow to pass over the reverse copies", () -> forward.skippedRecords() >= 2 && forward.messageLag() == 0);
            List<String> all = List.of("message 1", "message 2", "message 3", "message 4");
            assertEquals(all, sortedValues(primary.readAll(topic)));
            assertEquals(all, sortedValues(secondary.readAll(topic)));

            // The group resumes on the primary exactly after what it read: partition 1 (no record during the failover)
            // keeps its offset, 0 and 2 move past the copies of messages 3 and 4.
            assertEquals(Map.of(0, 2L, 1, 1L, 2, 1L), offsets(primary, group, topic));
            assertEquals(GroupOffsetHandover.handoverMetadata(1), handoverMetadataOf(group, topic, 2));
            primary.produce(List.of(new ProducerRecord<>(topic, 1, "k5", "message 5")));
            assertEquals(List.of("message 5"), sortedValues(primary.consumeAsGroup(group, topic)), "no re-read, nothing skipped");
        }
    }

    /** local-testkit's stand-in as the orchestrator's local port sees it. */
    static LocalReverseMskReplicators.StandIn standIn(LocalMskReplicator replicator) {
        return new LocalReverseMskReplicators.StandIn(replicator.name(), replicator::running, replicator::messageLag, replicator::copiedRecords,
                replicator::skippedRecords, () -> java.util.Optional.of(Duration.ofMillis(replicator.replicationLatencyMillis())).filter(d -> !d.isNegative()),
                replicator::failureText, replicator::close);
    }

    private static String handoverMetadataOf(String group, String topic, int partition) throws Exception {
        try (var admin = SharedClusters.primary().clients().admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .get(new TopicPartition(topic, partition)).metadata();
        }
    }

    private static Map<Integer, Long> offsets(KafkaClients clients, String group, String topic) {
        Map<Integer, Long> offsets = new java.util.TreeMap<>();
        clients.committedOffsets(group).forEach((partition, offset) -> {
            if (partition.topic().equals(topic)) {
                offsets.put(partition.partition(), offset);
            }
        });
        return offsets;
    }

    private static List<String> sortedValues(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).sorted().toList();
    }

    private static void pollUntil(String what, BooleanSupplier condition) {
        Polling.until(what, Duration.ofSeconds(30), condition);
    }
}
