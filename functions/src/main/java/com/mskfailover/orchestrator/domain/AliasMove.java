package com.mskfailover.orchestrator.domain;

import com.mskfailover.client.BootstrapAliasRecord;

import java.util.List;

/**
 * One submitted change of alias records and the wait for it to be INSYNC.
 *
 * @param previous the records as they were before the change: what an operator restores to undo it
 * @param inSyncAt when a check first saw the change INSYNC (ISO-8601), null before: the failback's drain counts the
 *                 reverse MessageLag only from a minute that began then or later
 */
public record AliasMove(String changeId, MoveTarget target, String clusterArn, List<String> aliases,
                        List<BootstrapAliasRecord> previous, PollState sync, String inSyncAt) {

    public AliasMove(String changeId, MoveTarget target, String clusterArn, List<String> aliases,
                     List<BootstrapAliasRecord> previous, PollState sync) {
        this(changeId, target, clusterArn, aliases, previous, sync, null);
    }

    public AliasMove withSync(PollState sync, java.time.Instant checkedAt) {
        return new AliasMove(changeId, target, clusterArn, aliases, previous, sync,
                inSyncAt != null || !sync.done() ? inSyncAt : checkedAt.toString());
    }
}
