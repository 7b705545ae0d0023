package com.mskfailover.orchestrator.domain;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The failback's last step judges the forward flow by what it is (running, keeping up), not by the hour's traffic. */
class ForwardReplicationCheckTest {

    private static final Instant BEGAN = Instant.parse("2026-12-07T03:00:00Z");

    private final SettableClock clock = new SettableClock(BEGAN);

    private boolean running = true;
    private double throughput;
    /** The lag a figure taken at or after the instant asked for says, or empty when no such figure exists. */
    private OptionalLong lag = OptionalLong.empty();
    private final List<Instant> lagAskedSince = new ArrayList<>();

    private final ForwardReplicationCheck check = new ForwardReplicationCheck(new ForwardReplication() {
        @Override
        public Status status() {
            return new Status(running, throughput, "forward flow");
        }

        @Override
        public java.util.List<MetricDatapoint> latencyBefore(Instant until, Duration lookback) {
            return java.util.List.of();
        }

        @Override
        public OptionalLong messageLag(Instant since) {
            lagAskedSince.add(since);
            return lag;
        }

        @Override
        public Optional<String> offsetSyncMarker() {
            return Optional.empty();
        }
    }, clock);

    @Test
    void aQuietPrimaryAtNightPassesOnceAFigureTakenSinceTheVerificationBeganSaysLagZero() {
        PollState first = check.verify(plan(false), starting());
        assertFalse(first.done(), "no figure since the verification began yet: " + first.detail());

        clock.set(BEGAN.plusSeconds(90));
        lag = OptionalLong.of(0);
        PollState second = check.verify(plan(false), first);
        assertTrue(second.done(), second.detail());
        assertEquals(List.of(BEGAN, BEGAN), lagAskedSince, "every check asks for figures since the first check, not since its own");
    }

    @Test
    void aFlowThatRunsButCopiesNothingWhileRecordsWaitNeverPassesAndTimesOutNamingIt() {
        lag = OptionalLong.of(42);
        PollState poll = check.verify(plan(false), starting());
        assertFalse(poll.done());
        clock.set(BEGAN.plusSeconds(31));
        PollState last = poll;
        WaitTimedOutException timedOut = assertThrows(WaitTimedOutException.class, () -> check.verify(plan(false), last));
        assertTrue(timedOut.getMessage().contains("lag 42"), timedOut.getMessage());
    }

    @Test
    void aFlowThatMovesRecordsPassesWhateverItsLag() {
        throughput = 120;
        lag = OptionalLong.of(7);
        assertTrue(check.verify(plan(false), starting()).done());
    }

    @Test
    void aFlowThatDoesNotRunNeverPassesEvenAtLagZero() {
        running = false;
        lag = OptionalLong.of(0);
        assertFalse(check.verify(plan(false), starting()).done());
    }

    @Test
    void requireForwardThroughputAsksForRecordsMovingAsWell() {
        lag = OptionalLong.of(0);
        assertFalse(check.verify(plan(true), starting()).done());
        throughput = 1;
        assertTrue(check.verify(plan(true), starting()).done());
    }

    private static PollState starting() {
        return new PollState(30, null, 0, false, "not checked yet");
    }

    private static Plan plan(boolean requireForwardThroughput) {
        return new Plan("failback",
                new ClusterRef("arn:aws:kafka:us-east-1:123456789012:cluster/p/1", "us-east-1", null),
                new ClusterRef("arn:aws:kafka:us-east-2:123456789012:cluster/s/2", "us-east-2", null),
                List.of("customer"), List.of("msk-consumer"), List.of("p"), List.of("c"),
                new Timeouts(30, 60, 60, 30), 0, requireForwardThroughput, "failback-replicator", 1, "test", false, false, 0);
    }
}
