package com.mskfailover.replicator;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies records from the source partitions to the same partitions on the target, one consumer and one
 * idempotent producer, and commits the source position as group {@code REPLICATOR_NAME} only once every
 * record before it is acknowledged by the target or deliberately skipped (the lag contract).
 *
 * <p>Any client failure ends the current session; the next one resumes from the target log
 * ({@link TargetLogCheckpoint}), so a failure costs time, never a duplicate or a gap.
 */
final class RecordCopier implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordCopier.class);
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(500);
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(2);

    private final ReplicatorConfig config;
    private final int lane;
    private final String sourceClusterId;
    private final String targetClusterId;
    /** Set by topic sync; null until the first sync, which the first session waits for. */
    private final AtomicReference<Set<TopicPartition>> partitionsToReplicate = new AtomicReference<>();
    private final CountDownLatch partitionsKnown = new CountDownLatch(1);
    private volatile Set<TopicPartition> partitionsAtStart;
    private final OffsetTranslation translation;
    private final ReplicationMetrics metrics;

    /** Per partition: every source record before this offset is on the target or was skipped. */
    private final Map<TopicPartition, Long> replicatedUpTo = new ConcurrentHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile KafkaConsumer<byte[], byte[]> activeConsumer;

    /**
     * Copier number {@code lane} of {@code config.copierThreads()}: it owns the partitions {@link #laneOf}
     * gives it, so each partition has exactly one writer (one idempotent producer) at a time.
     */
    RecordCopier(ReplicatorConfig config, int lane, String sourceClusterId, String targetClusterId,
                 OffsetTranslation translation, ReplicationMetrics metrics) {
        this.config = config;
        this.lane = lane;
        this.sourceClusterId = sourceClusterId;
        this.targetClusterId = targetClusterId;
        this.translation = translation;
        this.metrics = metrics;
    }

    /** The source partitions to replicate from now on (topic sync's latest answer). */
    void replicate(Set<TopicPartition> partitions) {
        Set<TopicPartition> copy = partitions.stream()
                .filter(partition -> laneOf(partition, config.copierThreads()) == lane)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        if (partitionsToReplicate.getAndSet(copy) == null) {
            partitionsAtStart = copy;
            partitionsKnown.countDown();
        }
    }

    /**
     * A partition's copier never changes while the process runs (a move would race the old copier's
     * in-flight sends); consecutive partitions of a topic go to different copiers.
     */
    static int laneOf(TopicPartition partition, int lanes) {
        return Math.floorMod(partition.topic().hashCode() + partition.partition(), lanes);
    }

    Map<TopicPartition, Long> replicatedUpTo() {
        return Map.copyOf(replicatedUpTo);
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                try (Session session = new Session()) {
                    session.run();
                } catch (Exception e) {
                    if (stopping) {
                        break;
                    }
                    LOG.error("replication session failed, resuming from the target log in {}: {}", RETRY_BACKOFF, e.toString(), e);
                    awaitStop(RETRY_BACKOFF);
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    /** Asks the copier to flush, commit and stop. */
    void requestStop() {
        stopping = true;
        partitionsKnown.countDown();
        KafkaConsumer<byte[], byte[]> consumer = activeConsumer;
        if (consumer != null) {
            consumer.wakeup();
        }
    }

    /** After {@link #requestStop()}: true once the copier has flushed, committed and stopped. */
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

    private boolean skips(ConsumerRecord<byte[], byte[]> record) {
        if (config.skipMskReplicatorRecords() && Provenance.writtenByMskReplicator(record.headers())) {
            return true;
        }
        return Provenance.originCluster(record.headers()).map(targetClusterId::equals).orElse(false);
    }

    /** Progress of one partition; the producer's I/O thread updates the acknowledged part. */
    private static final class PartitionProgress {
        private int pending;
        private long acknowledgedUpTo;
        private long targetEndOffset;
        private long committed = -1;

        PartitionProgress(long position, long targetEndOffset) {
            this.acknowledgedUpTo = position;
            this.targetEndOffset = targetEndOffset;
        }

        synchronized void sent() {
            pending++;
        }

        synchronized void acknowledged(long sourceOffset, long targetOffset) {
            pending--;
            acknowledgedUpTo = sourceOffset + 1;
            targetEndOffset = targetOffset + 1;
        }

        /** The offset to commit, given that the consumer has handed over everything before {@code position}. */
        synchronized OffsetAndMetadata committable(long position) {
            long offset = pending == 0 ? position : acknowledgedUpTo;
            return new OffsetAndMetadata(offset, TargetLogCheckpoint.commitMetadata(targetEndOffset));
        }
    }

    private final class Session implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final KafkaProducer<byte[], byte[]> producer;
        private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
        private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
        private KafkaConsumer<byte[], byte[]> targetReader;
        private long nextCommitNanos = System.nanoTime();

        Session() {
            consumer = new KafkaConsumer<>(sourceConsumerConfig());
            producer = new KafkaProducer<>(targetProducerConfig());
            activeConsumer = consumer;
            if (stopping) {
                consumer.wakeup();
            }
        }

        void run() {
            try {
                // The clients above were created while the first topic sync ran: start-up time is the
                // first record's latency.
                awaitPartitionsKnown();
                while (!stopping) {
                    Set<TopicPartition> wanted = partitionsToReplicate.get();
                    if (!wanted.equals(progress.keySet())) {
                        reassign(wanted);
                    }
                    if (progress.isEmpty()) {
                        awaitStop(Duration.ofMillis(200)); // nothing to replicate yet: wait for topic sync
                        continue;
                    }
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    throwIfSendFailed();
                    for (TopicPartition partition : records.partitions()) {
                        copy(partition, records.records(partition));
                    }
                    if (System.nanoTime() >= nextCommitNanos) {
                        commit(false);
                    }
                }
            } catch (WakeupException e) {
                if (!stopping) {
                    throw e;
                }
            }
            // Stopping: everything sent is flushed and committed, so a restart has nothing to re-read.
            producer.flush();
            throwIfSendFailed();
            commit(true);
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
            PartitionProgress partitionProgress = progress.get(partition);
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (skips(record)) {
                    metrics.skipped();
                    // A record that came from the target: its place there is known exactly.
                    Provenance.replicatedFrom(record.headers())
                            .filter(from -> from.clusterId().equals(targetClusterId)
                                    && from.topic().equals(partition.topic()) && from.partition() == partition.partition())
                            .ifPresent(from -> translation.map(partition, record.offset(), from.offset()));
                    continue;
                }
                RecordHeaders headers = new RecordHeaders(record.headers().toArray());
                new Provenance(sourceClusterId, partition.topic(), partition.partition(), record.offset()).stamp(headers);
                long sourceOffset = record.offset();
                long sourceTimestamp = record.timestamp();
                long size = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
                partitionProgress.sent();
                producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), record.timestamp(),
                        record.key(), record.value(), headers), (metadata, exception) -> {
                    if (exception != null) {
                        sendFailure.compareAndSet(null, exception);
                        return;
                    }
                    partitionProgress.acknowledged(sourceOffset, metadata.offset());
                    translation.map(partition, sourceOffset, metadata.offset());
                    metrics.copied(size, sourceTimestamp);
                });
            }
        }

        private void throwIfSendFailed() {
            Exception failure = sendFailure.get();
            if (failure != null) {
                throw new IllegalStateException("the target refused a record: " + failure, failure);
            }
        }

        private void commit(boolean synchronously) {
            nextCommitNanos = System.nanoTime() + COMMIT_INTERVAL.toNanos();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            progress.forEach((partition, partitionProgress) -> {
                OffsetAndMetadata offset = partitionProgress.committable(consumer.position(partition));
                replicatedUpTo.put(partition, offset.offset());
                if (offset.offset() != partitionProgress.committed || synchronously) {
                    offsets.put(partition, offset);
                    partitionProgress.committed = offset.offset();
                }
            });
            if (offsets.isEmpty()) {
                return;
            }
            if (synchronously) {
                consumer.commitSync(offsets, Duration.ofSeconds(30));
            } else {
                consumer.commitAsync(offsets, (committed, exception) -> {
                    if (exception != null) {
                        // The next commit carries newer offsets anyway; a failed one only delays the lag figure.
                        LOG.warn("committing the source position failed: {}", exception.toString());
                        committed.keySet().forEach(partition -> {
                            PartitionProgress partitionProgress = progress.get(partition);
                            if (partitionProgress != null) {
                                partitionProgress.committed = -1;
                            }
                        });
                    }
                });
            }
        }

        private void reassign(Set<TopicPartition> wanted) {
            Set<TopicPartition> added = new HashSet<>(wanted);
            added.removeAll(progress.keySet());
            Set<TopicPartition> removed = new HashSet<>(progress.keySet());
            removed.removeAll(wanted);
            removed.forEach(partition -> {
                progress.remove(partition);
                replicatedUpTo.remove(partition);
                translation.forget(partition);
            });
            consumer.assign(wanted);
            if (added.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(added, Duration.ofSeconds(30));
            Map<TopicPartition, TargetLogCheckpoint.Found> checkpoint = TargetLogCheckpoint.read(
                    targetReader(), added, committed, sourceClusterId, translation, () -> stopping);
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(added);
            Map<TopicPartition, Long> ends = consumer.endOffsets(added);
            for (TopicPartition partition : added) {
                OffsetAndMetadata commit = committed.get(partition);
                OptionalLong fromTargetLog = checkpoint.get(partition).nextSourceOffset();
                long position;
                String reason;
                if (fromTargetLog.isPresent()) {
                    position = fromTargetLog.getAsLong();
                    reason = "after the newest copy on the target";
                } else if (commit != null) {
                    position = commit.offset();
                    reason = "at the committed offset";
                } else if (partitionsAtStart.contains(partition) && config.startingPosition() == ReplicatorConfig.StartingPosition.LATEST) {
                    position = ends.get(partition);
                    reason = "at the end (STARTING_POSITION=latest)";
                } else {
                    position = beginnings.get(partition);
                    reason = "at the beginning";
                }
                // Retention may have removed records since: start at the oldest one still there.
                position = Math.max(position, beginnings.get(partition));
                LOG.info("replicating {} from offset {} ({})", partition, position, reason);
                consumer.seek(partition, position);
                progress.put(partition, new PartitionProgress(position, checkpoint.get(partition).targetEndOffset()));
            }
            // Commit the starting point at once (asynchronously: copying need not wait for it), so a later
            // restart reads the target log only from here.
            commit(false);
        }

        private KafkaConsumer<byte[], byte[]> targetReader() {
            if (targetReader == null) {
                Map<String, Object> reader = new HashMap<>(config.targetClientProperties());
                reader.put(ConsumerConfig.CLIENT_ID_CONFIG, config.replicatorName() + "-checkpoint-reader-" + lane);
                reader.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
                reader.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
                reader.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
                reader.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
                reader.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
                reader.remove(ConsumerConfig.GROUP_ID_CONFIG);
                targetReader = new KafkaConsumer<>(reader);
            }
            return targetReader;
        }

        @Override
        public void close() {
            activeConsumer = null;
            // Waits for in-flight sends to finish, so the next session's read of the target log sees them.
            producer.close(Duration.ofSeconds(30));
            consumer.close();
            if (targetReader != null) {
                targetReader.close();
            }
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
        producer.put(ProducerConfig.SEND_BUFFER_CONFIG, 4 * 1024 * 1024);
        producer.putAll(config.targetClientProperties());
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, config.replicatorName() + "-target-" + lane);
        // Exactly once rests on these: the target receives a gap-free, duplicate-free prefix of what was sent.
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        // Never give up on a record while the target is away: a failed send would end the session anyway.
        producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return producer;
    }
}
