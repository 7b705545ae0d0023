package com.mskfailover.orchestrator.statemachines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.local.msk.LocalCloudWatch;
import com.mskfailover.local.msk.LocalMskReplicator;
import com.mskfailover.local.wait.Polling;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.domain.GroupOffsetHandover;
import com.mskfailover.orchestrator.local.LocalReverseMskReplicators;
import com.mskfailover.orchestrator.local.FileBootstrapAliases;
import com.mskfailover.orchestrator.local.LocalWiring;
import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
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
@org.junit.jupiter.api.Tag("integration")
class FailbackWithMskReplicatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final KafkaClients primary = SharedClusters.primary().clients();
    private final KafkaClients secondary = SharedClusters.secondary().clients();

    @Test
    void theBlogWalkthroughFailsBackWithNoDuplicateOnEitherSideAndNoReRead() throws Exception {
        String topic = "customer-mskr";
        String group = "msk-consumer-mskr";
        primary.createTopic(topic, 3);
        LocalCloudWatch cloudWatch = new LocalCloudWatch(LocalCloudWatch.Timing.scaled(Duration.ofMillis(300)));
        try (LocalMskReplicator forward = forward("forward-mskr", topic, group, cloudWatch)) {
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
            ports.forwardReplication = LocalReverseMskReplicators.forward(LocalReverseMskReplicators.StandIn.of(forward));
            LocalReverseMskReplicators reverse = new LocalReverseMskReplicators(ports.clusters, (name, source, target, topics) -> LocalReverseMskReplicators.StandIn.of(
                    LocalMskReplicator.start(new LocalMskReplicator.Config(name, source, target, topics, LocalMskReplicator.StartingPosition.EARLIEST, List.of()), cloudWatch)));
            LocalWiring.LocalPorts local = new LocalWiring.LocalPorts(ports.settings, ports.clusters, ports.kafka, ports.aliases, null,
                    ports.forwardReplication, ports.notifier, ports.alarms, ports.executions, reverse, ports.lock);
            ObjectNode input = (ObjectNode) JSON.readTree(Files.readString(StateMachineRun.event("failback-start.json")));
            input.putArray("topics").add(topic);
            input.putArray("consumerGroups").add(group);
            // The shared clusters hold every test's topics: this test is not about the ones it does not name (PlanComparisonTest is).
            input.putArray("force").add("unlistedTopics");

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

    /**
     * The hazards of issue 17: a MessageLag of 0 that a namesake deleted earlier left, one published before the
     * replicator copied anything, and a replicator still CREATING taken for running, while producers on the secondary
     * write in bursts and its consumers read. Whatever those say, producers move only once the failover's records are
     * on the primary, consumers only once every record written on the secondary is, and each record is there once.
     */
    @Test
    void aZeroFromBeforeTheReplicatorRanNeverMovesClientsBeforeTheSecondarysRecordsAreOnThePrimary() throws Exception {
        String topic = "customer-stale-lag";
        String group = "msk-consumer-stale-lag";
        primary.createTopic(topic, 2);
        // AWS's proportions with 300 ms for a minute: datapoints 600 ms late, 3 s in CREATING (10 "minutes").
        LocalCloudWatch cloudWatch = new LocalCloudWatch(new LocalCloudWatch.Timing(Duration.ofMillis(300), Duration.ofMillis(600), Duration.ofSeconds(3)));
        try (LocalMskReplicator forward = forward("forward-stale-lag", topic, group, cloudWatch)) {
            List<String> written = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            for (int i = 0; i < 10; i++) {
                primary.produce(topic, "k" + i, "before " + i);
                written.add("before " + i);
            }
            assertEquals(10, primary.consumeAsGroup(group, topic).size());
            pollUntil("the forward flow to copy the primary's records and sync the group", () -> forward.copiedRecords() == 10
                    && offsets(secondary, group, topic).equals(offsets(primary, group, topic)));
            // The failover: 200 records on the secondary, read there.
            List<String> failover = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                failover.add("failover " + i);
            }
            secondary.produce(failover.stream().map(value -> new ProducerRecord<>(topic, value, value)).toList());
            written.addAll(failover);
            assertEquals(200, secondary.consumeAsGroup(group, topic).size());

            // What the primary holds at each move to it.
            List<String> atMoves = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            FileBootstrapAliases file = new FileBootstrapAliases(dir.resolve("aliases.json"));
            BootstrapAliases aliases = new BootstrapAliases() {
                @Override
                public Map<String, BootstrapAliasRecord> read(java.util.Collection<String> names) {
                    return file.read(names);
                }

                @Override
                public String change(List<BootstrapAliasRecord> records, String comment) {
                    if (records.stream().anyMatch(record -> record.clusterArn().equals(TestPorts.PRIMARY_ARN))) {
                        java.util.Set<String> onPrimary = new java.util.HashSet<>(KafkaClients.values(primary.readAll(topic)));
                        List<String> expected;
                        synchronized (written) {
                            expected = records.getFirst().aliasName().equals(TestPorts.PRODUCER_ALIAS) ? failover : List.copyOf(written);
                        }
                        atMoves.add(records.getFirst().aliasName() + ": " + expected.stream().filter(value -> !onPrimary.contains(value)).count()
                                + " of " + expected.size() + " not on the primary");
                    }
                    return file.change(records, comment);
                }

                @Override
                public boolean isInSync(String changeId) {
                    return file.isInSync(changeId);
                }
            };
            TestPorts ports = new TestPorts(dir, List.of(topic), List.of(group), aliases);
            ports.pointAliasesAt(TestPorts.SECONDARY_ARN);
            ports.tasks = null;
            ports.forwardReplication = LocalReverseMskReplicators.forward(LocalReverseMskReplicators.StandIn.of(forward));
            // A namesake deleted minutes ago left a 0; the new one publishes a 0 in the minute it is created, before it copies.
            String name = ports.settings.reverseReplicatorName();
            cloudWatch.put(name, "MessageLag", java.time.Instant.now().minus(Duration.ofMillis(1200)), 0);
            LocalReverseMskReplicators reverse = new LocalReverseMskReplicators(ports.clusters, (replicatorName, source, target, topics) -> {
                cloudWatch.put(replicatorName, "MessageLag", java.time.Instant.now(), 0);
                return LocalReverseMskReplicators.StandIn.of(LocalMskReplicator.start(new LocalMskReplicator.Config(replicatorName, source, target,
                        topics, LocalMskReplicator.StartingPosition.EARLIEST, List.of()), cloudWatch));
            });
            LocalWiring.LocalPorts local = new LocalWiring.LocalPorts(ports.settings, ports.clusters, ports.kafka, aliases, null,
                    ports.forwardReplication, ports.notifier, ports.alarms, ports.executions, reverse, ports.lock);
            ObjectNode input = (ObjectNode) JSON.readTree(Files.readString(StateMachineRun.event("failback-start.json")));
            input.putArray("topics").add(topic);
            input.putArray("consumerGroups").add(group);
            // The shared clusters hold every test's topics: this test is not about the ones it does not name (PlanComparisonTest is).
            input.putArray("force").add("unlistedTopics");

            ExecutionResult result;
            try (Traffic traffic = new Traffic(ports, secondary, topic, group, written)) {
                result = StateMachineRun.run("failback", local, input.toString()).result();
                traffic.awaitStopped();
            }

            assertTrue(result.succeeded(), result.timelineTable());
            assertEquals(List.of(TestPorts.PRODUCER_ALIAS + ": 0 of 200 not on the primary",
                    TestPorts.CONSUMER_ALIAS + ": 0 of " + written.size() + " not on the primary"), atMoves);
            assertTrue(written.size() > 210, "producers wrote on the secondary during the failback: " + written.size());
            ReverseReplicationView lag = ReverseReplicationView.of(result);
            assertTrue(lag.checks() > 1, "it waited: " + lag);
            // Done by a 0 of a minute that began once it ran, or (producers writing) by the records at the last check found copied.
            assertTrue(lag.detail().contains("everything the secondary held at the last check is copied")
                    || lag.figureMinute() != null && !lag.figureMinute().isBefore(lag.runningSince()), "the 0 that counted is of a minute that began once it ran: " + lag);
            String drain = result.lastRun("CheckSecondaryConsumersDrained").orElseThrow().output().path("consumerDrain").path("poll").path("detail").asText();
            assertTrue(drain.contains("the secondary's last own record of every partition is on the primary"), drain);

            List<String> onPrimary = KafkaClients.values(primary.readAll(topic)).stream().sorted().toList();
            assertEquals(written.stream().sorted().toList(), onPrimary, "every record once on the primary");
            assertEquals(List.of(), primary.consumeAsGroup(group, topic), "the group read everything on the secondary: nothing to re-read");
            primary.produce(topic, "k", "after the failback");
            assertEquals(List.of("after the failback"), KafkaClients.values(primary.consumeAsGroup(group, topic)));
        }
    }

    /** What the catch-up's checks saw: how many, when the replicator was first seen RUNNING, the minute of the 0 that counted. */
    private record ReverseReplicationView(long checks, java.time.Instant runningSince, java.time.Instant figureMinute, String detail) {
        static ReverseReplicationView of(ExecutionResult result) {
            var output = result.lastRun("CheckReverseReplicationLag").orElseThrow().output().path("reverseReplication");
            String detail = output.path("catchUp").path("detail").asText();
            var minute = java.util.regex.Pattern.compile("Maximum of the minute from (\\S+)\\)").matcher(detail);
            return new ReverseReplicationView(result.timesEntered("CheckReverseReplicationLag"), java.time.Instant.parse(output.path("runningSince").asText()),
                    minute.find() ? java.time.Instant.parse(minute.group(1)) : null, detail);
        }
    }

    /**
     * Producers and consumers of the failover: bursts written to the cluster the producer alias names, as long as it
     * names the secondary; the group reading them there, committing, until the producers left and it read everything.
     */
    private static final class Traffic implements AutoCloseable {
        private final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        private final java.util.concurrent.atomic.AtomicBoolean producing = new java.util.concurrent.atomic.AtomicBoolean(true);
        private final java.util.concurrent.Future<?> producer;
        private final java.util.concurrent.Future<?> consumer;

        Traffic(TestPorts ports, KafkaClients secondary, String topic, String group, List<String> written) {
            producer = threads.submit(() -> {
                for (int burst = 0; ports.clusterOf(TestPorts.PRODUCER_ALIAS).equals(TestPorts.SECONDARY_ARN); burst++) {
                    List<String> values = new java.util.ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        values.add("burst " + burst + " record " + i);
                    }
                    secondary.produce(values.stream().map(value -> new ProducerRecord<>(topic, value, value)).toList());
                    written.addAll(values);
                    // the pace of the producers' traffic, not a synchronisation
                    java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(400));
                }
                producing.set(false);
                return null;
            });
            consumer = threads.submit(() -> {
                try (var reader = secondary.consumer(group, Map.of())) {
                    reader.subscribe(List.of(topic));
                    while (true) {
                        boolean stopped = !producing.get();
                        if (reader.poll(Duration.ofMillis(200)).isEmpty()) {
                            var assignment = reader.assignment();
                            if (stopped && !assignment.isEmpty() && reader.endOffsets(assignment).entrySet().stream()
                                    .allMatch(end -> reader.position(end.getKey()) >= end.getValue())) {
                                return null;
                            }
                        } else {
                            reader.commitSync();
                        }
                    }
                }
            });
        }

        void awaitStopped() throws Exception {
            producer.get(60, java.util.concurrent.TimeUnit.SECONDS);
            consumer.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            threads.shutdownNow();
        }
    }

    /** The blog's forward flow: primary -> secondary, identical names, from earliest, the group's offsets synced (LEGACY). */
    private static LocalMskReplicator forward(String name, String topic, String group, LocalCloudWatch cloudWatch) {
        return LocalMskReplicator.start(new LocalMskReplicator.Config(name, SharedClusters.primary().bootstrapServers(),
                SharedClusters.secondary().bootstrapServers(), List.of(topic), LocalMskReplicator.StartingPosition.EARLIEST, List.of(group)), cloudWatch);
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
