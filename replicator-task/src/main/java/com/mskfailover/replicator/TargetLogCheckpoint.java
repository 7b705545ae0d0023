package com.mskfailover.replicator;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The target log is the checkpoint. Committed source offsets alone cannot say where to resume after a
 * crash: records sent after the last commit may or may not have reached the target. The idempotent
 * producer guarantees that what reached a target partition is a gap-free prefix of what was sent to it,
 * so the newest copy (by its {@link Provenance#REPLICATED_FROM_HEADER}) tells exactly where to resume.
 *
 * <p>The replicator's source commit carries, in its metadata, the target end offset at the time of the
 * commit: everything this flow wrote to that partition before the committed source offset lies below it.
 * So only the target log from there on needs reading, which keeps a restart fast.
 */
final class TargetLogCheckpoint {

    private static final String METADATA_PREFIX = "mskfailover:replicator:";

    /** Where a partition resumes from the target log's point of view. */
    record Found(OptionalLong nextSourceOffset, long targetEndOffset) {}

    private TargetLogCheckpoint() {}

    /** Metadata of the replicator's own source commits; also how other replicators recognise its group. */
    static String commitMetadata(long targetEndOffset) {
        return METADATA_PREFIX + targetEndOffset;
    }

    static boolean isReplicatorCommit(OffsetAndMetadata offset) {
        return offset != null && offset.metadata() != null && offset.metadata().startsWith(METADATA_PREFIX);
    }

    private static OptionalLong targetOffsetOf(OffsetAndMetadata committed) {
        if (!isReplicatorCommit(committed)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(committed.metadata().substring(METADATA_PREFIX.length())));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Reads the target partitions (same topic and partition number as the source ones) from the offset
     * the last commit recorded, or from their beginning if there is none, up to their current end.
     * Learns the exact offset mapping of the copies on the way.
     */
    static Map<TopicPartition, Found> read(KafkaConsumer<byte[], byte[]> targetReader,
                                           Set<TopicPartition> partitions,
                                           Map<TopicPartition, OffsetAndMetadata> committed,
                                           String sourceClusterId,
                                           OffsetTranslation translation,
                                           BooleanSupplier stopping) {
        targetReader.assign(partitions);
        Map<TopicPartition, Long> ends = targetReader.endOffsets(partitions);
        Map<TopicPartition, Long> beginnings = targetReader.beginningOffsets(partitions);
        Map<TopicPartition, Long> newestCopy = new HashMap<>();
        for (TopicPartition partition : partitions) {
            long from = targetOffsetOf(committed.get(partition)).orElse(0L);
            targetReader.seek(partition, Math.min(Math.max(from, beginnings.get(partition)), ends.get(partition)));
        }
        while (!stopping.getAsBoolean() && !reachedEnds(targetReader, ends)) {
            for (ConsumerRecord<byte[], byte[]> record : targetReader.poll(Duration.ofMillis(200))) {
                Provenance.replicatedFrom(record.headers())
                        .filter(from -> from.clusterId().equals(sourceClusterId)
                                && from.topic().equals(record.topic()) && from.partition() == record.partition())
                        .ifPresent(from -> {
                            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                            newestCopy.merge(partition, from.offset(), Math::max);
                            translation.map(partition, from.offset(), record.offset());
                        });
            }
        }
        Map<TopicPartition, Found> found = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Long newest = newestCopy.get(partition);
            found.put(partition, new Found(newest == null ? OptionalLong.empty() : OptionalLong.of(newest + 1), ends.get(partition)));
        }
        return found;
    }

    private static boolean reachedEnds(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }
}
