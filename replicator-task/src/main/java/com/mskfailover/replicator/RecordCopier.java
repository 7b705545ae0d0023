package com.mskfailover.replicator;

import com.mskfailover.replicator.CopyFailures.LaneTakenOver;
import com.mskfailover.replicator.CopyFailures.SendFailure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Copies records from the source partitions to the same partitions on the target in Kafka transactions:
 * each transaction carries the copies and the checkpoint after them ({@link CopyCheckpoint}), so both land
 * or neither does. Only after a transaction commits does the source position move (group
 * {@code REPLICATOR_NAME} on the source: the lag contract) and the offset mapping learn its copies.
 *
 * <p>Whatever fails, nothing is skipped and nothing is written twice for {@code read_committed} readers:
 * <ul>
 *   <li>a record the target refuses aborts the transaction; its partition stalls just before it
 *       ({@link PartitionStalls}) and the other partitions are copied again from the checkpoint;</li>
 *   <li>any other failure (target away, leader change, a commit whose outcome is unknown) ends the
 *       session; the next one re-initialises the transactional producer, which fences the previous one
 *       and resolves its open transaction, and resumes from the checkpoint, for as long as it takes;</li>
 *   <li>a second writer with the same transactional id (another task given this lane by {@link LaneAssignor})
 *       fences this one: it stops and gives the lane up ({@link #onTakenOver}) rather than fight over it.</li>
 * </ul>
 */
final class RecordCopier implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordCopier.class);
    /** How long a transaction collects copies: the extra latency a read_committed reader sees. */
    private static final Duration TRANSACTION_INTERVAL = Duration.ofMillis(1000);
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(2);
    /** How often an idle lane writes its source position again (the lag contract). */
    private static final Duration SOURCE_RECOMMIT_INTERVAL = Duration.ofSeconds(10);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final ReplicatorConfig config;
    private final int lane;
    private final String sourceClusterId;
    private final String targetClusterId;
    private final Admin targetAdmin;
    private final OffsetTranslation translation;
    private final ReplicationMetrics metrics;
    private final PartitionStalls stalls;
    private final Consumer<RuntimeException> onFatal;
    private final Runnable onTakenOver;
    /** Set by topic sync (partition -> source topic id); null until the first sync, which the first session waits for. */
    private final AtomicReference<Map<TopicPartition, Uuid>> partitionsToReplicate = new AtomicReference<>();
    private final CountDownLatch partitionsKnown = new CountDownLatch(1);
    private volatile Set<TopicPartition> partitionsAtStart;

    /** Per partition: every source record before this offset is on the target (committed) or was skipped. */
    private final Map<TopicPartition, Long> replicatedUpTo = new ConcurrentHashMap<>();
    /** Per partition with records waiting (sent, not committed, or stalled): the oldest one's timestamp. */
    private final Map<TopicPartition, Long> waitingSince = new ConcurrentHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile KafkaConsumer<byte[], byte[]> activeConsumer;

    /**
     * The copier of lane {@code lane} of {@code config.lanes()}: it copies the partitions {@link #laneOf}
     * gives that lane, and writes them with transactional id {@code REPLICATOR_NAME-lane}.
     */
    RecordCopier(ReplicatorConfig config, int lane, String sourceClusterId, String targetClusterId, Admin targetAdmin,
                 OffsetTranslation translation, ReplicationMetrics metrics, PartitionStalls stalls,
                 Consumer<RuntimeException> onFatal, Runnable onTakenOver) {
        this.config = config;
        this.lane = lane;
        this.sourceClusterId = sourceClusterId;
        this.targetClusterId = targetClusterId;
        this.targetAdmin = targetAdmin;
        this.translation = translation;
        this.metrics = metrics;
        this.stalls = stalls;
        this.onFatal = onFatal;
        this.onTakenOver = onTakenOver;
    }

    /** The source partitions (with their topic ids) to replicate from now on: topic sync's latest answer. */
    void replicate(Map<TopicPartition, Uuid> partitions) {
        Map<TopicPartition, Uuid> mine = new HashMap<>();
        partitions.forEach((partition, topicId) -> {
            if (laneOf(partition, config.lanes()) == lane) {
                mine.put(partition, topicId);
            }
        });
        if (partitionsToReplicate.getAndSet(Map.copyOf(mine)) == null) {
            partitionsAtStart = Set.copyOf(mine.keySet());
            partitionsKnown.countDown();
        }
    }

    /**
     * A partition's lane never changes for a given number of lanes: its writer changes only with the
     * lane's, fenced by the lane's transactional id. Consecutive partitions of a topic go to different lanes.
     */
    static int laneOf(TopicPartition partition, int lanes) {
        return Math.floorMod(partition.topic().hashCode() + partition.partition(), lanes);
    }

    static String transactionalId(String replicatorName, int lane) {
        return replicatorName + "-" + lane;
    }

    Map<TopicPartition, Long> replicatedUpTo() {
        return Map.copyOf(replicatedUpTo);
    }

    /** The timestamp of the oldest record this copier has not copied yet although it has seen it. */
    OptionalLong oldestWaiting() {
        return waitingSince.values().stream().mapToLong(Long::longValue).min();
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                try (Session session = new Session()) {
                    session.run();
                } catch (LaneTakenOver e) {
                    LOG.info("lane {}: another task took this lane over (the group moved it): stopping it here; {}", lane, e.getMessage());
                    stopping = true;
                    onTakenOver.run();
                } catch (FatalReplicationException e) {
                    LOG.error("{}", e.getMessage(), e);
                    stopping = true;
                    onFatal.accept(e);
                } catch (Exception e) {
                    if (stopping) {
                        break;
                    }
                    LOG.warn("replication session ended, resuming from the checkpoint on the target in {}: {}", RETRY_BACKOFF, e.toString());
                    awaitStop(RETRY_BACKOFF);
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    /** After the copier stopped: this task no longer answers for its partitions' positions and translations. */
    void forgetPartitions() {
        Map<TopicPartition, Uuid> mine = partitionsToReplicate.get();
        if (mine != null) {
            mine.keySet().forEach(partition -> {
                stalls.forget(partition);
                translation.forget(partition);
            });
        }
        replicatedUpTo.clear();
        waitingSince.clear();
    }

    /** Asks the copier to commit what it copied and stop. */
    void requestStop() {
        stopping = true;
        partitionsKnown.countDown();
        KafkaConsumer<byte[], byte[]> consumer = activeConsumer;
        if (consumer != null) {
            consumer.wakeup();
        }
    }

    /** After {@link #requestStop()}: true once the copier has committed and stopped. */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void awaitStop(Duration duration) {
        try {
            // Returns early when stop() is called: a back-off, not a synchronisation.
            stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    private final class Session implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final KafkaProducer<byte[], byte[]> producer;
        private final CopyDecision.Rules rules;
        private final LaneProgress progress = new LaneProgress(replicatedUpTo, waitingSince, stalls, translation, metrics);
        private final Map<TopicPartition, SendFailure> failures = new ConcurrentHashMap<>();
        private boolean transactionOpen;
        private long nextCommitNanos = System.nanoTime();
        private long nextSourceRecommitNanos = System.nanoTime() + SOURCE_RECOMMIT_INTERVAL.toNanos();

        Session() {
            consumer = new KafkaConsumer<>(CopierClients.sourceConsumer(config, lane));
            Map<String, Object> producerConfig = CopierClients.targetProducer(config, lane);
            rules = new CopyDecision.Rules(targetClusterId, config.skipMskReplicatorRecords(), CopierClients.maxRecordBytes(producerConfig));
            producer = new KafkaProducer<>(producerConfig);
            activeConsumer = consumer;
            if (stopping) {
                consumer.wakeup();
            }
        }

        void run() {
            awaitPartitionsKnown();
            if (!initTransactions()) {
                return;
            }
            try {
                while (!stopping) {
                    Map<TopicPartition, Uuid> wanted = partitionsToReplicate.get();
                    if (!progress.sameAssignment(wanted)) {
                        reassign(wanted);
                    }
                    if (progress.isEmpty()) {
                        awaitStop(Duration.ofMillis(200)); // nothing to replicate yet: wait for topic sync
                        continue;
                    }
                    retryStallsDue();
                    ConsumerRecords<byte[], byte[]> records;
                    try {
                        records = consumer.poll(Duration.ofMillis(100));
                    } catch (TopicAuthorizationException e) {
                        stallUnreadable(e);
                        continue;
                    }
                    try {
                        for (TopicPartition partition : records.partitions()) {
                            copy(partition, records.records(partition));
                        }
                    } catch (KafkaException e) {
                        abortAndRewind(e);
                        continue;
                    }
                    if (System.nanoTime() >= nextCommitNanos) {
                        commitTransaction();
                    }
                }
            } catch (WakeupException e) {
                if (!stopping) {
                    throw e;
                }
            }
            // Stopping: commit what was copied, so a restart has nothing to copy again.
            commitTransaction();
        }

        /** Fences any earlier writer of this lane and resolves its open transaction; retried while the target is away. */
        private boolean initTransactions() {
            while (!stopping) {
                try {
                    producer.initTransactions();
                    return true;
                } catch (TimeoutException e) {
                    LOG.warn("lane {}: the target's transaction coordinator does not answer yet, retrying: {}", lane, e.getMessage());
                } catch (KafkaException e) {
                    throw CopyFailures.endsWriter(e) ? writerEnded(e) : e;
                }
            }
            return false;
        }

        private RuntimeException writerEnded(KafkaException e) {
            return CopyFailures.writerEnded(e, config.replicatorName(), lane);
        }

        private void awaitPartitionsKnown() {
            try {
                partitionsKnown.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }

        private void copy(TopicPartition partition, Iterable<ConsumerRecord<byte[], byte[]>> records) {
            LaneProgress.Partition state = progress.get(partition);
            if (state == null) {
                return;
            }
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (stalls.blocks(partition, record.offset())) {
                    holdAt(partition, record.offset());
                    return;
                }
                switch (rules.decide(record)) {
                    case CopyDecision.Skip skip -> {
                        metrics.skipped();
                        skip.originalOnTarget().ifPresent(original -> state.skipped(record.offset(), original));
                    }
                    case CopyDecision.TooLarge tooLarge -> {
                        stalls.stall(partition, record.offset(), record.timestamp(), tooLarge.reason());
                        holdAt(partition, record.offset());
                        return;
                    }
                    case CopyDecision.Copy copy -> send(partition, state, record, copy);
                }
            }
        }

        private void send(TopicPartition partition, LaneProgress.Partition state, ConsumerRecord<byte[], byte[]> record,
                          CopyDecision.Copy copy) {
            if (!transactionOpen) {
                producer.beginTransaction();
                transactionOpen = true;
            }
            RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            Provenance.of(sourceClusterId, record).stamp(headers, copy.hop());
            long sourceOffset = record.offset();
            long size = copy.keyAndValueBytes();
            long[] targetOffsets = state.copy(sourceOffset, record.timestamp(), size);
            int slot = state.lastSlot();
            producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), record.timestamp(),
                    record.key(), record.value(), headers), (metadata, exception) -> {
                if (exception != null) {
                    failures.merge(partition, new SendFailure(sourceOffset, size, exception), SendFailure::first);
                    return;
                }
                targetOffsets[slot] = metadata.offset();
            });
        }

        /** Keeps {@code partition} at {@code offset}: nothing from there is fetched until the stall's retry. */
        private void holdAt(TopicPartition partition, long offset) {
            consumer.seek(partition, offset);
            consumer.pause(Set.of(partition));
            progress.held(partition);
        }

        /**
         * Retries stalled partitions whose back-off ran out, each with only its stalled record, in a
         * transaction of their own: if the target refuses it again, the abort takes no other partition's
         * copies with it (a read_uncommitted reader of the target would see those twice).
         */
        private void retryStallsDue() {
            Set<TopicPartition> due = new HashSet<>(stalls.due());
            due.retainAll(consumer.paused());
            if (due.isEmpty()) {
                return;
            }
            commitTransaction();
            Set<TopicPartition> others = new HashSet<>(progress.partitions());
            others.removeAll(due);
            others.removeAll(consumer.paused());
            consumer.pause(others);
            consumer.resume(due);
            try {
                Set<TopicPartition> waiting = new HashSet<>(due);
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (!waiting.isEmpty() && !stopping && System.nanoTime() < deadline) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    for (TopicPartition partition : records.partitions()) {
                        if (waiting.remove(partition)) {
                            ConsumerRecord<byte[], byte[]> stalled = records.records(partition).getFirst();
                            copy(partition, List.of(stalled));
                            if (!stalls.blocks(partition, stalled.offset())) {
                                consumer.seek(partition, stalled.offset() + 1);
                            }
                        }
                    }
                }
                commitTransaction();
            } catch (KafkaException e) {
                abortAndRewind(e);
            } finally {
                consumer.resume(others);
            }
        }

        /** The source refuses to let this replicator read some topics: stall their partitions, keep the rest. */
        private void stallUnreadable(TopicAuthorizationException e) {
            long now = System.currentTimeMillis();
            for (TopicPartition partition : progress.partitions()) {
                if (e.unauthorizedTopics().contains(partition.topic())) {
                    long position = consumer.position(partition);
                    stalls.stall(partition, position, now, "the source cluster denies reading topic " + partition.topic()
                            + ": grant kafka-cluster:ReadData (and DescribeTopic) on it to the replicator (" + e.getMessage() + ")");
                    holdAt(partition, position);
                }
            }
        }

        /**
         * Commits the open transaction with the checkpoint of every partition that moved, then moves the
         * source position (the lag contract) and teaches the offset mapping what the transaction copied.
         */
        private void commitTransaction() {
            nextCommitNanos = System.nanoTime() + TRANSACTION_INTERVAL.toNanos();
            Map<TopicPartition, OffsetAndMetadata> checkpoint = progress.checkpointsDue(consumer::position);
            if (!transactionOpen && checkpoint.isEmpty()) {
                recommitSourcePosition();
                return;
            }
            try {
                if (!transactionOpen) {
                    producer.beginTransaction();
                    transactionOpen = true;
                }
                if (!checkpoint.isEmpty()) {
                    producer.sendOffsetsToTransaction(checkpoint, new ConsumerGroupMetadata(config.replicatorName()));
                }
                producer.commitTransaction();
                transactionOpen = false;
            } catch (TimeoutException e) {
                // The outcome is unknown: the next session's initTransactions settles it, the checkpoint tells.
                throw new IllegalStateException("committing a transaction timed out: " + e.getMessage(), e);
            } catch (KafkaException e) {
                abortAndRewind(e);
                return;
            }
            progress.committed(checkpoint, System.currentTimeMillis());
            if (!checkpoint.isEmpty()) {
                commitSourcePosition(checkpoint);
            }
        }

        /**
         * While nothing new arrives, the position is committed again now and then: a commit that failed (the
         * source's coordinator moving) or an older position written meanwhile (a task that lost this lane) would
         * otherwise leave the lag contract above 0 for good, and a failback waiting for lag 0 would time out.
         */
        private void recommitSourcePosition() {
            if (System.nanoTime() < nextSourceRecommitNanos) {
                return;
            }
            nextSourceRecommitNanos = System.nanoTime() + SOURCE_RECOMMIT_INTERVAL.toNanos();
            Map<TopicPartition, OffsetAndMetadata> positions = progress.writtenCheckpoints();
            if (!positions.isEmpty()) {
                commitSourcePosition(positions);
            }
        }

        private void commitSourcePosition(Map<TopicPartition, OffsetAndMetadata> positions) {
            consumer.commitAsync(positions, (offsets, exception) -> {
                if (exception != null) {
                    // A newer commit, or the periodic one while idle, carries the position again.
                    LOG.warn("committing the source position failed: {}", exception.toString());
                }
            });
        }

        /**
         * The transaction failed: unless this writer must stop, abort it, stall the partitions whose record the
         * target refused, and copy every partition again from its checkpoint.
         */
        private void abortAndRewind(KafkaException cause) {
            if (CopyFailures.endsWriter(cause)) {
                throw writerEnded(cause);
            }
            try {
                producer.abortTransaction();
            } catch (KafkaException e) {
                if (CopyFailures.endsWriter(e)) {
                    throw writerEnded(e);
                }
                throw new IllegalStateException("aborting a failed transaction failed: " + e.getMessage(), e);
            }
            transactionOpen = false;
            Map<TopicPartition, SendFailure> refused = CopyFailures.refused(failures);
            failures.clear();
            progress.aborted(refused, System.currentTimeMillis()).forEach(consumer::seek);
            if (refused.isEmpty()) {
                LOG.warn("lane {}: transaction aborted, copying again from the checkpoint in {}: {}", lane, RETRY_BACKOFF, cause.toString());
                awaitStop(RETRY_BACKOFF);
            }
        }

        private void reassign(Map<TopicPartition, Uuid> wanted) {
            // What the open transaction holds is committed under the old assignment first.
            commitTransaction();
            Map<TopicPartition, Uuid> added = progress.reassign(wanted);
            consumer.assign(wanted.keySet());
            if (added.isEmpty()) {
                return;
            }
            Map<TopicPartition, Long> checkpoint;
            try {
                checkpoint = CopyCheckpoint.read(targetAdmin, config.replicatorName(), added, ADMIN_TIMEOUT);
            } catch (Exception e) {
                throw new IllegalStateException("reading the checkpoint on the target failed: " + e, e);
            }
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(added.keySet());
            Map<TopicPartition, Long> ends = consumer.endOffsets(added.keySet());
            for (TopicPartition partition : added.keySet()) {
                LaneProgress.StartingPoint start = LaneProgress.StartingPoint.of(checkpoint.get(partition),
                        partitionsAtStart.contains(partition), config.startingPosition(), beginnings.get(partition), ends.get(partition));
                progress.start(partition, added.get(partition), start);
                if (start.removedByRetention()) {
                    LOG.warn("partition {}: records {} to {} were removed by retention on the source before they were copied",
                            partition, start.wanted(), start.offset() - 1);
                }
                LOG.info("replicating {} from offset {} ({})", partition, start.offset(), start.reason());
                consumer.seek(partition, start.offset());
                translation.recover(partition, start.offset());
            }
            // The starting point goes on record at once (the lag contract), in a transaction of its own.
            commitTransaction();
        }

        @Override
        public void close() {
            activeConsumer = null;
            // Bounded: a stop must end inside ECS's stop timeout even with the target away; an open
            // transaction left behind is aborted by the next writer of this lane.
            producer.close(Duration.ofSeconds(5));
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }
}
