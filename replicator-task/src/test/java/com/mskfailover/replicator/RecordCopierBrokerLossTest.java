package com.mskfailover.replicator;

import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static com.mskfailover.replicator.ReplicationTestSupport.await;
import static com.mskfailover.replicator.ReplicationTestSupport.closeAll;
import static com.mskfailover.replicator.ReplicationTestSupport.byPartition;
import static com.mskfailover.replicator.ReplicationTestSupport.caughtUp;
import static com.mskfailover.replicator.ReplicationTestSupport.endOffsetSum;
import static com.mskfailover.replicator.ReplicationTestSupport.env;
import static com.mskfailover.replicator.ReplicationTestSupport.startChildJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A target shaped like a 3-AZ MSK cluster (3 brokers, replication factor 3, min.insync.replicas 2): the
 * leader of a partition is killed with SIGKILL at the same moment as the replicator, so writes the leader
 * had taken but not yet replicated are in doubt when the replicator restarts on the new leader.
 */
@Tag("integration")
class RecordCopierBrokerLossTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    private static LocalKafkaCluster source;
    private static LocalKafkaCluster target;

    @BeforeAll
    static void startClusters() {
        source = LocalKafkaCluster.start("source");
        target = LocalKafkaCluster.builder("target").brokers(3).start();
    }

    @AfterAll
    static void stopClusters() {
        closeAll(target, source);
    }

    @Test
    void killingTheTargetLeaderTogetherWithTheReplicatorNeitherLosesNorDuplicates() throws Exception {
        String topic = "leaders";
        int perRound = 15_000;
        int rounds = 3;
        source.clients().createTopic(topic, 3);
        Map<String, String> env = env(source, target, "leader-loss", "TOPICS", topic);
        Path logs = Files.createTempDirectory("replicator-leader-loss-");
        for (int round = 0; round < rounds; round++) {
            int first = round * perRound;
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce(topic, first, perRound));
            long before = Math.max(0, endOffsetSum(target, topic));
            Process replicator = startChildJvm(env, logs.resolve("run-" + round + ".log"));
            await("round " + round + ": copying", WAIT, () -> endOffsetSum(target, topic) > before + 3_000 || !replicator.isAlive());
            assertTrue(replicator.isAlive(), "the replicator died by itself; see " + logs);
            TopicPartition partition = new TopicPartition(topic, round % 3);
            int leader = target.leaderOf(partition).orElseThrow();
            target.killBroker(leader);
            replicator.destroyForcibly();
            assertTrue(replicator.waitFor(30, TimeUnit.SECONDS));
            await("a new leader for " + partition, WAIT, () -> target.leaderOf(partition).isPresent()
                    && target.leaderOf(partition).getAsInt() != leader);
            // The replicator restarts on the new leader while the old one is still down.
            Process resumed = startChildJvm(env, logs.resolve("resumed-" + round + ".log"));
            await("round " + round + ": copying again without the killed broker", WAIT,
                    () -> ReplicationTestSupport.totalLag(source, "leader-loss", topic) < 1_000 || !resumed.isAlive());
            resumed.destroyForcibly();
            assertTrue(resumed.waitFor(30, TimeUnit.SECONDS));
            target.restartBroker(leader);
            producing.get(3, TimeUnit.MINUTES);
        }
        int records = rounds * perRound;
        Process last = startChildJvm(env, logs.resolve("last.log"));
        await("the last run started and caught up", WAIT, () -> caughtUp(source, "leader-loss", topic)
                && ReplicationTestSupport.logContains(logs.resolve("last.log"), "partitions to replicate"));
        last.destroy();
        assertTrue(last.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, last.exitValue(), "SIGTERM: exit 0");

        Map<Integer, List<String>> expected = byPartition(source.clients().readAll(topic));
        Map<Integer, List<String>> actual = byPartition(target.clients().readAll(topic));
        assertEquals(records, expected.values().stream().mapToInt(List::size).sum());
        for (int partition = 0; partition < 3; partition++) {
            assertEquals(expected.get(partition).size(), actual.get(partition).size(), "partition " + partition + ": record count");
            assertEquals(expected.get(partition), actual.get(partition), "partition " + partition + ": the same records in the same order");
        }
    }

    private static void produce(String topic, int first, int records) {
        try (KafkaProducer<String, String> producer = source.clients().producer(Map.of("linger.ms", 5))) {
            for (int i = first; i < first + records; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + (i % 97), i + "-" + "y".repeat(200)));
                if (i % 2_000 == 1_999) {
                    producer.flush(); // spreads the load over the rounds
                }
            }
        }
    }
}
