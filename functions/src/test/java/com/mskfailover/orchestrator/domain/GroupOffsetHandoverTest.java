package com.mskfailover.orchestrator.domain;

import com.mskfailover.contract.CommitMetadata;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GroupOffsetHandoverTest {

    private static KafkaInspector.CommittedOffset consumerCommit(long offset) {
        return new KafkaInspector.CommittedOffset(offset, "");
    }

    private static KafkaInspector.CommittedOffset synced(String replicator, long targetOffset, long sourceOffset) {
        return new KafkaInspector.CommittedOffset(targetOffset, CommitMetadata.synced(replicator, sourceOffset));
    }

    @Test
    void handedOverWhenThePrimaryHoldsTheReverseSyncOfExactlyTheSecondaryCommit() {
        var onSecondary = Map.of("customer-0", consumerCommit(2), "customer-1", consumerCommit(0),
                "customer-2", synced("replicator-task", 1, 1));
        var onPrimary = Map.of("customer-0", synced("failback-replicator", 2, 2), "customer-2", consumerCommit(1));

        assertEquals(List.of(), GroupOffsetHandover.notHandedOver("msk-consumer", "failback-replicator", onSecondary, onPrimary));
    }

    @Test
    void notHandedOverWhileThePrimaryHasAnOlderOrForeignCommit() {
        var onSecondary = Map.of("customer-0", consumerCommit(3), "customer-1", consumerCommit(5));
        var onPrimary = Map.of("customer-0", synced("failback-replicator", 2, 2), "customer-1", consumerCommit(4));

        assertEquals(List.of(
                        "msk-consumer customer-0: secondary at 3, primary at 2 (mskfailover:synced:failback-replicator:2)",
                        "msk-consumer customer-1: secondary at 5, primary at 4 (committed by consumers)"),
                GroupOffsetHandover.notHandedOver("msk-consumer", "failback-replicator", onSecondary, onPrimary));
        assertEquals(List.of("g customer-0: secondary at 3, primary has no commit"),
                GroupOffsetHandover.notHandedOver("g", "failback-replicator", Map.of("customer-0", consumerCommit(3)), Map.of()));
    }

    /** Records named by their content: the same name on both clusters is a record and its copy. */
    private static List<KafkaInspector.RecordFingerprint> log(long first, String... contents) {
        java.util.List<KafkaInspector.RecordFingerprint> records = new java.util.ArrayList<>();
        for (int i = 0; i < contents.length; i++) {
            records.add(new KafkaInspector.RecordFingerprint(first + i, contents[i].hashCode(), false));
        }
        return records;
    }

    @Test
    void aPartitionWithNoRecordDuringTheFailoverKeepsThePrimaryCommitItHas() {
        // primary [m2], the group committed 1 there; the secondary holds the copy of m2 only, read by the group.
        assertEquals(1, GroupOffsetHandover.alignedPosition(1, log(1), log(0, "m2")));
    }

    @Test
    void recordsWrittenOnTheSecondaryAndCopiedBackAreSkippedOnlyIfReadThere() {
        // primary [m1, copy of m3, copy of m5]; the group read m1 on the primary, m3 but not m5 on the secondary.
        var primary = log(0, "m1", "m3", "m5");
        assertEquals(2, GroupOffsetHandover.alignedPosition(1, primary.subList(1, 3), log(0, "m1", "m3")));
        assertEquals(3, GroupOffsetHandover.alignedPosition(1, primary.subList(1, 3), log(0, "m1", "m3", "m5")));
        // No commit on the primary: from its log start.
        assertEquals(3, GroupOffsetHandover.alignedPosition(0, primary, log(0, "m1", "m3", "m5")));
    }

    @Test
    void theIssuesInterleavingResumesAfterEverythingReadAndNeverPastAnUnreadRecord() {
        // Issue 10, point 2: primary [o0,o1,o2,L0,L1,N0,N1], secondary [o0,o1,o2,N0,N1,L0,L1]; the group read o0..o2 on the primary.
        var primary = log(3, "L0", "L1", "N0", "N1");
        assertEquals(7, GroupOffsetHandover.alignedPosition(3, primary, log(0, "o0", "o1", "o2", "N0", "N1", "L0", "L1")));
        // It read N0 and N1 on the secondary but not L0, L1 (never replicated before the outage): it resumes at L0.
        assertEquals(3, GroupOffsetHandover.alignedPosition(3, primary, log(0, "o0", "o1", "o2", "N0", "N1")));
    }

    @Test
    void aRecordCopiedTwiceIsMatchedOncePerCopyRead() {
        // At-least-once: the primary holds two copies of x, the group read x once on the secondary: the second is unread.
        assertEquals(6, GroupOffsetHandover.alignedPosition(5, log(5, "x", "x"), log(0, "x")));
        assertEquals(7, GroupOffsetHandover.alignedPosition(5, log(5, "x", "x"), log(0, "x", "x")));
    }
}
