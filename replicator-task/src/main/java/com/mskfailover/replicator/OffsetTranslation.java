package com.mskfailover.replicator;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Source-offset to target-offset translation for every replicated partition ({@link TargetPartitionOffsets}).
 * Learnt from the copies of committed transactions and the records skipped because they came from the target,
 * and at start from the target's (and the source's) recent records, read back by {@link OffsetRecovery}: every
 * copy names its source offset in its provenance header, so a restart loses nothing recent.
 */
public final class OffsetTranslation {

    /** One partition: its offsets, and whether they still wait for the read-back that follows a (re)start. */
    static final class Partition {
        final TargetPartitionOffsets offsets = new TargetPartitionOffsets();
        /** The source offset the copier resumes at, while the read-back is pending; -1 once it is done. */
        volatile long recoverBefore;

        Partition(long recoverBefore) {
            this.recoverBefore = recoverBefore;
        }
    }

    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();

    /**
     * The copier (re)starts {@code partition} at source offset {@code position}: its translation waits for the
     * read-back of what is on the target ({@link OffsetRecovery}) and answers nothing until then.
     */
    void recover(TopicPartition partition, long position) {
        partitions.put(partition, new Partition(position));
    }

    /** The copy of source record {@code sourceOffset} landed at {@code targetOffset}. */
    public void copied(TopicPartition partition, long sourceOffset, long targetOffset) {
        partition(partition).offsets.copied(sourceOffset, targetOffset);
    }

    /** Source record {@code sourceOffset} is a copy of the target's record at {@code targetOffset}. */
    public void original(TopicPartition partition, long sourceOffset, long targetOffset) {
        partition(partition).offsets.counterpart(sourceOffset, targetOffset);
    }

    /** The copies given since the last call were committed in one transaction. */
    public void endOfTransaction(TopicPartition partition) {
        partition(partition).offsets.endOfTransaction();
    }

    /**
     * Where a consumer whose committed source offset is {@code committedSourceOffset} resumes on the target:
     * the largest offset before which it read every record of the flow (see {@link TargetPartitionOffsets}).
     * Empty while a record before that offset is not replicated yet ({@code replicatedUpTo}: every source record
     * before it is on the target or was skipped), while the read-back after a start runs, or when the flow has
     * no record on the target at all.
     */
    public OptionalLong translate(TopicPartition partition, long committedSourceOffset, long replicatedUpTo) {
        Partition state = partitions.get(partition);
        if (state == null || state.recoverBefore >= 0 || committedSourceOffset < 0 || committedSourceOffset > replicatedUpTo) {
            return OptionalLong.empty();
        }
        return state.offsets.translate(committedSourceOffset);
    }

    public void forget(TopicPartition partition) {
        partitions.remove(partition);
    }

    /** Partitions waiting for their read-back. */
    Map<TopicPartition, Partition> awaitingRecovery() {
        Map<TopicPartition, Partition> waiting = new HashMap<>();
        partitions.forEach((partition, state) -> {
            if (state.recoverBefore >= 0) {
                waiting.put(partition, state);
            }
        });
        return waiting;
    }

    /** Recovered partitions with offsets of the flow not known yet: {from, to} each. */
    Map<TopicPartition, long[]> holes() {
        Map<TopicPartition, long[]> holes = new HashMap<>();
        partitions.forEach((partition, state) -> {
            long[] hole = state.recoverBefore >= 0 ? null : state.offsets.hole();
            if (hole != null) {
                holes.put(partition, hole);
            }
        });
        return holes;
    }

    /** The partition's current state (the one a read-back result belongs to). */
    Partition state(TopicPartition partition) {
        return partitions.get(partition);
    }

    private Partition partition(TopicPartition partition) {
        // Without recover() (a test, or a partition the copier has not announced) nothing is read back.
        return partitions.computeIfAbsent(partition, ignored -> new Partition(-1));
    }
}
