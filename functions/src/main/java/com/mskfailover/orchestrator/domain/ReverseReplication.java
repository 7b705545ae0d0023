package com.mskfailover.orchestrator.domain;

import java.util.List;

/**
 * The failback's secondary -> primary replicator-tasks (sharing the flow's lanes) and the wait for its lag to reach zero.
 *
 * @param reused       whether tasks of the same name were already running (a re-run after a failure) and were kept
 * @param lag          total replication lag at the last check, -1 before the first
 * @param runningSince MSK Replicator mode: when this execution first saw the replicator RUNNING (ISO-8601; null
 *                     before, and again while it is not RUNNING): only MessageLag from a minute that began then or
 *                     later counts
 * @param progress     the catch-up so far: starting lag, share copied, rate, time left (null before a first figure)
 * @param secondaryEnds the secondary's log end offsets at the last check ({@code topic-partition}): the catch-up is done
 *                     once everything below them is copied, lag 0 or not (producers still writing there)
 */
public record ReverseReplication(List<String> taskIds, String replicatorName, boolean reused, long lag, PollState catchUp,
                                 String runningSince, CatchUpProgress progress, java.util.Map<String, Long> secondaryEnds) {

    public ReverseReplication {
        taskIds = taskIds == null ? null : List.copyOf(taskIds);
    }

    public ReverseReplication(List<String> taskIds, String replicatorName, boolean reused, long lag, PollState catchUp) {
        this(taskIds, replicatorName, reused, lag, catchUp, null, null, null);
    }

    public ReverseReplication afterCheck(long lag, PollState catchUp) {
        return new ReverseReplication(taskIds, replicatorName, reused, lag, catchUp, runningSince, progress, secondaryEnds);
    }

    public ReverseReplication runningSince(String runningSince) {
        return new ReverseReplication(taskIds, replicatorName, reused, lag, catchUp, runningSince, progress, secondaryEnds);
    }

    public ReverseReplication withProgress(CatchUpProgress progress) {
        return new ReverseReplication(taskIds, replicatorName, reused, lag, catchUp, runningSince, progress, secondaryEnds);
    }

    public ReverseReplication withSecondaryEnds(java.util.Map<String, Long> secondaryEnds) {
        return new ReverseReplication(taskIds, replicatorName, reused, lag, catchUp, runningSince, progress, secondaryEnds);
    }
}
