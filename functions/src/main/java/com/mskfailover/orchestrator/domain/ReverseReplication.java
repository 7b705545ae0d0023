package com.mskfailover.orchestrator.domain;

/**
 * The failback's secondary -> primary replicator-task and the wait for its lag to reach zero.
 *
 * @param reused whether a task of the same name was already running (a re-run after a failure) and was kept
 * @param lag    total replication lag at the last check, -1 before the first
 */
public record ReverseReplication(String taskId, String replicatorName, boolean reused, long lag, PollState catchUp) {

    public ReverseReplication afterCheck(long lag, PollState catchUp) {
        return new ReverseReplication(taskId, replicatorName, reused, lag, catchUp);
    }
}
