package com.mskfailover.contract;

import java.util.Optional;

/**
 * The metadata replicator-task writes with the offsets it commits, which other flows and the orchestrator read:
 * <ul>
 *   <li>{@code mskfailover:replicator:<source topic id>}: a replicator's own position (group {@code REPLICATOR_NAME}
 *       on the source, the lag contract; and its checkpoint on the target). Other flows never sync such a group.</li>
 *   <li>{@code mskfailover:synced:<REPLICATOR_NAME>:<source offset>}: an application group's offset translated by
 *       that flow from the source commit at that offset. A flow never translates such an offset back, and the
 *       failback moves consumers only once the primary holds the sync of their last commit on the secondary.</li>
 * </ul>
 */
public final class CommitMetadata {

    public static final String REPLICATOR_PREFIX = "mskfailover:replicator:";
    public static final String SYNCED_PREFIX = "mskfailover:synced:";

    private CommitMetadata() {
    }

    public static String replicatorPosition(String sourceTopicId) {
        return REPLICATOR_PREFIX + sourceTopicId;
    }

    public static boolean isReplicatorPosition(String metadata) {
        return metadata != null && metadata.startsWith(REPLICATOR_PREFIX);
    }

    /** The source topic id a replicator position names, if the metadata is one. */
    public static Optional<String> sourceTopicIdOf(String metadata) {
        return isReplicatorPosition(metadata) ? Optional.of(metadata.substring(REPLICATOR_PREFIX.length())) : Optional.empty();
    }

    public static String synced(String replicatorName, long sourceOffset) {
        return SYNCED_PREFIX + replicatorName + ":" + sourceOffset;
    }

    public static boolean isSynced(String metadata) {
        return metadata != null && metadata.startsWith(SYNCED_PREFIX);
    }
}
