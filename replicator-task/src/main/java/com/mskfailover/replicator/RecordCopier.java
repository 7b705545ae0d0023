package com.mskfailover.replicator;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** Loop filter: a verified copy whose origin is the target, or (by default) a record MSK Replicator wrote. */
    private boolean skips(ConsumerRecord<byte[], byte[]> record, Optional<Provenance> hop) {
        if (config.skipMskReplicatorRecords() && Provenance.writtenByMskReplicator(record.headers())) {
            return true;
        }
        if (hop.isEmpty()) {
            return false;
        }
        Header origin = record.headers().lastHeader(Provenance.ORIGIN_CLUSTER_HEADER);
        String originCluster = origin == null ? hop.get().clusterId() : new String(origin.value(), java.nio.charset.StandardCharsets.UTF_8);
        return originCluster.equals(targetClusterId);
    }

    /** Errors that concern one record or one topic: stall that partition, keep the others flowing. */
    static boolean refusesRecord(Throwable error) {
        return error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException
                || error instanceof InvalidRecordException || error instanceof CorruptRecordException
                || error instanceof InvalidTimestampException || error instanceof PolicyViolationException
                || (error instanceof AuthorizationException && !(error instanceof TransactionalIdAuthorizationException)
                        && !(error instanceof ClusterAuthorizationException));
    }

    /** Errors after which this writer must stop: another one took over, or it may not write transactionally. */
    private static boolean isFatal(KafkaException error) {
        return error instanceof ProducerFencedException || error instanceof InvalidProducerEpochException
                || error instanceof TransactionalIdAuthorizationException || error instanceof ClusterAuthorizationException
                || error instanceof UnsupportedVersionException;
    }

    /** Another writer of this lane's transactional id fenced this one. */
    private static final class LaneTakenOver extends RuntimeException {
        LaneTakenOver(String message) {
            super(message);
        }
    }

    /** A send that failed: the first (lowest) failed offset of a partition in the current transaction. */
    private record SendFailure(long offset, long size, Exception error) {}

    /** One partition's state within a session. */
    private static final class Assigned {
        private static final int CHUNK = 1024;
        final Uuid topicId;
        /** The source offset the last committed transaction checkpointed (or the starting point). */
        long checkpointed;
        boolean checkpointWritten;
        /**
         * Source offsets of this transaction's copies and skips, in order, with their target offsets (copies:
         * -1 until acknowledged; skips: {@link #original}). Target offsets live in fixed chunks: the producer's
         * I/O thread writes into a chunk while this thread may be adding the next one.
         */
        long[] sourceOffsets = new long[CHUNK];
        long[][] targetChunks = new long[1][];
        int entries;
        long copiedBytes;
        int copied;
        long timestampTotal;

        Assigned(Uuid topicId, long start, boolean checkpointWritten) {
            this.topicId = topicId;
            this.checkpointed = start;
            this.checkpointWritten = checkpointWritten;
        }

        /** Adds an entry and returns the chunk that holds its target offset, at index {@code entry % CHUNK}. */
        long[] add(long sourceOffset, long targetOffset) {
            if (entries == sourceOffsets.length) {
                sourceOffsets = Arrays.copyOf(sourceOffsets, entries * 2);
            }
            int chunk = entries / CHUNK;
            if (chunk == targetChunks.length) {
                targetChunks = Arrays.copyOf(targetChunks, chunk * 2);
            }
            if (targetChunks[chunk] == null) {
                targetChunks[chunk] = new long[CHUNK];
            }
            sourceOffsets[entries] = sourceOffset;
            targetChunks[chunk][entries % CHUNK] = targetOffset;
            entries++;
            return targetChunks[chunk];
        }

        /** An entry for a skipped record whose original is the target's record at {@code targetOffset}. */
        static long original(long targetOffset) {
            return -2 - targetOffset;
        }

        long targetOffset(int entry) {
            return targetChunks[entry / CHUNK][entry % CHUNK];
        }

        void clearTransaction() {
            entries = 0;
            targetChunks = new long[1][];
            copied = 0;
            copiedBytes = 0;
            timestampTotal = 0;
        }
    }

    private final class Session implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final KafkaProducer<byte[], byte[]> producer;
        private final Map<TopicPartition, Assigned> assigned = new HashMap<>();
        private final Map<TopicPartition, SendFailure> failures = new ConcurrentHashMap<>();
        private final long maxRecordBytes;
        private boolean transactionOpen;
        private long nextCommitNanos = System.nanoTime();

        Session() {
            consumer = new KafkaConsumer<>(sourceConsumerConfig());
            Map<String, Object> producerConfig = targetProducerConfig();
            maxRecordBytes = Math.min(Long.parseLong(producerConfig.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG).toString()),
                    Long.parseLong(producerConfig.get(ProducerConfig.BUFFER_MEMORY_CONFIG).toString()));
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
                    if (!sameAssignment(wanted)) {
                        reassign(wanted);
                    }
                    if (assigned.isEmpty()) {
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
                        if (isFatal(e)) {
                            throw fenced(e);
                        }
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
                    if (isFatal(e)) {
                        throw fenced(e);
                    }
                    throw e;
                }
            }
            return false;
        }

        private RuntimeException fenced(KafkaException e) {
            String id = transactionalId(config.replicatorName(), lane);
            if (e instanceof TransactionalIdAuthorizationException || e instanceof ClusterAuthorizationException) {
                return new FatalReplicationException("replicator " + config.replicatorName() + " may not write transactionally"
                        + " on the target (transactional id " + id + "): grant kafka-cluster:DescribeTransactionalId and"
                        + " AlterTransactionalId on transactional-id " + config.replicatorName() + "* (" + e + ")", e);
            }
            if (e instanceof UnsupportedVersionException) {
                return new FatalReplicationException("the target cluster does not support transactions: " + e, e);
            }
            return new LaneTakenOver("transactional id " + id + " was fenced: " + e);
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
            Assigned state = assigned.get(partition);
            if (state == null) {
                return;
            }
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (stalls.blocks(partition, record.offset())) {
                    holdAt(partition, record.offset());
                    return;
                }
                Optional<Provenance> hop = Provenance.verifiedHop(record);
                if (skips(record, hop)) {
                    metrics.skipped();
                    // A record that came from the target: its place there is known exactly (stored as -2 - place).
                    hop.filter(from -> from.clusterId().equals(targetClusterId))
                            .ifPresent(from -> state.add(record.offset(), Assigned.original(from.offset())));
                    continue;
                }
                long size = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
                long headerBytes = 0;
                for (Header header : record.headers()) {
                    headerBytes += header.key().length() + (header.value() == null ? 0 : header.value().length);
                }
                if (size + headerBytes > maxRecordBytes) {
                    stalls.stall(partition, record.offset(), record.timestamp(), "record of " + (size + headerBytes)
                            + " bytes exceeds the replicator's producer limit of " + maxRecordBytes + " bytes: raise"
                            + " TARGET_KAFKA_MAX_REQUEST_SIZE and TARGET_KAFKA_BUFFER_MEMORY above it (and the target"
                            + " topic's max.message.bytes if needed)");
                    holdAt(partition, record.offset());
                    return;
                }
                if (!transactionOpen) {
                    producer.beginTransaction();
                    transactionOpen = true;
                }
                RecordHeaders headers = new RecordHeaders(record.headers().toArray());
                Provenance.of(sourceClusterId, record).stamp(headers, hop);
                long sourceOffset = record.offset();
                int slot = state.entries % Assigned.CHUNK;
                long[] targetOffsets = state.add(sourceOffset, -1);
                state.copied++;
                state.copiedBytes += size;
                state.timestampTotal += record.timestamp();
                waitingSince.putIfAbsent(partition, record.timestamp());
                producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), record.timestamp(),
                        record.key(), record.value(), headers), (metadata, exception) -> {
                    if (exception != null) {
                        failures.merge(partition, new SendFailure(sourceOffset, size, exception),
                                (first, later) -> first.offset <= later.offset ? first : later);
                        return;
                    }
                    targetOffsets[slot] = metadata.offset();
                });
            }
        }

        /** Keeps {@code partition} at {@code offset}: nothing from there is fetched until the stall's retry. */
        private void holdAt(TopicPartition partition, long offset) {
            consumer.seek(partition, offset);
            consumer.pause(Set.of(partition));
            PartitionStalls.Stall stall = stalls.get(partition);
            if (stall != null) {
                waitingSince.merge(partition, stall.waitingSince(), Math::min);
            }
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
            Set<TopicPartition> others = new HashSet<>(assigned.keySet());
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
                if (isFatal(e)) {
                    throw fenced(e);
                }
                abortAndRewind(e);
            } finally {
                consumer.resume(others);
            }
        }

        /** The source refuses to let this replicator read some topics: stall their partitions, keep the rest. */
        private void stallUnreadable(TopicAuthorizationException e) {
            long now = System.currentTimeMillis();
            for (TopicPartition partition : assigned.keySet()) {
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
            Map<TopicPartition, OffsetAndMetadata> checkpoint = new HashMap<>();
            assigned.forEach((partition, state) -> {
                long position = consumer.position(partition);
                if (position != state.checkpointed || !state.checkpointWritten) {
                    checkpoint.put(partition, new OffsetAndMetadata(position, CopyCheckpoint.metadata(state.topicId)));
                }
            });
            if (!transactionOpen && checkpoint.isEmpty()) {
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
                if (isFatal(e)) {
                    throw fenced(e);
                }
                abortAndRewind(e);
                return;
            }
            committed(checkpoint);
        }

        private void committed(Map<TopicPartition, OffsetAndMetadata> checkpoint) {
            long now = System.currentTimeMillis();
            assigned.forEach((partition, state) -> {
                // Applied only now, in source order: nothing translates to a copy that might still be aborted.
                for (int i = 0; i < state.entries; i++) {
                    long targetOffset = state.targetOffset(i);
                    if (targetOffset >= 0) {
                        translation.copied(partition, state.sourceOffsets[i], targetOffset);
                    } else if (targetOffset <= -2) {
                        translation.original(partition, state.sourceOffsets[i], -2 - targetOffset);
                    }
                }
                translation.endOfTransaction(partition);
                if (state.copied > 0) {
                    metrics.copied(state.copied, state.copiedBytes, (long) state.copied * now - state.timestampTotal);
                }
                state.clearTransaction();
                OffsetAndMetadata offset = checkpoint.get(partition);
                if (offset != null) {
                    state.checkpointed = offset.offset();
                    state.checkpointWritten = true;
                    stalls.passed(partition, offset.offset());
                }
                replicatedUpTo.put(partition, state.checkpointed);
                PartitionStalls.Stall stall = stalls.get(partition);
                if (stall == null) {
                    waitingSince.remove(partition);
                } else {
                    waitingSince.put(partition, stall.waitingSince());
                }
            });
            if (!checkpoint.isEmpty()) {
                consumer.commitAsync(checkpoint, (offsets, exception) -> {
                    if (exception != null) {
                        // The next commit carries newer offsets; a failed one only delays the lag figure.
                        LOG.warn("committing the source position failed: {}", exception.toString());
                    }
                });
            }
        }

        /**
         * The transaction failed: abort it, stall the partitions whose record the target refused, and
         * copy every partition again from its checkpoint.
         */
        private void abortAndRewind(KafkaException cause) {
            try {
                producer.abortTransaction();
            } catch (KafkaException e) {
                if (isFatal(e)) {
                    throw fenced(e);
                }
                throw new IllegalStateException("aborting a failed transaction failed: " + e.getMessage(), e);
            }
            transactionOpen = false;
            boolean refused = false;
            for (Map.Entry<TopicPartition, SendFailure> failure : failures.entrySet()) {
                Throwable error = failure.getValue().error();
                if (refusesRecord(error)) {
                    refused = true;
                    TopicPartition partition = failure.getKey();
                    stalls.stall(partition, failure.getValue().offset(), waitingSince.getOrDefault(partition, System.currentTimeMillis()),
                            "the target refused the record (" + failure.getValue().size() + " bytes of key and value): " + error);
                }
            }
            failures.clear();
            assigned.forEach((partition, state) -> {
                state.clearTransaction();
                consumer.seek(partition, state.checkpointed);
            });
            if (!refused) {
                LOG.warn("lane {}: transaction aborted, copying again from the checkpoint in {}: {}", lane, RETRY_BACKOFF, cause.toString());
                awaitStop(RETRY_BACKOFF);
            }
        }

        private boolean sameAssignment(Map<TopicPartition, Uuid> wanted) {
            if (wanted.size() != assigned.size()) {
                return false;
            }
            for (Map.Entry<TopicPartition, Uuid> entry : wanted.entrySet()) {
                Assigned state = assigned.get(entry.getKey());
                if (state == null || !state.topicId.equals(entry.getValue())) {
                    return false;
                }
            }
            return true;
        }

        private void reassign(Map<TopicPartition, Uuid> wanted) {
            // What the open transaction holds is committed under the old assignment first.
            commitTransaction();
            Set<TopicPartition> removed = new HashSet<>(assigned.keySet());
            Map<TopicPartition, Uuid> added = new HashMap<>();
            wanted.forEach((partition, topicId) -> {
                Assigned state = assigned.get(partition);
                if (state == null || !state.topicId.equals(topicId)) {
                    added.put(partition, topicId);
                } else {
                    removed.remove(partition);
                }
            });
            removed.addAll(added.keySet().stream().filter(assigned::containsKey).toList());
            removed.forEach(partition -> {
                assigned.remove(partition);
                replicatedUpTo.remove(partition);
                waitingSince.remove(partition);
                stalls.forget(partition);
                translation.forget(partition);
            });
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
                Long fromCheckpoint = checkpoint.get(partition);
                long position;
                String reason;
                if (fromCheckpoint != null) {
                    position = fromCheckpoint;
                    reason = "at the checkpoint on the target";
                    // Everything before it is on the target: groups translate before the next record arrives.
                    replicatedUpTo.put(partition, position);
                } else if (partitionsAtStart.contains(partition) && config.startingPosition() == ReplicatorConfig.StartingPosition.LATEST) {
                    position = ends.get(partition);
                    reason = "at the end (STARTING_POSITION=latest)";
                } else {
                    position = beginnings.get(partition);
                    reason = "at the beginning";
                }
                // Retention may have removed records since: start at the oldest one still there.
                if (position < beginnings.get(partition)) {
                    LOG.warn("partition {}: records {} to {} were removed by retention on the source before they were copied",
                            partition, position, beginnings.get(partition) - 1);
                    position = beginnings.get(partition);
                }
                LOG.info("replicating {} from offset {} ({})", partition, position, reason);
                consumer.seek(partition, position);
                translation.recover(partition, position);
                assigned.put(partition, new Assigned(added.get(partition), position,
                        fromCheckpoint != null && fromCheckpoint == position));
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

    private Map<String, Object> sourceConsumerConfig() {
        Map<String, Object> consumer = new HashMap<>();
        // Buffers sized so that 4 copiers fit a 512 MiB heap with room to spare: a full heap costs far
        // more throughput (GC) than smaller fetches do.
        consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        consumer.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024);
        consumer.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024);
        // Cross-Region links have a large bandwidth-delay product.
        consumer.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 4 * 1024 * 1024);
        consumer.putAll(config.sourceClientProperties());
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, config.replicatorName() + "-source-" + lane);
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, config.replicatorName());
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Only reached when retention removed the next record: continue with the oldest one left.
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return consumer;
    }

    private Map<String, Object> targetProducerConfig() {
        Map<String, Object> producer = new HashMap<>();
        producer.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        // Below half a G1 region (1 MiB at a 512 MiB heap), so batches are not humongous allocations.
        producer.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        producer.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 32L * 1024 * 1024);
        // Any record the buffer can hold: the source may hold records far above 1 MiB uncompressed
        // (its limit applies to compressed batches), and compression brings the copy back under the target's.
        producer.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 32 * 1024 * 1024);
        producer.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        producer.put(ProducerConfig.SEND_BUFFER_CONFIG, 4 * 1024 * 1024);
        producer.putAll(config.targetClientProperties());
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, config.replicatorName() + "-target-" + lane);
        // Exactly once rests on these: transactions (with the checkpoint inside) on an idempotent producer.
        producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(config.replicatorName(), lane));
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return producer;
    }
}
