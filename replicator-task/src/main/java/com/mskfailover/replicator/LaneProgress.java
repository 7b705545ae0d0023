package com.mskfailover.replicator;

import com.mskfailover.replicator.CopyFailures.SendFailure;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * A copier session's bookkeeping, without I/O. Per partition of the session: its checkpoint, and what the open
 * transaction holds. For the lane, outliving the session: {@code replicatedUpTo} (every source record before it
 * is on the target or was skipped) and {@code waitingSince} (the oldest record seen and not copied yet). What a
 * transaction holds is learned (offset mapping, positions, metrics) only once it committed: a copy that may
 * still be aborted must translate nothing.
 */
final class LaneProgress {

    /**
     * Where a partition new to the session starts reading: {@code wanted}, unless retention removed records
     * since ({@code offset} is then the oldest one left).
     */
    record StartingPoint(Long checkpoint, long wanted, long offset, String reason) {

        static StartingPoint of(Long checkpoint, boolean presentAtStart, ReplicatorConfig.StartingPosition configured,
                                long beginning, long end) {
            if (checkpoint != null) {
                return new StartingPoint(checkpoint, checkpoint, Math.max(checkpoint, beginning), "at the checkpoint on the target");
            }
            if (presentAtStart && configured == ReplicatorConfig.StartingPosition.LATEST) {
                return new StartingPoint(null, end, Math.max(end, beginning), "at the end (STARTING_POSITION=latest)");
            }
            return new StartingPoint(null, beginning, beginning, "at the beginning");
        }

        boolean removedByRetention() {
            return wanted < offset;
        }

        /** The checkpoint on the target already says where this partition is: nothing to write at once. */
        boolean atCheckpoint() {
            return checkpoint != null && checkpoint == offset;
        }
    }

    private final Map<TopicPartition, Partition> assigned = new HashMap<>();
    private final Map<TopicPartition, Long> replicatedUpTo;
    private final Map<TopicPartition, Long> waitingSince;
    private final PartitionStalls stalls;
    private final OffsetTranslation translation;
    private final ReplicationMetrics metrics;

    LaneProgress(Map<TopicPartition, Long> replicatedUpTo, Map<TopicPartition, Long> waitingSince, PartitionStalls stalls,
                 OffsetTranslation translation, ReplicationMetrics metrics) {
        this.replicatedUpTo = replicatedUpTo;
        this.waitingSince = waitingSince;
        this.stalls = stalls;
        this.translation = translation;
        this.metrics = metrics;
    }

    /** One partition of the session. */
    final class Partition {
        private static final int CHUNK = 1024;
        private final TopicPartition partition;
        private final Uuid topicId;
        /** The source offset the last committed transaction checkpointed (or the starting point). */
        private long checkpointed;
        private boolean checkpointWritten;
        /**
         * Source offsets of this transaction's copies and skips, in order, with their target offsets (copies:
         * -1 until acknowledged; skips: {@link #original}). Target offsets live in fixed chunks: the producer's
         * I/O thread writes into a chunk while this thread may be adding the next one.
         */
        private long[] sourceOffsets = new long[CHUNK];
        private long[][] targetChunks = new long[1][];
        private int entries;
        private long copiedBytes;
        private int copied;
        private long timestampTotal;

        private Partition(TopicPartition partition, Uuid topicId, long start, boolean checkpointWritten) {
            this.partition = partition;
            this.topicId = topicId;
            this.checkpointed = start;
            this.checkpointWritten = checkpointWritten;
        }

        /**
         * A copy sent in the open transaction: returns the chunk where its target offset goes once the target
         * acknowledges it, at index {@link #lastSlot()}.
         */
        long[] copy(long sourceOffset, long timestamp, long bytes) {
            long[] chunk = add(sourceOffset, -1);
            copied++;
            copiedBytes += bytes;
            timestampTotal += timestamp;
            waitingSince.putIfAbsent(partition, timestamp);
            return chunk;
        }

        int lastSlot() {
            return (entries - 1) % CHUNK;
        }

        /** A skipped record that is a copy of the target's record at {@code originalOnTarget}. */
        void skipped(long sourceOffset, long originalOnTarget) {
            add(sourceOffset, original(originalOnTarget));
        }

        private long[] add(long sourceOffset, long targetOffset) {
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

        private static long original(long targetOffset) {
            return -2 - targetOffset;
        }

        private long targetOffset(int entry) {
            return targetChunks[entry / CHUNK][entry % CHUNK];
        }

        /** Applied only once committed, in source order: nothing translates to a copy that might still be aborted. */
        private void learn() {
            for (int i = 0; i < entries; i++) {
                long targetOffset = targetOffset(i);
                if (targetOffset >= 0) {
                    translation.copied(partition, sourceOffsets[i], targetOffset);
                } else if (targetOffset <= -2) {
                    translation.original(partition, sourceOffsets[i], original(targetOffset));
                }
            }
            translation.endOfTransaction(partition);
        }

        private void clearTransaction() {
            entries = 0;
            targetChunks = new long[1][];
            copied = 0;
            copiedBytes = 0;
            timestampTotal = 0;
        }
    }

    Partition get(TopicPartition partition) {
        return assigned.get(partition);
    }

    Set<TopicPartition> partitions() {
        return assigned.keySet();
    }

    boolean isEmpty() {
        return assigned.isEmpty();
    }

    boolean sameAssignment(Map<TopicPartition, Uuid> wanted) {
        if (wanted.size() != assigned.size()) {
            return false;
        }
        for (Map.Entry<TopicPartition, Uuid> entry : wanted.entrySet()) {
            Partition state = assigned.get(entry.getKey());
            if (state == null || !state.topicId.equals(entry.getValue())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Forgets the partitions not {@code wanted} any more, and those whose topic was created again (another topic
     * id); returns the partitions to {@link #start}.
     */
    Map<TopicPartition, Uuid> reassign(Map<TopicPartition, Uuid> wanted) {
        Map<TopicPartition, Uuid> added = new HashMap<>();
        wanted.forEach((partition, topicId) -> {
            Partition state = assigned.get(partition);
            if (state == null || !state.topicId.equals(topicId)) {
                added.put(partition, topicId);
            }
        });
        Set<TopicPartition> removed = new HashSet<>();
        assigned.forEach((partition, state) -> {
            if (!state.topicId.equals(wanted.get(partition))) {
                removed.add(partition);
            }
        });
        removed.forEach(partition -> {
            assigned.remove(partition);
            replicatedUpTo.remove(partition);
            waitingSince.remove(partition);
            stalls.forget(partition);
            translation.forget(partition);
        });
        return added;
    }

    void start(TopicPartition partition, Uuid topicId, StartingPoint start) {
        if (start.checkpoint() != null) {
            // Everything before it is on the target: groups translate before the next record arrives.
            replicatedUpTo.put(partition, start.checkpoint());
        }
        assigned.put(partition, new Partition(partition, topicId, start.offset(), start.atCheckpoint()));
    }

    /** The checkpoint the next commit writes: every partition whose {@code position} moved, or that never wrote one. */
    Map<TopicPartition, OffsetAndMetadata> checkpointsDue(ToLongFunction<TopicPartition> position) {
        Map<TopicPartition, OffsetAndMetadata> checkpoint = new HashMap<>();
        assigned.forEach((partition, state) -> {
            long offset = position.applyAsLong(partition);
            if (offset != state.checkpointed || !state.checkpointWritten) {
                checkpoint.put(partition, new OffsetAndMetadata(offset, CopyCheckpoint.metadata(state.topicId)));
            }
        });
        return checkpoint;
    }

    /** The checkpoints written so far: the source position to write again while idle. */
    Map<TopicPartition, OffsetAndMetadata> writtenCheckpoints() {
        Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
        assigned.forEach((partition, state) -> {
            if (state.checkpointWritten) {
                positions.put(partition, new OffsetAndMetadata(state.checkpointed, CopyCheckpoint.metadata(state.topicId)));
            }
        });
        return positions;
    }

    /** The transaction committed with {@code checkpoint}: learns what it held, moves the positions past it. */
    void committed(Map<TopicPartition, OffsetAndMetadata> checkpoint, long nowMillis) {
        assigned.forEach((partition, state) -> {
            state.learn();
            if (state.copied > 0) {
                metrics.copied(state.copied, state.copiedBytes, (long) state.copied * nowMillis - state.timestampTotal);
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
    }

    /**
     * The transaction aborted: each partition in {@code refused} stalls at the record the target refused, every
     * partition forgets what the transaction held. Returns where each resumes: its checkpoint.
     */
    Map<TopicPartition, Long> aborted(Map<TopicPartition, SendFailure> refused, long nowMillis) {
        refused.forEach((partition, failure) ->
                stalls.stall(partition, failure.offset(), waitingSince.getOrDefault(partition, nowMillis), failure.reason()));
        Map<TopicPartition, Long> resumeAt = new HashMap<>();
        assigned.forEach((partition, state) -> {
            state.clearTransaction();
            resumeAt.put(partition, state.checkpointed);
        });
        return resumeAt;
    }

    /** {@code partition} is held at its stall: its latency counts from the stalled record. */
    void held(TopicPartition partition) {
        PartitionStalls.Stall stall = stalls.get(partition);
        if (stall != null) {
            waitingSince.merge(partition, stall.waitingSince(), Math::min);
        }
    }
}
