package com.mskfailover.replicator;

import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
import static com.mskfailover.replicator.ReplicationTestSupport.caughtUp;
import static com.mskfailover.replicator.ReplicationTestSupport.count;
import static com.mskfailover.replicator.ReplicationTestSupport.env;
import static com.mskfailover.replicator.ReplicationTestSupport.startChildJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordCopierTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    private static LocalKafkaCluster source;
    private static LocalKafkaCluster target;

    @BeforeAll
    static void startClusters() {
        source = LocalKafkaCluster.start("source");
        target = LocalKafkaCluster.start("target");
    }

    @AfterAll
    static void stopClusters() {
        if (target != null) {
            target.close();
        }
        if (source != null) {
            source.close();
        }
    }

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
        source.clients().createTopic(topic, 3);
        // Two copiers: each partition has one writer, whichever copier it belongs to.
        Map<String, String> env = env(source, target, "crash-test", "TOPICS", topic, "COPIER_THREADS", "2");
        Path logs = Files.createTempDirectory("replicator-kill-test-");
        String padding = "x".repeat(512);

        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce(topic, records, padding));
        List<Long> lagAtKill = new ArrayList<>();
        for (int round = 0; round < kills; round++) {
            long before = Math.max(0, count(target, topic));
            Process replicator = startChildJvm(env, logs.resolve("run-" + round + ".log"));
            await("round " + round + ": the replicator copied twelve thousand more records", WAIT,
                    () -> count(target, topic) > before + 12_000 || !replicator.isAlive());
            assertTrue(replicator.isAlive(), "the replicator died by itself; see " + logs);
            replicator.destroyForcibly();
            assertTrue(replicator.waitFor(30, TimeUnit.SECONDS));
            lagAtKill.add(Math.max(0, count(source, topic)) - count(target, topic));
        }
        producing.get(2, TimeUnit.MINUTES);

        Process last = startChildJvm(env, logs.resolve("run-last.log"));
        await("the last run caught up (lag 0 by the committed source position)", WAIT, () -> caughtUp(source, "crash-test", topic));
        last.destroy(); // SIGTERM, as ECS stops a task
        assertTrue(last.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, last.exitValue(), "SIGTERM ends the replicator with exit status 0");

        assertTrue(lagAtKill.stream().anyMatch(lag -> lag > 0), "at least one kill hit the replicator mid-copy: " + lagAtKill);
        Map<Integer, List<String>> expected = byPartition(source.clients().readAll(topic));
        Map<Integer, List<String>> actual = byPartition(target.clients().readAll(topic));
        assertEquals(records, expected.values().stream().mapToInt(List::size).sum());
        for (int partition = 0; partition < 3; partition++) {
            List<String> want = expected.get(partition);
            List<String> got = actual.get(partition);
            assertEquals(want.size(), got.size(), "partition " + partition + ": record count (duplicates or losses)");
            assertEquals(want, got, "partition " + partition + ": the same records in the same order");
        }
    }

    private static void produce(String topic, int records, String padding) {
        try (KafkaProducer<String, String> producer = source.clients().producer(Map.of("linger.ms", 5))) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + (i % 97), i + "-" + padding));
                if (i % 5_000 == 4_999) {
                    producer.flush(); // keeps producing spread over the kills instead of one burst
                }
            }
        }
    }

    private static Map<Integer, List<String>> byPartition(List<ConsumerRecord<String, String>> records) {
        return records.stream().collect(Collectors.groupingBy(ConsumerRecord::partition,
                Collectors.mapping(ConsumerRecord::value, Collectors.toList())));
    }
}
