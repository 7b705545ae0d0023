package com.mskfailover.replicator;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static com.mskfailover.replicator.ReplicationTestSupport.await;
import static com.mskfailover.replicator.ReplicationTestSupport.caughtUp;
import static com.mskfailover.replicator.ReplicationTestSupport.count;
import static com.mskfailover.replicator.ReplicationTestSupport.sortedValues;
import static com.mskfailover.replicator.ReplicationTestSupport.start;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
class ReplicatorTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The bound on group offset translation, measured from the consumer's commit. */
    private static final Duration GROUP_SYNC_BOUND = Duration.ofSeconds(5);

    private static LocalKafkaCluster primary;
    private static LocalKafkaCluster secondary;

    @BeforeAll
    static void startClusters() {
        primary = LocalKafkaCluster.start("primary");
        secondary = LocalKafkaCluster.start("secondary");
    }

    @AfterAll
    static void stopClusters() {
        if (secondary != null) {
            secondary.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    /**
     * The AWS blog's walkthrough: 2 messages on the primary, forward replication, failover, 2 more on the
     * secondary, failback from earliest with the forward flow still running.
     */
    @Test
    void blogWalkthroughLeavesExactlyTheFourRecordsOnBothClustersAndGroupsResumeExactly() {
        String topic = "customer";
        String group = "msk-consumer";
        KafkaClients onPrimary = primary.clients();
        KafkaClients onSecondary = secondary.clients();
        onPrimary.createTopic(topic, 3);
        onPrimary.produce(List.of(new ProducerRecord<>(topic, "k1", "c1"), new ProducerRecord<>(topic, "k2", "c2")));

        try (Replicator forward = start(primary, secondary, "blog-forward", "TOPICS", topic)) {
            await("the forward flow copied both records", WAIT, () -> count(secondary, topic) == 2 && caughtUp(primary, "blog-forward", topic));
            assertEquals(List.of("c1", "c2"), KafkaClients.values(sortedRecords(onPrimary.consumeAsGroup(group, topic))));
            Map<TopicPartition, Long> primaryPositions = withRecordsRead(onPrimary.committedOffsets(group));
            // On the secondary the group stands at the end of each partition it read (after the copies' marker): LAG 0.
            await("the group's position reached the secondary within " + GROUP_SYNC_BOUND, GROUP_SYNC_BOUND, () -> {
                Map<TopicPartition, Long> positions = withRecordsRead(onSecondary.committedOffsets(group));
                return positions.keySet().equals(primaryPositions.keySet()) && positions.equals(withRecordsRead(onSecondary.endOffsets(topic)));
            });

            // Failover: the consumer moves to the secondary and must not re-read c1, c2.
            assertEquals(List.of(), KafkaClients.values(onSecondary.consumeAsGroup(group, topic)));
            onSecondary.produce(List.of(new ProducerRecord<>(topic, "k3", "c3"), new ProducerRecord<>(topic, "k4", "c4")));
            assertEquals(List.of("c3", "c4"), KafkaClients.values(sortedRecords(onSecondary.consumeAsGroup(group, topic))));
            Map<TopicPartition, Long> secondaryPositions = withRecordsRead(onSecondary.committedOffsets(group));

            // Failback: secondary -> primary from earliest while the forward flow keeps running.
            try (Replicator failback = start(secondary, primary, "blog-failback", "TOPICS", topic)) {
                await("the failback flow caught up", WAIT, () -> caughtUp(secondary, "blog-failback", topic));
                await("the forward flow caught up again", WAIT, () -> caughtUp(primary, "blog-forward", topic));
                assertEquals(List.of("c1", "c2", "c3", "c4"), sortedValues(primary, topic));
                assertEquals(List.of("c1", "c2", "c3", "c4"), sortedValues(secondary, topic));
                assertEquals(2, failback.recordsSkipped(), "c1 and c2 came from the primary and are not written back");
                assertEquals(2, forward.recordsSkipped(), "c3 and c4 came from the secondary and are not written back");

                // At the end of each partition: after the last of c1..c4 and the marker that follows a copy (LAG 0).
                Map<TopicPartition, Long> ends = withRecordsRead(onPrimary.endOffsets(topic));
                assertEquals(secondaryPositions.keySet(), ends.keySet());
                await("the group's position on the primary is after c3 and c4, at the end", GROUP_SYNC_BOUND, () -> {
                    Map<TopicPartition, Long> positions = onPrimary.committedOffsets(group);
                    return ends.entrySet().stream().allMatch(entry -> entry.getValue().equals(positions.get(entry.getKey())));
                });
                // Consumers move back: nothing is read twice, and what producers write now is read once.
                assertEquals(List.of(), KafkaClients.values(onPrimary.consumeAsGroup(group, topic)));
                onPrimary.produce(topic, "k5", "c5");
                assertEquals(List.of("c5"), KafkaClients.values(onPrimary.consumeAsGroup(group, topic)));
            }
            await("the forward flow copied c5", WAIT, () -> count(secondary, topic) == 5 && caughtUp(primary, "blog-forward", topic));
            assertEquals(List.of("c1", "c2", "c3", "c4", "c5"), sortedValues(secondary, topic));
        }
    }

    @Test
    void bothDirectionsUnderLoadCopyEveryRecordOnceAndNeverLoop() throws Exception {
        String topic = "orders";
        int perSide = 20_000;
        primary.clients().createTopic(topic, 4);
        secondary.clients().createTopic(topic, 4);
        try (Replicator toSecondary = start(primary, secondary, "load-forward", "TOPICS", topic, "LANES", "2");
             Replicator toPrimary = start(secondary, primary, "load-reverse", "TOPICS", topic)) {
            CompletableFuture<Void> onPrimary = CompletableFuture.runAsync(() -> produceNumbered(primary, topic, "p", perSide));
            CompletableFuture<Void> onSecondary = CompletableFuture.runAsync(() -> produceNumbered(secondary, topic, "s", perSide));
            onPrimary.get(2, TimeUnit.MINUTES);
            onSecondary.get(2, TimeUnit.MINUTES);
            await("both flows caught up", WAIT, () -> caughtUp(primary, "load-forward", topic) && caughtUp(secondary, "load-reverse", topic));

            Set<String> expected = new HashSet<>();
            IntStream.range(0, perSide).forEach(i -> {
                expected.add("p" + i);
                expected.add("s" + i);
            });
            for (LocalKafkaCluster cluster : List.of(primary, secondary)) {
                List<String> values = sortedValues(cluster, topic);
                assertEquals(2 * perSide, values.size(), cluster.name() + " holds each record exactly once");
                assertEquals(expected, new HashSet<>(values), cluster.name() + " holds every record of both sides");
            }
            assertEquals(perSide, toSecondary.recordsCopied());
            assertEquals(perSide, toPrimary.recordsCopied());
        }
    }

    @Test
    void createsMissingTopicsWithTheirConfigsFollowsNewPartitionsAndKeepsKeysHeadersAndTimestamps() throws Exception {
        String topic = "profiles";
        primary.clients().createTopic(topic, 2, Map.of("cleanup.policy", "compact", "retention.ms", "3600000",
                "max.message.bytes", "2097152", "min.insync.replicas", "1"));
        long timestamp = 1_700_000_000_000L;
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
        primary.clients().produce(List.of(new ProducerRecord<>(topic, 1, timestamp, "key-1", "value-1", headers)));

        try (Replicator replicator = start(primary, secondary, "topic-sync", "TOPICS", topic)) {
            await("the record reached the secondary", WAIT, () -> count(secondary, topic) == 1);
            try (Admin admin = secondary.admin()) {
                var description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                assertEquals(2, description.partitions().size());
                var config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                        .all().get(30, TimeUnit.SECONDS).values().iterator().next();
                assertEquals("compact", config.get("cleanup.policy").value());
                assertEquals("3600000", config.get("retention.ms").value());
                assertEquals(Integer.toString(2097152 + TopicSync.PROVENANCE_HEADROOM_BYTES), config.get("max.message.bytes").value(),
                        "room for every source record plus the provenance headers");
                assertEquals("CreateTime", config.get("message.timestamp.type").value());
            }
            ConsumerRecord<String, String> copy = secondary.clients().readAll(topic).getFirst();
            assertEquals(1, copy.partition());
            assertEquals("key-1", copy.key());
            assertEquals("value-1", copy.value());
            assertEquals(timestamp, copy.timestamp());
            assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), copy.headers().lastHeader("trace-id").value());
            Provenance provenance = Provenance.decode(copy.headers().lastHeader(Provenance.REPLICATED_FROM_HEADER).value()).orElseThrow();
            assertEquals(primary.clusterId(), provenance.clusterId());
            assertEquals(topic, provenance.topic());
            assertEquals(1, provenance.partition());
            assertEquals(0, provenance.offset());
            assertEquals(timestamp, provenance.timestamp());

            try (Admin admin = primary.admin()) {
                admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all().get(30, TimeUnit.SECONDS);
            }
            primary.clients().produce(List.of(new ProducerRecord<>(topic, 3, "key-3", "value-3")));
            await("the record of a partition added later reached the same partition", WAIT,
                    () -> secondary.clients().readAll(topic).stream().anyMatch(r -> r.partition() == 3 && "value-3".equals(r.value())));
        }
    }

    @Test
    void recordsFromMskReplicatorAreNotCopiedBackUnlessSwitchedOff() {
        String topic = "shipments";
        RecordHeaders fromMskReplicator = new RecordHeaders();
        fromMskReplicator.add(Provenance.MSK_REPLICATOR_HEADER, "primary:shipments".getBytes(StandardCharsets.UTF_8));
        primary.clients().createTopic(topic, 1);
        primary.clients().produce(List.of(
                new ProducerRecord<>(topic, 0, "k", "came-from-the-other-cluster", fromMskReplicator),
                new ProducerRecord<>(topic, 0, "k", "produced-here")));

        try (Replicator replicator = start(primary, secondary, "msk-default", "TOPICS", topic)) {
            await("the flow caught up", WAIT, () -> caughtUp(primary, "msk-default", topic));
            assertEquals(List.of("produced-here"), sortedValues(secondary, topic));
        }
        String copyAll = topic + "-all";
        primary.clients().createTopic(copyAll, 1);
        primary.clients().produce(List.of(new ProducerRecord<>(copyAll, 0, "k", "came-from-a-third-cluster", fromMskReplicator)));
        try (Replicator replicator = start(primary, secondary, "msk-off", "TOPICS", copyAll, "SKIP_MSK_REPLICATOR_RECORDS", "false")) {
            await("the flow caught up", WAIT, () -> caughtUp(primary, "msk-off", copyAll));
            assertEquals(List.of("came-from-a-third-cluster"), sortedValues(secondary, copyAll));
        }
    }

    /**
     * The lag contract heals: a source commit that failed at the last moment, or an older position written by a
     * task that lost the lane, must not leave the lag above 0 once the flow is idle (a failback would time out).
     */
    @Test
    void anIdleFlowWritesItsSourcePositionAgainWhenItWasLostOrSetBack() throws Exception {
        String topic = "idle";
        primary.clients().createTopic(topic, 2);
        for (int i = 0; i < 20; i++) {
            primary.clients().produce(topic, "k" + i, "v" + i);
        }
        try (Replicator replicator = start(primary, secondary, "idle-flow", "TOPICS", topic)) {
            await("the flow caught up", WAIT, () -> caughtUp(primary, "idle-flow", topic));
            try (var admin = primary.admin()) {
                // What a lost commit or a late one from a fenced task leaves behind: an older position.
                admin.alterConsumerGroupOffsets("idle-flow", Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0),
                        new TopicPartition(topic, 1), new OffsetAndMetadata(0))).all().get(30, TimeUnit.SECONDS);
            }
            assertTrue(!caughtUp(primary, "idle-flow", topic), "the position was set back");
            await("the idle flow wrote its position again", Duration.ofSeconds(30), () -> caughtUp(primary, "idle-flow", topic));
        }
    }

    @Test
    void startingPositionLatestCopiesOnlyWhatIsProducedAfterStart() {
        String topic = "clicks";
        primary.clients().createTopic(topic, 1);
        primary.clients().produce(topic, "k", "before-start");
        try (Replicator replicator = start(primary, secondary, "latest", "TOPICS", topic, "STARTING_POSITION", "latest")) {
            await("the starting point is committed", WAIT, () -> caughtUp(primary, "latest", topic));
            primary.clients().produce(topic, "k", "after-start");
            await("the new record arrived", WAIT, () -> count(secondary, topic) == 1);
            assertEquals(List.of("after-start"), sortedValues(secondary, topic));
        }
    }

    @Test
    void emitsEmbeddedMetricLinesWhoseLagReachesZero() {
        String topic = "metrics";
        primary.clients().createTopic(topic, 2);
        produceNumbered(primary, topic, "m", 1_000);
        java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
        ReplicatorConfig config = ReplicatorConfig.fromEnvironment(ReplicationTestSupport.env(primary, secondary, "metrics",
                "TOPICS", topic, "METRICS_INTERVAL_MS", "200"));
        try (Replicator replicator = Replicator.start(config, new java.io.PrintStream(lines, true, StandardCharsets.UTF_8))) {
            await("a metrics line reports the copy and then a lag of 0", WAIT, () -> {
                String out = lines.toString(StandardCharsets.UTF_8);
                return out.contains("\"ReplicatorName\":\"metrics\"") && out.contains("\"MessageLag\":0,")
                        && out.matches("(?s).*\"ReplicatorThroughput\":[1-9].*");
            });
        }
        String first = lines.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        assertTrue(first.startsWith("{\"_aws\":{\"Timestamp\":"), "one JSON object per line: " + first);
    }

    /**
     * TOPICS in MirrorMaker 2's grammar, as the orchestrator and users write it: {@code a,b} replicates both topics (as
     * one regex it would have selected nothing, silently); a selection that matches no topic says so in a metric.
     */
    @Test
    void aCommaSeparatedTopicListReplicatesEachTopicAndASelectionOfNothingShowsInAMetric() {
        primary.clients().createTopic("grammar-a", 1);
        primary.clients().createTopic("grammar-b", 1);
        primary.clients().produce("grammar-a", "k", "a1");
        primary.clients().produce("grammar-b", "k", "b1");
        try (Replicator listed = start(primary, secondary, "grammar", "TOPICS", "grammar-a, grammar-b")) {
            await("both listed topics are copied", WAIT, () -> count(secondary, "grammar-a") == 1 && count(secondary, "grammar-b") == 1);
        }
        java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
        ReplicatorConfig nothing = ReplicatorConfig.fromEnvironment(ReplicationTestSupport.env(primary, secondary, "selects-nothing",
                "TOPICS", "grammar-c,no-such-topic", "METRICS_INTERVAL_MS", "200"));
        try (Replicator replicator = Replicator.start(nothing, new java.io.PrintStream(lines, true, StandardCharsets.UTF_8))) {
            await("a metrics line says the selection matches no topic", WAIT,
                    () -> lines.toString(StandardCharsets.UTF_8).contains("\"ReplicatorName\":\"selects-nothing\",\"SelectedTopics\":0}"));
        }
    }

    @Test
    void closeFlushesAndCommitsSoTheLagIsZero() {
        String topic = "invoices";
        primary.clients().createTopic(topic, 2);
        Replicator replicator = start(primary, secondary, "close-flush", "TOPICS", topic);
        produceNumbered(primary, topic, "i", 5_000);
        await("some records copied", WAIT, () -> count(secondary, topic) > 0);
        await("all records copied", WAIT, () -> count(secondary, topic) == 5_000);
        replicator.close();
        assertTrue(caughtUp(primary, "close-flush", topic), "after close, the committed position covers every copied record");
    }

    private static void produceNumbered(LocalKafkaCluster cluster, String topic, String prefix, int count) {
        try (KafkaProducer<String, String> producer = cluster.clients().producer(Map.of("linger.ms", 5))) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, prefix + i, prefix + i)));
            }
            for (var ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Positions of partitions the group read something from (an empty partition has nothing to translate). */
    private static Map<TopicPartition, Long> withRecordsRead(Map<TopicPartition, Long> positions) {
        return positions.entrySet().stream().filter(entry -> entry.getValue() > 0)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static List<ConsumerRecord<String, String>> sortedRecords(List<ConsumerRecord<String, String>> records) {
        return records.stream().sorted(java.util.Comparator.comparing(ConsumerRecord::value)).toList();
    }
}
