package com.mskfailover.orchestrator.domain;

import java.util.List;

/**
 * The failback's secondary -> primary replicator-tasks (sharing the flow's lanes) and the wait for its lag to reach zero.
 *
 * @param reused whether tasks of the same name were already running (a re-run after a failure) and were kept
 * @param lag    total replication lag at the last check, -1 before the first
 */
public record ReverseReplication(List<String> taskIds, String replicatorName, boolean reused, long lag, PollState catchUp) {

    public ReverseReplication {
        taskIds = taskIds == null ? null : List.copyOf(taskIds);
    }

    public ReverseReplication afterCheck(long lag, PollState catchUp) {
        return new ReverseReplication(taskIds, replicatorName, reused, lag, catchUp);
    }
}
