package com.mskfailover.replicator;

import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static com.mskfailover.replicator.ReplicationTestSupport.await;
import static com.mskfailover.replicator.ReplicationTestSupport.caughtUp;
import static com.mskfailover.replicator.ReplicationTestSupport.env;
import static com.mskfailover.replicator.ReplicationTestSupport.startChildJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 10 point 1: offsets committed before a replicator restart translate exactly after it. */
class GroupOffsetRestartTest {

    private static final String TOPIC = "orders";
    private static final String NAME = "restarted";
    /**
     * JVM start, connection, the read-back of the target, one sync round: a few seconds on a quiet machine (the
     * test prints the figure); the bound leaves room for a build machine shared with others.
     */
    private static final Duration AFTER_RESTART = Duration.ofSeconds(30);

    private static LocalKafkaCluster source;
    private static LocalKafkaCluster target;

    @BeforeAll
    static void startClusters() {
        source = LocalKafkaCluster.start("restart-source");
        target = LocalKafkaCluster.start("restart-target");
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
     * The replicator copies in several transactions (markers between them, target records of its own before),
     * is killed with SIGKILL, a group commits on the source while it is down, and after the restart the group's
     * offset on the target is just after the copy of the last record it read, without the group committing again.
     */
    @Test
    void aCommitMadeWhileTheReplicatorWasKilledTranslatesExactlyAfterItsRestart() throws Exception {
        source.clients().createTopic(TOPIC, 2);
        target.clients().createTopic(TOPIC, 2);
        target.clients().produce(IntStream.range(0, 3).mapToObj(i -> new ProducerRecord<>(TOPIC, 0, "t", "target-" + i)).toList());
        Map<String, String> env = env(source, target, NAME, "TOPICS", TOPIC);
        Path logs = Files.createTempDirectory("replicator-restart-test-");

        Process first = startChildJvm(env, logs.resolve("first.log"));
        for (int batch = 0; batch < 3; batch++) {
            produce(batch);
            await("batch " + batch + " is copied", Duration.ofSeconds(60), () -> caughtUp(source, NAME, TOPIC));
        }
        first.destroyForcibly();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));

        Map<TopicPartition, OffsetAndMetadata> commit = Map.of(
                new TopicPartition(TOPIC, 0), new OffsetAndMetadata(150),
                new TopicPartition(TOPIC, 1), new OffsetAndMetadata(37));
        try (Admin admin = source.admin()) {
            admin.alterConsumerGroupOffsets("resumer", commit).all().get(30, TimeUnit.SECONDS);
        }
        Map<TopicPartition, Long> expected = new HashMap<>();
        commit.forEach((partition, offset) -> expected.put(partition, targetOffsetOfCopy(partition, offset.offset() - 1) + 1));

        long restarted = System.nanoTime();
        Process second = startChildJvm(env, logs.resolve("second.log"));
        try {
            await("the commit made while the replicator was down is translated exactly (see " + logs + ")", AFTER_RESTART,
                    () -> expected.equals(target.clients().committedOffsets("resumer")));
            System.out.printf("group offsets translated %d ms after the restart%n", (System.nanoTime() - restarted) / 1_000_000);
            try (Admin admin = target.admin()) {
                var onTarget = admin.listConsumerGroupOffsets("resumer").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                assertEquals("mskfailover:synced:" + NAME + ":150", onTarget.get(new TopicPartition(TOPIC, 0)).metadata());
            }
        } finally {
            second.destroy();
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
        }
    }

    /** 100 records per partition per batch, in batches the replicator copies in separate transactions. */
    private static void produce(int batch) {
        source.clients().produce(IntStream.range(0, 200)
                .mapToObj(i -> new ProducerRecord<>(TOPIC, i % 2, "k", "batch-" + batch + "-" + i)).toList());
    }

    /** Where the copy of source record {@code sourceOffset} is, by its provenance header. */
    private static long targetOffsetOfCopy(TopicPartition partition, long sourceOffset) {
        for (ConsumerRecord<String, String> record : target.clients().readAll(TOPIC)) {
            var header = record.headers().lastHeader(Provenance.REPLICATED_FROM_HEADER);
            if (record.partition() == partition.partition() && header != null
                    && Provenance.decode(header.value()).orElseThrow().offset() == sourceOffset) {
                return record.offset();
            }
        }
        throw new AssertionError("no copy of " + partition + " offset " + sourceOffset + " on the target");
    }
}
