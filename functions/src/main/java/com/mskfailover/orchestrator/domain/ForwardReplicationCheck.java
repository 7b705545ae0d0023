package com.mskfailover.orchestrator.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * The last step of failback: the forward flow primary -> secondary is running and keeps up, judged by what it is, not
 * by the traffic of the hour. Healthy when it runs and either moves records or has nothing left to move (lag 0 in a
 * figure taken since this verification began: a quiet primary at night passes, a flow that runs but copies nothing while
 * records wait does not). With {@code requireForwardThroughput} it must move records as well.
 */
public final class ForwardReplicationCheck {

    private final ForwardReplication forwardReplication;
    private final Clock clock;

    public ForwardReplicationCheck(ForwardReplication forwardReplication, Clock clock) {
        this.forwardReplication = forwardReplication;
        this.clock = clock;
    }

    public PollState verify(Plan plan, PollState poll) {
        ForwardReplication.Status status = forwardReplication.status();
        boolean moving = status.throughputPerSecond() > 0;
        // The first check fixes the deadline: a figure from before it says nothing of the flow as the failback left it.
        Instant verificationBegan = poll.deadline() == null
                ? clock.instant() : Instant.parse(poll.deadline()).minusSeconds(poll.timeoutSeconds());
        OptionalLong lag = status.running() ? forwardReplication.messageLag(verificationBegan) : OptionalLong.empty();
        boolean caughtUp = lag.isPresent() && lag.getAsLong() == 0;
        boolean healthy = status.running() && (plan.requireForwardThroughput() ? moving : moving || caughtUp);
        String seen = (status.running() ? "running" : "not running") + ", " + status.throughputPerSecond() + "/s, lag "
                + (lag.isPresent() ? String.valueOf(lag.getAsLong()) : "not known since " + verificationBegan) + ": " + status.detail();
        return poll.afterCheck(healthy, seen, "the forward replication primary -> secondary to run"
                + (plan.requireForwardThroughput() ? " with throughput" : " and either copy records or have none left to copy"), clock);
    }
}
