package com.mskfailover.replicator;

import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static com.mskfailover.replicator.ReplicationTestSupport.await;
import static com.mskfailover.replicator.ReplicationTestSupport.caughtUp;
import static com.mskfailover.replicator.ReplicationTestSupport.env;
import static com.mskfailover.replicator.ReplicationTestSupport.start;
import static com.mskfailover.replicator.ReplicationTestSupport.startChildJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
class GroupOffsetSyncTest {

    private static final Duration GROUP_SYNC_BOUND = Duration.ofSeconds(5);
    private static final String TOPIC = "ledger";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    /** Records the target has of its own before replication starts: copies land 3 offsets further on. */
    private static final int TARGET_OWN_RECORDS = 3;

    private static final String RESTART_TOPIC = "orders";
    private static final String RESTART_NAME = "restarted";
    /**
     * JVM start, connection, the read-back of the target, one sync round: a few seconds on a quiet machine (the
     * test prints the figure); the bound leaves room for a build machine shared with others.
     */
    private static final Duration AFTER_RESTART = Duration.ofSeconds(30);

    private static LocalKafkaCluster source;
    private static LocalKafkaCluster target;
    private static Replicator replicator;

    @BeforeAll
    static void startReplication() {
        source = LocalKafkaCluster.start("groups-source");
        target = LocalKafkaCluster.start("groups-target");
        source.clients().createTopic(TOPIC, 1);
        target.clients().createTopic(TOPIC, 1);
        target.clients().produce(IntStream.range(0, TARGET_OWN_RECORDS).mapToObj(i -> new ProducerRecord<>(TOPIC, "t", "target-" + i)).toList());
        source.clients().produce(IntStream.range(0, 10).mapToObj(i -> new ProducerRecord<>(TOPIC, "s", "source-" + i)).toList());
        replicator = start(source, target, "group-sync", "TOPICS", TOPIC);
        await("the records are copied", Duration.ofSeconds(60), () -> caughtUp(source, "group-sync", TOPIC));
    }

    @AfterAll
    static void stop() {
        if (replicator != null) {
            replicator.close();
        }
        if (target != null) {
            target.close();
        }
        if (source != null) {
            source.close();
        }
    }

    @Test
    void translatesACommittedOffsetExactlyWithinFiveSeconds() {
        commitOnSource("reader", 4);
        awaitTargetOffset("reader", TARGET_OWN_RECORDS + 4);
        commitOnSource("reader", 10);
        // The ten copies are one transaction: its marker follows them, and a group that read everything stands after it.
        awaitTargetOffset("reader", TARGET_OWN_RECORDS + 10 + 1);
        List<String> next = nextValuesOnTarget("reader");
        assertEquals(List.of(), next, "a consumer that read everything on the source reads nothing again on the target");
    }

    /**
     * As the Kafka CLI computes it ({@code kafka-consumer-groups --describe}: log end offset minus committed offset), a
     * group that read everything on the source has LAG 0 on the target, although the copies end with a transaction marker.
     */
    @Test
    void aGroupThatReadEverythingShowsLagZeroOnTheTarget() {
        commitOnSource("caught-up", 10);
        await("group caught-up has lag 0 on the target", GROUP_SYNC_BOUND, () -> lagOnTarget("caught-up") == 0);
    }

    /** LAG as {@code kafka-consumer-groups --describe} shows it: the log end offset less the committed offset. */
    private static long lagOnTarget(String group) {
        try (Admin admin = target.admin()) {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(PARTITION);
            long logEnd = admin.listOffsets(Map.of(PARTITION, OffsetSpec.latest()))
                    .partitionResult(PARTITION).get(30, TimeUnit.SECONDS).offset();
            return committed == null ? -1 : logEnd - committed.offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSyncedOffsetNamesTheSourceCommitItReflectsEvenWhenTheTargetOffsetIsUnchanged() throws Exception {
        commitOnSource("stamped", 6);
        awaitTargetOffset("stamped", TARGET_OWN_RECORDS + 6);
        assertEquals("mskfailover:synced:group-sync:6", targetMetadata("stamped"));
        // The same position committed again by a consumer (no metadata) is re-stamped, not left ambiguous.
        try (Admin admin = target.admin()) {
            admin.alterConsumerGroupOffsets("stamped", Map.of(PARTITION, new OffsetAndMetadata(TARGET_OWN_RECORDS + 6)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        await("the target commit is re-stamped", GROUP_SYNC_BOUND, () -> "mskfailover:synced:group-sync:6".equals(targetMetadata("stamped")));
        assertEquals(TARGET_OWN_RECORDS + 6, targetOffset("stamped"));
    }

    private static String targetMetadata(String group) {
        try (Admin admin = target.admin()) {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(PARTITION);
            return committed == null ? null : committed.metadata();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void neverRewindsAGroupOnTheTarget() {
        commitOnSource("rewinder", 8);
        awaitTargetOffset("rewinder", TARGET_OWN_RECORDS + 8);
        commitOnSource("rewinder", 2);
        syncRoundPassed("probe-rewind");
        assertEquals(TARGET_OWN_RECORDS + 8, targetOffset("rewinder"), "a rewind on the source does not rewind the target");
    }

    @Test
    void leavesGroupsWithActiveMembersOnTheTargetAlone() {
        try (KafkaConsumer<String, String> member = target.clients().consumer("live", Map.of())) {
            member.subscribe(List.of(TOPIC));
            await("the member joined the group on the target", Duration.ofSeconds(30), () -> {
                member.poll(Duration.ofMillis(100));
                return !member.assignment().isEmpty();
            });
            member.commitSync(Map.of(PARTITION, new OffsetAndMetadata(1)));
            commitOnSource("live", 9);
            syncRoundPassed("probe-live");
            assertEquals(1, targetOffset("live"), "the live member's own commit rules");
        }
        // Once the member has left, the translated position is applied.
        awaitTargetOffset("live", TARGET_OWN_RECORDS + 9);
    }

    @Test
    void neverSyncsReplicatorGroups() throws Exception {
        try (Admin admin = source.admin()) {
            // What another flow's replicator commits on this source cluster.
            admin.alterConsumerGroupOffsets("other-replicator", Map.of(PARTITION,
                    new OffsetAndMetadata(5, CopyCheckpoint.metadata(org.apache.kafka.common.Uuid.randomUuid())))).all().get(30, TimeUnit.SECONDS);
        }
        syncRoundPassed("probe-replicators");
        assertEquals(Map.of(), target.clients().committedOffsets("other-replicator"));
        try (Admin admin = target.admin()) {
            var own = admin.listConsumerGroupOffsets("group-sync").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertTrue(own.values().stream().allMatch(CopyCheckpoint::isReplicatorCommit),
                    "on the target, the flow's own group holds only its checkpoint: " + own);
        }
    }

    private static void commitOnSource(String group, long offset) {
        try (Admin admin = source.admin()) {
            admin.alterConsumerGroupOffsets(group, Map.of(PARTITION, new OffsetAndMetadata(offset))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long targetOffset(String group) {
        return target.clients().committedOffsets(group).getOrDefault(PARTITION, -1L);
    }

    private static void awaitTargetOffset(String group, long expected) {
        await("group " + group + " is at " + expected + " on the target", GROUP_SYNC_BOUND, () -> targetOffset(group) == expected);
    }

    /** Commits a fresh group and waits until it is synced: a whole sync round ran after the call. */
    private static void syncRoundPassed(String probeGroup) {
        commitOnSource(probeGroup, 1);
        awaitTargetOffset(probeGroup, TARGET_OWN_RECORDS + 1);
    }

    private static List<String> nextValuesOnTarget(String group) {
        return target.clients().consumeAsGroup(group, TOPIC).stream().map(record -> record.value()).toList();
    }

    /**
     * The replicator copies in several transactions (markers between them, target records of its own before),
     * is killed with SIGKILL, a group commits on the source while it is down, and after the restart the group's
     * offset on the target is just after the copy of the last record it read, without the group committing again.
     */
    @Test
    void aCommitMadeWhileTheReplicatorWasKilledTranslatesExactlyAfterItsRestart() throws Exception {
        source.clients().createTopic(RESTART_TOPIC, 2);
        target.clients().createTopic(RESTART_TOPIC, 2);
        target.clients().produce(IntStream.range(0, 3).mapToObj(i -> new ProducerRecord<>(RESTART_TOPIC, 0, "t", "target-" + i)).toList());
        Map<String, String> env = env(source, target, RESTART_NAME, "TOPICS", RESTART_TOPIC);
        Path logs = Files.createTempDirectory("replicator-restart-test-");

        Process first = startChildJvm(env, logs.resolve("first.log"));
        for (int batch = 0; batch < 3; batch++) {
            produceBatch(batch);
            await("batch " + batch + " is copied", Duration.ofSeconds(60), () -> caughtUp(source, RESTART_NAME, RESTART_TOPIC));
        }
        first.destroyForcibly();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));

        Map<TopicPartition, OffsetAndMetadata> commit = Map.of(
                new TopicPartition(RESTART_TOPIC, 0), new OffsetAndMetadata(150),
                new TopicPartition(RESTART_TOPIC, 1), new OffsetAndMetadata(37));
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
                assertEquals("mskfailover:synced:" + RESTART_NAME + ":150", onTarget.get(new TopicPartition(RESTART_TOPIC, 0)).metadata());
            }
        } finally {
            second.destroy();
            assertTrue(second.waitFor(60, TimeUnit.SECONDS));
        }
    }

    /** 100 records per partition per batch, in batches the replicator copies in separate transactions. */
    private static void produceBatch(int batch) {
        source.clients().produce(IntStream.range(0, 200)
                .mapToObj(i -> new ProducerRecord<>(RESTART_TOPIC, i % 2, "k", "batch-" + batch + "-" + i)).toList());
    }

    /** Where the copy of source record {@code sourceOffset} is, by its provenance header. */
    private static long targetOffsetOfCopy(TopicPartition partition, long sourceOffset) {
        for (ConsumerRecord<String, String> record : target.clients().readAll(RESTART_TOPIC)) {
            var header = record.headers().lastHeader(Provenance.REPLICATED_FROM_HEADER);
            if (record.partition() == partition.partition() && header != null
                    && Provenance.decode(header.value()).orElseThrow().offset() == sourceOffset) {
                return record.offset();
            }
        }
        throw new AssertionError("no copy of " + partition + " offset " + sourceOffset + " on the target");
    }
}
