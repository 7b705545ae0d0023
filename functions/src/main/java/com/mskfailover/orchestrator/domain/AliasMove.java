package com.mskfailover.orchestrator.domain;

import com.mskfailover.client.BootstrapAliasRecord;

import java.util.List;

/**
 * One submitted change of alias records and the wait for it to be INSYNC.
 *
 * @param previous the records as they were before the change: what an operator restores to undo it
 */
public record AliasMove(String changeId, MoveTarget target, String clusterArn, List<String> aliases,
                        List<BootstrapAliasRecord> previous, PollState sync) {

    public AliasMove withSync(PollState sync) {
        return new AliasMove(changeId, target, clusterArn, aliases, previous, sync);
    }
}
