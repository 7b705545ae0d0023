package com.mskfailover.orchestrator.domain;

import java.time.Clock;

/** The last step of failback: the forward flow primary -> secondary is running (and moving records, if required). */
public final class ForwardReplicationCheck {

    private final ForwardReplication forwardReplication;
    private final Clock clock;

    public ForwardReplicationCheck(ForwardReplication forwardReplication, Clock clock) {
        this.forwardReplication = forwardReplication;
        this.clock = clock;
    }

    public PollState verify(Plan plan, PollState poll) {
        ForwardReplication.Status status = forwardReplication.status();
        boolean healthy = status.running() && (!plan.requireForwardThroughput() || status.throughputPerSecond() > 0);
        String seen = (status.running() ? "running" : "not running") + ", " + status.throughputPerSecond() + "/s: " + status.detail();
        return poll.afterCheck(healthy, seen, "the forward replication primary -> secondary to run"
                + (plan.requireForwardThroughput() ? " with throughput" : ""), clock);
    }
}
