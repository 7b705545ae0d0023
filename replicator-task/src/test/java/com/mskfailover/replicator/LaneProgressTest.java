package com.mskfailover.replicator;

import com.mskfailover.replicator.CopyFailures.SendFailure;
import com.mskfailover.replicator.LaneProgress.StartingPoint;
import com.mskfailover.replicator.ReplicatorConfig.StartingPosition;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A copier session's bookkeeping on plain values, without brokers (RecordCopierTest covers the wiring). */
class LaneProgressTest {

    private static final TopicPartition P = new TopicPartition("orders", 0);
    private static final TopicPartition Q = new TopicPartition("orders", 1);
    private static final Uuid TOPIC = Uuid.randomUuid();
    private static final long NOW = 1_000_000L;

    private final Map<TopicPartition, Long> replicatedUpTo = new HashMap<>();
    private final Map<TopicPartition, Long> waitingSince = new HashMap<>();
    private final PartitionStalls stalls = new PartitionStalls();
    private final OffsetTranslation translation = new OffsetTranslation();
    private final ReplicationMetrics metrics = new ReplicationMetrics("flow", new PrintStream(OutputStream.nullOutputStream()), Clock.systemUTC());
    private final LaneProgress progress = new LaneProgress(replicatedUpTo, waitingSince, stalls, translation, metrics);

    private void startAtCheckpoint(TopicPartition partition, long checkpoint) {
        progress.start(partition, TOPIC, StartingPoint.of(checkpoint, true, StartingPosition.EARLIEST, 0, 100));
    }

    /** A copy sent and acknowledged at {@code targetOffset}, as the producer's callback does. */
    private void copied(TopicPartition partition, long sourceOffset, long targetOffset) {
        LaneProgress.Partition state = progress.get(partition);
        long[] chunk = state.copy(sourceOffset, NOW - 500, 10);
        chunk[state.lastSlot()] = targetOffset;
    }

    @Test
    void aTransactionIsLearnedOnlyOnceItCommitted() {
        startAtCheckpoint(P, 0);
        copied(P, 0, 10);
        copied(P, 1, 11);
        progress.get(P).skipped(2, 12); // a copy of the target's record 12
        assertEquals(Map.of(P, 0L), replicatedUpTo);
        assertEquals(OptionalLong.empty(), translation.translate(P, 1, 3), "nothing translates to a copy that may be aborted");
        assertEquals(Map.of(P, NOW - 500), waitingSince);

        progress.committed(Map.of(P, new OffsetAndMetadata(3)), NOW);
        assertEquals(Map.of(P, 3L), replicatedUpTo);
        assertEquals(OptionalLong.of(11), translation.translate(P, 1, 3));
        assertEquals(OptionalLong.of(13), translation.translate(P, 3, 3), "past the target's record 12, read as 2");
        assertEquals(2, metrics.recordsCopied());
        assertEquals(Map.of(), waitingSince);
        assertEquals(Map.of(P, new OffsetAndMetadata(3, CopyCheckpoint.metadata(TOPIC))), progress.writtenCheckpoints());
    }

    @Test
    void anAbortStallsOnlyThePartitionWithTheRefusedRecordAndEveryPartitionResumesAtItsCheckpoint() {
        startAtCheckpoint(P, 0);
        startAtCheckpoint(Q, 7);
        copied(P, 0, 10);
        copied(P, 1, 11);
        copied(Q, 7, 20);
        Map<TopicPartition, Long> resumeAt = progress.aborted(Map.of(P, new SendFailure(1, 10, new RecordTooLargeException("no"))), NOW);
        assertEquals(Map.of(P, 0L, Q, 7L), resumeAt);
        assertEquals(1, stalls.get(P).offset());
        assertEquals(NOW - 500, stalls.get(P).waitingSince(), "the refused record waits since the oldest one seen");
        assertNull(stalls.get(Q));

        progress.committed(Map.of(), NOW);
        assertEquals(0, metrics.recordsCopied(), "the aborted copies are forgotten");
        assertEquals(OptionalLong.empty(), translation.translate(Q, 8, 8));
        assertEquals(Map.of(P, 0L, Q, 7L), replicatedUpTo);
        assertEquals(Map.of(P, NOW - 500), waitingSince, "a stalled partition keeps waiting");
    }

    @Test
    void aCheckpointIsDueWhereThePositionMovedOrNoneWasWritten() {
        startAtCheckpoint(P, 4);
        progress.start(Q, TOPIC, StartingPoint.of(null, false, StartingPosition.EARLIEST, 0, 100));
        assertEquals(Map.of(Q, new OffsetAndMetadata(0, CopyCheckpoint.metadata(TOPIC))),
                progress.checkpointsDue(partition -> partition.equals(P) ? 4 : 0));
        assertEquals(Set.of(P, Q), progress.checkpointsDue(partition -> partition.equals(P) ? 5 : 0).keySet());
        assertEquals(Set.of(P), progress.writtenCheckpoints().keySet());
    }

    @Test
    void startsAtTheCheckpointElseAtTheEndOnlyForPartitionsThereAtStartWithLatestElseAtTheBeginning() {
        assertEquals(new StartingPoint(40L, 40, 40, "at the checkpoint on the target"),
                StartingPoint.of(40L, true, StartingPosition.LATEST, 10, 100));
        assertEquals(new StartingPoint(null, 100, 100, "at the end (STARTING_POSITION=latest)"),
                StartingPoint.of(null, true, StartingPosition.LATEST, 10, 100));
        assertEquals(10, StartingPoint.of(null, false, StartingPosition.LATEST, 10, 100).offset(), "a partition added later");
        assertEquals(new StartingPoint(null, 10, 10, "at the beginning"), StartingPoint.of(null, true, StartingPosition.EARLIEST, 10, 100));
    }

    @Test
    void aCheckpointRetentionOvertookStartsAtTheOldestRecordLeftAndIsWrittenAgain() {
        StartingPoint start = StartingPoint.of(4L, true, StartingPosition.EARLIEST, 10, 100);
        assertEquals(10, start.offset());
        assertTrue(start.removedByRetention());
        assertFalse(start.atCheckpoint(), "the checkpoint says 4");
        progress.start(P, TOPIC, start);
        assertEquals(Map.of(P, 4L), replicatedUpTo, "everything before the checkpoint is on the target");
        assertEquals(Set.of(P), progress.checkpointsDue(partition -> 10).keySet());
    }

    @Test
    void aPartitionNoLongerWantedOrOfATopicCreatedAgainIsForgotten() {
        startAtCheckpoint(P, 4);
        startAtCheckpoint(Q, 4);
        stalls.stall(Q, 4, NOW, "refused");
        Uuid recreated = Uuid.randomUuid();
        assertTrue(progress.sameAssignment(Map.of(P, TOPIC, Q, TOPIC)));
        assertFalse(progress.sameAssignment(Map.of(P, recreated)));
        assertEquals(Map.of(P, recreated), progress.reassign(Map.of(P, recreated)));
        assertTrue(progress.isEmpty());
        assertEquals(Map.of(), replicatedUpTo);
        assertNull(stalls.get(Q));
    }
}
