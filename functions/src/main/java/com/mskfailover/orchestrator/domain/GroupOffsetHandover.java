package com.mskfailover.orchestrator.domain;

import com.mskfailover.contract.CommitMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether the reverse replication has carried a group's committed offsets from the secondary to the primary, so
 * that consumers moved to the primary resume exactly where they stopped. Without this check, consumers could move
 * in the moment between their last commit on the secondary and the replicator's next offset sync, and re-read.
 *
 * <p>The contract with replicator-task: an offset it syncs onto a target carries the metadata
 * {@code mskfailover:synced:<REPLICATOR_NAME>:<source offset>}. A partition is handed over when the primary's commit
 * says the reverse replicator synced exactly the secondary's committed offset, or when there is nothing to hand over:
 * the group read nothing of that partition on the secondary (offset 0), or its commit there is itself a sync from the
 * primary (the consumers did not commit on the secondary since failover, so the primary's own offset stands).
 *
 * <p>A reverse MSK Replicator leaves no such metadata (and is created without offset sync, see README). For it the
 * handover is computed from the records themselves ({@link RecordAlignment}) and committed with
 * {@link #handoverMetadata}.
 */
public final class GroupOffsetHandover {

    private GroupOffsetHandover() {
    }

    /** The partitions (with what each side has) whose offsets are not on the primary yet; empty when handed over. */
    public static List<String> notHandedOver(String group, String reverseReplicatorName,
                                             Map<String, KafkaInspector.CommittedOffset> onSecondary,
                                             Map<String, KafkaInspector.CommittedOffset> onPrimary) {
        List<String> pending = new ArrayList<>();
        onSecondary.forEach((partition, secondary) -> {
            if (secondary.offset() == 0 || CommitMetadata.isSynced(secondary.metadata())) {
                return;
            }
            KafkaInspector.CommittedOffset primary = onPrimary.get(partition);
            if (primary == null || !primary.metadata().equals(CommitMetadata.synced(reverseReplicatorName, secondary.offset()))) {
                pending.add(group + " " + partition + ": secondary at " + secondary.offset() + ", primary "
                        + (primary == null ? "has no commit" : "at " + primary.offset() + " (" + describe(primary.metadata()) + ")"));
            }
        });
        return pending.stream().sorted().toList();
    }

    /** The metadata of a commit the failback's handover made on the primary (MSK Replicator reverse flow). */
    public static String handoverMetadata(long secondaryOffset) {
        return "mskfailover:handover:" + secondaryOffset;
    }

    private static String describe(String metadata) {
        return metadata.isEmpty() ? "committed by consumers" : metadata;
    }
}
