package com.mskfailover.replicator;

import com.fasterxml.jackson.databind.JsonNode;
import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Tag;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static com.mskfailover.replicator.ReplicationTestSupport.await;
import static com.mskfailover.replicator.ReplicationTestSupport.byPartition;
import static com.mskfailover.replicator.ReplicationTestSupport.caughtUp;
import static com.mskfailover.replicator.ReplicationTestSupport.endOffsetSum;
import static com.mskfailover.replicator.ReplicationTestSupport.totalLag;
import static com.mskfailover.replicator.ReplicationTestSupport.env;
import static com.mskfailover.replicator.ReplicationTestSupport.startChildJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
class RecordCopierTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    static final SourceAndTarget clusters = new SourceAndTarget();

    /**
     * kill -9 of the replicator while it copies and while producers write: after each restart it resumes
     * from the target log, so every target partition ends up as an exact copy of its source partition.
     * The last stop is a SIGTERM, which must flush and exit 0.
     */
    @Test
    void repeatedKillNineOfTheReplicatorNeitherLosesNorDuplicatesARecord() throws Exception {
        String topic = "payments";
        int records = 150_000;
        int kills = 4;
        clusters.source().clients().createTopic(topic, 3);
        // Two copiers: each partition has one writer, whichever copier it belongs to.
        Map<String, String> env = env(clusters.source(), clusters.target(), "crash-test", "TOPICS", topic, "LANES", "2");
        Path logs = Files.createTempDirectory("replicator-kill-test-");
        String padding = "x".repeat(512);

        CompletableFuture<Long> producing = CompletableFuture.supplyAsync(() -> produce(clusters.source(), topic, records, padding));
        List<Long> lagAtKill = new ArrayList<>();
        for (int round = 0; round < kills; round++) {
            long before = Math.max(0, endOffsetSum(clusters.target(), topic));
            Process replicator = startChildJvm(env, logs.resolve("run-" + round + ".log"));
            await("round " + round + ": the replicator copied twelve thousand more records", WAIT,
                    () -> endOffsetSum(clusters.target(), topic) > before + 12_000 || !replicator.isAlive());
            assertTrue(replicator.isAlive(), "the replicator died by itself; see " + logs);
            replicator.destroyForcibly();
            assertTrue(replicator.waitFor(30, TimeUnit.SECONDS));
            lagAtKill.add(totalLag(clusters.source(), "crash-test", topic));
        }
        // A loaded test JVM can time out some of its own sends to the source; the copy must match what the source holds.
        long refusedBySource = producing.get(2, TimeUnit.MINUTES);

        Process last = startChildJvm(env, logs.resolve("run-last.log"));
        await("the last run caught up (lag 0 by the committed source position)", WAIT, () -> caughtUp(clusters.source(), "crash-test", topic));
        last.destroy(); // SIGTERM, as ECS stops a task
        assertTrue(last.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, last.exitValue(), "SIGTERM ends the replicator with exit status 0");

        assertTrue(lagAtKill.stream().anyMatch(lag -> lag > 0), "at least one kill hit the replicator mid-copy: " + lagAtKill);
        // Alone in its group, a task starts its lanes at once (on the main thread), not after the group's first assignment.
        // Its output: EMF lines as they were written, every other line a JSON log line naming the replicator.
        List<JsonNode> firstRun = ReplicationTestSupport.logLines(logs.resolve("run-0.log"), "crash-test");
        assertTrue(firstRun.stream().anyMatch(line -> line.path("thread").asText().equals("main") && line.path("level").asText().equals("INFO")
                        && line.path("logger").asText().equals(Replicator.class.getName())
                        && line.path("message").asText().equals("replicator crash-test: this task copies lanes [0, 1] of 2")),
                "the first task started every lane at once; see " + logs);
        // A run killed within its first metrics interval wrote none; a SIGTERM'd run ends with its final figures.
        List<String> allLines = new ArrayList<>();
        try (var runs = Files.list(logs)) {
            for (Path run : runs.toList()) {
                allLines.addAll(Files.readAllLines(run));
            }
        }
        assertTrue(allLines.stream().anyMatch(line -> line.startsWith("{\"_aws\"")), "EMF lines; see " + logs);
        List<JsonNode> lastRun = ReplicationTestSupport.logLines(logs.resolve("run-last.log"), "crash-test");
        assertTrue(lastRun.stream().anyMatch(line -> line.path("logger").asText().equals(Main.class.getName())
                        && line.path("message").asText().matches("stopped after copying \\d+ records")),
                "SIGTERM: a line says what was copied; see " + logs);
        Map<Integer, List<String>> expected = byPartition(clusters.source().clients().readAll(topic));
        Map<Integer, List<String>> actual = byPartition(clusters.target().clients().readAll(topic));
        long onSource = expected.values().stream().mapToInt(List::size).sum();
        assertTrue(onSource >= records - refusedBySource && onSource <= records,
                "the source holds what was produced: " + onSource + " of " + records + ", " + refusedBySource + " sends failed");
        for (int partition = 0; partition < 3; partition++) {
            List<String> want = expected.get(partition);
            List<String> got = actual.get(partition);
            assertEquals(want.size(), got.size(), "partition " + partition + ": record count (duplicates or losses)");
            assertEquals(want, got, "partition " + partition + ": the same records in the same order");
        }
    }

    /**
     * A record the target refuses (larger than the target topic allows): the partition stops just before
     * it, with lag above 0, a stalled-partition metric and a growing latency; the other partitions go on;
     * once the operator raises the limit, the partition resumes and ends as an exact copy.
     */
    @Test
    void aRecordTheTargetRefusesStallsOnlyItsPartitionUntilTheCauseIsFixed() throws Exception {
        String topic = "refusals";
        clusters.source().clients().createTopic(topic, 3);
        clusters.target().clients().createTopic(topic, 3, Map.of("max.message.bytes", "20000"));
        byte[] incompressible = new byte[60_000];
        new java.util.Random(7).nextBytes(incompressible);
        String big = java.util.HexFormat.of().formatHex(incompressible).substring(0, 60_000);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(new ProducerRecord<>(topic, 0, "k", "before-" + i));
        }
        records.add(new ProducerRecord<>(topic, 0, "k", big));
        for (int i = 0; i < 10; i++) {
            records.add(new ProducerRecord<>(topic, 0, "k", "after-" + i));
            records.add(new ProducerRecord<>(topic, 1, "k", "one-" + i));
            records.add(new ProducerRecord<>(topic, 2, "k", "two-" + i));
        }
        clusters.source().clients().produce(records);

        java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
        ReplicatorConfig config = ReplicatorConfig.fromEnvironment(env(clusters.source(), clusters.target(), "refusals", "TOPICS", topic,
                "METRICS_INTERVAL_MS", "300"));
        try (Replicator replicator = Replicator.start(config, new java.io.PrintStream(lines, true, java.nio.charset.StandardCharsets.UTF_8))) {
            await("partitions 1 and 2 copied, partition 0 up to the refused record", WAIT, () ->
                    byPartition(clusters.target().clients().readAll(topic)).equals(Map.of(
                            0, java.util.stream.IntStream.range(0, 10).mapToObj(i -> "before-" + i).toList(),
                            1, java.util.stream.IntStream.range(0, 10).mapToObj(i -> "one-" + i).toList(),
                            2, java.util.stream.IntStream.range(0, 10).mapToObj(i -> "two-" + i).toList()))
                    && ReplicationTestSupport.replicationLag(clusters.source(), "refusals", topic).get(new TopicPartition(topic, 0)) == 11);
            await("metrics show the stall: one stalled partition, lag 11, a latency of over a second", WAIT, () ->
                    lines.toString(java.nio.charset.StandardCharsets.UTF_8).lines().anyMatch(line ->
                            line.contains("\"StalledPartitions\":1") && line.contains("\"MessageLag\":11,")
                                    && line.matches(".*\"ReplicationLatency\":[1-9][0-9]{3,},.*")));
            assertEquals(0, ReplicationTestSupport.replicationLag(clusters.source(), "refusals", topic).get(new TopicPartition(topic, 1)));
            // Partition 1 keeps flowing, one record at a time, across the stalled partition's retries (1 s, 2 s, ...).
            for (int i = 10; i < 30; i++) {
                clusters.source().clients().produce(List.of(new ProducerRecord<>(topic, 1, "k", "one-" + i)));
                int copied = i + 1;
                await("one-" + i + " copied", WAIT, () -> clusters.target().clients().readAll(topic).stream().filter(r -> r.partition() == 1).count() == copied);
            }
            // Each retry sends the refused record alone: only the first attempt's abort took partition 1's copies with it.
            long committedAndAborted = readUncommitted(clusters.target(), new TopicPartition(topic, 1));
            assertTrue(committedAndAborted <= 30 + 10,
                    "aborted copies of partition 1 visible to read_uncommitted readers: at most the first 10, saw " + (committedAndAborted - 30));

            try (org.apache.kafka.clients.admin.Admin admin = clusters.target().admin()) {
                var resource = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
                admin.incrementalAlterConfigs(Map.of(resource, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                        new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", "200000"),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            }
            await("the partition resumed after the limit was raised", WAIT, () -> caughtUp(clusters.source(), "refusals", topic));
        }
        assertEquals(byPartition(clusters.source().clients().readAll(topic)), byPartition(clusters.target().clients().readAll(topic)),
                "every partition an exact, ordered copy");
    }

    /** Records of the partition a read_uncommitted reader sees, aborted ones included. */
    private static long readUncommitted(LocalKafkaCluster cluster, TopicPartition partition) {
        try (var consumer = cluster.clients().consumer(null, Map.of("isolation.level", "read_uncommitted"))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long count = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    /** A 3 MB record that the source holds compressed fits the target too: copies are compressed. */
    @Test
    void aLargeCompressibleRecordTheSourceAcceptedIsCopied() throws Exception {
        String topic = "large";
        clusters.source().clients().createTopic(topic, 1);
        String large = "0123456789".repeat(300_000);
        try (KafkaProducer<String, String> producer = clusters.source().clients().producer(Map.of(
                "compression.type", "lz4", "max.request.size", 8 * 1024 * 1024))) {
            producer.send(new ProducerRecord<>(topic, "k", large)).get(30, TimeUnit.SECONDS);
        }
        try (Replicator replicator = ReplicationTestSupport.start(clusters.source(), clusters.target(), "large", "TOPICS", topic)) {
            await("the large record copied", WAIT, () -> caughtUp(clusters.source(), "large", topic));
        }
        assertEquals(List.of(large), clusters.target().clients().readAll(topic).stream().map(ConsumerRecord::value).toList());
    }

    /** Produces and returns how many sends the source refused (the copy is compared with what the source holds). */
    static long produce(LocalKafkaCluster cluster, String topic, int records, String padding) {
        java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
        try (KafkaProducer<String, String> producer = cluster.clients().producer(Map.of("linger.ms", 5))) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + (i % 97), i + "-" + padding), (metadata, error) -> {
                    if (error != null) {
                        refused.incrementAndGet();
                    }
                });
                if (i % 5_000 == 4_999) {
                    producer.flush(); // keeps producing spread over the kills instead of one burst
                }
            }
        }
        return refused.get();
    }
}
