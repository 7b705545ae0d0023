package com.mskfailover.orchestrator.domain;

import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The planned failover's gate before consumers move: the primary quiet, then the forward lag 0 in a figure taken after. */
class ForwardCatchUpCheckTest {

    private static final Plan PLAN = new Plan("failover",
            new ClusterRef("arn:aws:kafka:us-east-1:123456789012:cluster/p/1", "us-east-1", null),
            new ClusterRef("arn:aws:kafka:us-east-2:123456789012:cluster/s/2", "us-east-2", null),
            List.of("customer"), List.of("msk-consumer"), List.of("p"), List.of("c"),
            new Timeouts(30, 60, 60, 30), 300, true, "failback-replicator", 1, "test", false, true, 1);

    private final AtomicReference<Map<String, KafkaInspector.OffsetRange>> primary = new AtomicReference<>(ends(100, 50));
    private OptionalLong lag = OptionalLong.of(0);
    private List<String> membersOnPrimary = List.of();
    private Optional<String> marker = Optional.empty();
    private final Map<String, Map<String, KafkaInspector.CommittedOffset>> commits = new java.util.HashMap<>(Map.of(
            "primary:9098", Map.of(), "secondary:9098", Map.of()));
    private final List<Instant> lagAskedSince = new ArrayList<>();

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-06T10:00:00Z"));

    private final ForwardCatchUpCheck check = new ForwardCatchUpCheck(kafka(), arn -> arn.contains("us-east-1") ? "primary:9098" : "secondary:9098",
            new ForwardReplication() {
        @Override
        public Status status() {
            return new Status(true, 1, "test");
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
            return marker;
        }
    }, clock);

    private static Map<String, KafkaInspector.OffsetRange> ends(long partition0, long partition1) {
        return Map.of("customer-0", new KafkaInspector.OffsetRange(0, partition0), "customer-1", new KafkaInspector.OffsetRange(0, partition1));
    }

    /** The primary's log ends, its groups' members, and both clusters' commits, as the test sets them. */
    private KafkaInspector kafka() {
        return (KafkaInspector) Proxy.newProxyInstance(KafkaInspector.class.getClassLoader(), new Class<?>[]{KafkaInspector.class},
                (proxy, method, args) -> switch (method.getName()) {
                    // The secondary: the same partitions, nobody reading there yet (MSK Replicator mode's handover reads it).
                    case "offsetRanges" -> primary.get();
                    case "activeMembers" -> args[1] instanceof java.util.Collection<?> ? InvocationHandler.invokeDefault(proxy, method, args)
                            : args[0].equals("primary:9098") ? membersOnPrimary : List.of();
                    case "firstOffsetsAtOrAfter" -> {
                        assertEquals("secondary:9098", args[0]);
                        yield Map.of("customer-0", 0L, "customer-1", 0L);
                    }
                    case "committedOffsets" -> args[1] instanceof java.util.Collection<?> ? InvocationHandler.invokeDefault(proxy, method, args)
                            : commits.get((String) args[0]);
                    case "consumersToStop" -> InvocationHandler.invokeDefault(proxy, method, args);
                    default -> throw new AssertionError("the check does not call " + method.getName());
                });
    }

    private ForwardCatchUpCheck.CatchUp after(ForwardCatchUpCheck.CatchUp state, int seconds) {
        clock.advanceSeconds(seconds);
        return check.check(PLAN, state);
    }

    private static ForwardCatchUpCheck.CatchUp starting() {
        return new ForwardCatchUpCheck.CatchUp(new PollState(60, null, 0, false, null), null, null, null, "2026-12-06T09:59:00Z");
    }

    @Test
    void consumersWaitUntilThePrimaryIsQuietAndTheForwardLagReadAfterThatIsZero() {
        var first = after(starting(), 0);
        assertFalse(first.poll().done(), "one look cannot tell whether producers still write");
        assertTrue(lagAskedSince.isEmpty(), "no lag is read before the primary is seen quiet");

        primary.set(ends(105, 50));
        var stillWriting = after(first, 15);
        assertFalse(stillWriting.poll().done());
        assertNull(stillWriting.quietSince());
        assertTrue(stillWriting.poll().detail().contains("still takes records: 5 since the last check"), stillWriting.poll().detail());

        lag = OptionalLong.of(3);
        var quietButBehind = after(stillWriting, 15);
        assertFalse(quietButBehind.poll().done());
        assertEquals("2026-12-06T10:00:15Z", quietButBehind.quietSince(), "quiet since the check that last saw the same log ends");
        assertEquals(List.of(Instant.parse("2026-12-06T10:00:15Z")), lagAskedSince, "only a lag figure from after that counts");
        assertTrue(quietButBehind.poll().detail().contains("forward lag 3 records"), quietButBehind.poll().detail());

        lag = OptionalLong.of(0);
        var caughtUp = after(quietButBehind, 15);
        assertTrue(caughtUp.poll().done(), caughtUp.poll().detail());
        assertEquals("2026-12-06T10:00:15Z", caughtUp.quietSince());
    }

    @Test
    void aRecordOnThePrimaryAfterItWasQuietStartsTheQuietOver() {
        lag = OptionalLong.empty();
        var quiet = after(after(after(starting(), 0), 15), 15);
        assertEquals("2026-12-06T10:00:00Z", quiet.quietSince());
        assertFalse(quiet.poll().done(), "no lag figure since the primary went quiet: not done");
        assertTrue(quiet.poll().detail().contains("not reported since then yet"), quiet.poll().detail());

        primary.set(ends(100, 51));
        lag = OptionalLong.of(0);
        var writtenAgain = after(quiet, 15);
        assertFalse(writtenAgain.poll().done(), "a lag of 0 means nothing while records still arrive");
        assertNull(writtenAgain.quietSince());
        assertEquals("2026-12-06T10:00:45Z", after(writtenAgain, 15).quietSince());
    }

    @Test
    void consumersMoveOnlyOnceTheyStoppedOnThePrimaryAndTheirLastCommitIsOnTheSecondary() {
        marker = Optional.of("replicator-task");
        membersOnPrimary = List.of("consumer-1@/10.0.0.7");
        var quiet = after(after(starting(), 0), 15);
        assertFalse(quiet.poll().done(), "a consumer still reads the primary");
        assertTrue(quiet.poll().detail().contains("group msk-consumer still has 1 active member(s) on the primary [consumer-1@/10.0.0.7]: stop"),
                quiet.poll().detail());

        membersOnPrimary = List.of();
        commits.put("primary:9098", Map.of("customer-0", new KafkaInspector.CommittedOffset(7, "")));
        commits.put("secondary:9098", Map.of("customer-0", new KafkaInspector.CommittedOffset(5,
                com.mskfailover.contract.CommitMetadata.synced("replicator-task", 5))));
        var notSynced = after(quiet, 15);
        assertFalse(notSynced.poll().done(), "its last commit (7) is not on the secondary yet");
        assertTrue(notSynced.poll().detail().contains("msk-consumer customer-0"), notSynced.poll().detail());

        commits.put("secondary:9098", Map.of("customer-0", new KafkaInspector.CommittedOffset(9,
                com.mskfailover.contract.CommitMetadata.synced("replicator-task", 7))));
        var handedOver = after(notSynced, 15);
        assertTrue(handedOver.poll().done(), handedOver.poll().detail());
        assertTrue(handedOver.poll().detail().contains("stopped on the primary, their offsets synced onto the secondary"), handedOver.poll().detail());
    }

    @Test
    void producersThatNeverLeaveThePrimaryEndTheWaitAtItsDeadlineSayingSo() {
        var state = after(starting(), 0);
        for (int i = 1; i <= 3; i++) {
            primary.set(ends(100 + i, 50));
            state = after(state, 15);
        }
        primary.set(ends(200, 50));
        var last = state;
        var timedOut = assertThrows(WaitTimedOutException.class, () -> after(last, 15));
        assertTrue(timedOut.getMessage().contains("the primary still takes records: 97 since the last check"), timedOut.getMessage());
        assertTrue(timedOut.getMessage().contains("after 60 s"), timedOut.getMessage());
    }
}
