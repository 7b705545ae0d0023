package com.mskfailover.replicator;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exact source-offset to target-offset mapping, learnt from the target's acknowledgements (and from
 * records that came from the target in the first place). Stored as runs of consecutive offsets: while
 * the target partition receives nothing but this replicator's copies, a whole partition is one run.
 */
public final class OffsetTranslation {

    /** Caps memory when the target interleaves its own records with the copies (both directions busy). */
    static final int MAX_RUNS_PER_PARTITION = 100_000;

    private final Map<TopicPartition, PartitionRuns> partitions = new ConcurrentHashMap<>();

    /** The record at {@code sourceOffset} on the source is the record at {@code targetOffset} on the target. */
    public void map(TopicPartition partition, long sourceOffset, long targetOffset) {
        partitions.computeIfAbsent(partition, ignored -> new PartitionRuns()).add(sourceOffset, targetOffset);
    }

    /**
     * Where a consumer whose committed source offset is {@code committedSourceOffset} must resume on the
     * target: just after the target copy of the last record it read. Empty when that record is not
     * replicated yet or its place on the target is unknown; when only an earlier record's place is
     * known, the answer is the conservative one just after it (the consumer re-reads rather than skips).
     * {@code replicatedUpTo}: every source record before it is acknowledged by the target or skipped.
     */
    public OptionalLong translate(TopicPartition partition, long committedSourceOffset, long replicatedUpTo) {
        PartitionRuns runs = partitions.get(partition);
        if (runs == null || committedSourceOffset < 0 || committedSourceOffset > replicatedUpTo) {
            return OptionalLong.empty();
        }
        if (committedSourceOffset > 0) {
            OptionalLong lastRead = runs.targetOffsetOf(committedSourceOffset - 1);
            if (lastRead.isPresent()) {
                return OptionalLong.of(lastRead.getAsLong() + 1);
            }
        }
        // Nothing read yet, or the last record read has no known place: just before the next one's copy.
        OptionalLong nextToRead = runs.targetOffsetOf(committedSourceOffset);
        if (nextToRead.isPresent() || committedSourceOffset == 0) {
            return nextToRead;
        }
        return runs.conservativePositionAfter(committedSourceOffset - 1);
    }

    public void forget(TopicPartition partition) {
        partitions.remove(partition);
    }

    private static final class PartitionRuns {
        /** source start offset -> {target start offset, length} */
        private final TreeMap<Long, long[]> runs = new TreeMap<>();

        synchronized void add(long sourceOffset, long targetOffset) {
            Map.Entry<Long, long[]> last = runs.lastEntry();
            if (last != null) {
                long[] run = last.getValue();
                long length = run[1];
                if (last.getKey() + length == sourceOffset && run[0] + length == targetOffset) {
                    run[1] = length + 1;
                    return;
                }
                if (sourceOffset < last.getKey() + length) {
                    return; // already known (a resumed session re-learning its own copies)
                }
            }
            runs.put(sourceOffset, new long[] {targetOffset, 1});
            if (runs.size() > MAX_RUNS_PER_PARTITION) {
                runs.pollFirstEntry();
            }
        }

        synchronized OptionalLong targetOffsetOf(long sourceOffset) {
            Map.Entry<Long, long[]> floor = runs.floorEntry(sourceOffset);
            if (floor == null || sourceOffset >= floor.getKey() + floor.getValue()[1]) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(floor.getValue()[0] + (sourceOffset - floor.getKey()));
        }

        /** Just after the newest mapped record before {@code sourceOffset}: re-reading beats skipping. */
        synchronized OptionalLong conservativePositionAfter(long sourceOffset) {
            Map.Entry<Long, long[]> floor = runs.floorEntry(sourceOffset);
            return floor == null ? OptionalLong.empty() : OptionalLong.of(floor.getValue()[0] + floor.getValue()[1]);
        }
    }
}
