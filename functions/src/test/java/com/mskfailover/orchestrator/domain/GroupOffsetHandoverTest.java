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
}
