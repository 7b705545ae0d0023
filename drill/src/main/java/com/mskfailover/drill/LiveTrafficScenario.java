package com.mskfailover.drill;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.local.wait.Polling;
import com.mskfailover.orchestrator.local.RecordingNotifier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;

/**
 * The applications work throughout an alarm-triggered failover and then a failback. Two producers write numbered
 * records through the producer alias (3 every 100 ms each) and are restarted when the operators are told to (they
 * then resolve the alias again); msk-consumer reads through the consumer alias, committing as it goes, stopped and
 * started when told. One straggler producer is restarted with the others after the failover (no producer can write to
 * a dead primary) but never again: at the failback's "restart producers now" it keeps its connection to the secondary.
 * The quiet gate then never sees the secondary quiet and the failback gives up naming it (producer id, partition, last
 * write); the operators stop it, as the runbook says for a producer that cannot be restarted onto the alias, and start
 * the failback again with the same input, which finishes. At the end every record is accounted for: each acknowledged
 * one read by msk-consumer and on the primary, none on the secondary only, re-reads checked against the runbook's bounds.
 */
final class LiveTrafficScenario implements Scenario {

    /** The failback's gates and drain (consumerDrainSeconds): how long the straggler holds the first execution. */
    static final int GATE_SECONDS = 10;
    /** The rerun's drain: longer than a consumer session (45 s by default) the restarted primary may still hold. */
    private static final int RERUN_DRAIN_SECONDS = 90;
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final String BEFORE_FAILOVER = "primary, before the failover";
    private static final String AFTER_FAILOVER = "secondary, after the failover";
    private static final String AFTER_FAILBACK = "primary, after the failback";

    @Override
    public String name() {
        return "live-traffic";
    }

    @Override
    public String summary() {
        return "producers and msk-consumer work throughout a failover and a failback (restarted when told, one straggler that never "
                + "re-resolves): every record accounted for, re-reads within the runbook's bounds, pauses measured";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.setUp(1);
        int setUpMessages = run.lastMessage();
        ExecutorService people = Executors.newSingleThreadExecutor();
        List<String> done = new CopyOnWriteArrayList<>();
        try (LiveTraffic apps = new LiveTraffic(run.controlPlane, run.lastMessage())) {
            run.controlPlane.onNotification(told -> people.submit(() -> act(told, apps, done)));
            apps.consumer.start(BEFORE_FAILOVER);
            run.report.step("Producers a, b and the straggler write through the producer alias, msk-consumer reads through its alias", () -> {
                awaitWorking(apps, apps.producers(), BEFORE_FAILOVER);
                return apps.acked().cardinality() + " acknowledged, " + apps.consumer.reads().size() + " read";
            });

            long impairedAt = System.currentTimeMillis();
            run.impairPrimary();
            // The primary is dead: the forward flow syncs no commit any more. What it synced bounds the failover's re-reads.
            Map<TopicPartition, Long> syncedAtImpairment = run.report.step("Read msk-consumer's offsets on the secondary (what the forward flow synced)",
                    () -> run.secondary.clients().committedOffsets(Drill.GROUP));
            run.expectSucceeded("failover", run.failover());
            run.report.step("The operators, told the failover succeeded, restart every producer and msk-consumer: at work on the secondary", () -> {
                Polling.until("every producer connected to the secondary", SETTLE, () -> apps.producers().stream()
                        .allMatch(producer -> producer.connections().getLast().equals(run.secondary.bootstrapServers())));
                awaitWorking(apps, apps.producers(), AFTER_FAILOVER);
                return done;
            });
            long failoverOverAt = System.currentTimeMillis();
            run.recoverPrimary();

            long failbackAt = System.currentTimeMillis();
            UnaryOperator<ObjectNode> shortGates = input -> {
                input.withObjectProperty("timeouts").put("consumerDrainSeconds", GATE_SECONDS);
                return input;
            };
            ExecutionResult held = run.report.step("Start the failback (consumerDrainSeconds " + GATE_SECONDS + "); the operators restart producers a and b when told",
                    () -> run.controlPlane.runFailback("failback-drill", shortGates));
            run.report.execution("Failback (the straggler writing)", held);
            String heldCause = held.lastRun("CheckSecondaryQuiet").map(state -> state.error() + ": " + state.cause()).orElse("not run");
            run.report.expect("the quiet gate held the failback and gave up naming who still writes (partition, producer id, last write)",
                    !held.succeeded() && heldCause.contains("WaitTimedOutException") && heldCause.matches("(?s).*customer-[0-2] producer id \\d+ \\(last write 20.*"),
                    heldCause);
            run.report.expect("the consumers stayed on the secondary with the straggler's records, the reverse flow kept running",
                    "secondary".equals(run.controlPlane.aliasTarget(LocalControlPlane.CONSUMER_ALIAS)) && held.lastRun("StopReverseReplication").isEmpty(),
                    run.controlPlane.aliasTargets() + " " + held.statePath());
            run.report.expect("producers a and b were restarted onto the primary when told, the straggler still writes to the secondary",
                    apps.restartable().stream().allMatch(producer -> producer.connections().getLast().equals(run.primary.bootstrapServers()))
                            && apps.straggler.connections().getLast().equals(run.secondary.bootstrapServers()), done);
            run.report.step("The operators read the failure: the straggler is the producer they could not restart onto the alias; they stop it", () -> {
                apps.straggler.close();
                return apps.straggler.ackedCount() + " acknowledged, " + apps.straggler.failed().cardinality() + " failed";
            });
            // The rerun's drain may wait out a member of msk-consumer the restarted primary remembers from before its crash
            // (it counts as active until its session times out, 45 s by default): the handover onto the primary needs none.
            UnaryOperator<ObjectNode> rerunGates = input -> {
                input.withObjectProperty("timeouts").put("consumerDrainSeconds", RERUN_DRAIN_SECONDS);
                return input;
            };
            ExecutionResult failback = run.report.step("Start the failback again (consumerDrainSeconds " + RERUN_DRAIN_SECONDS
                            + ": a member the primary remembers from before its crash expires within it)",
                    () -> run.controlPlane.runFailback("failback-drill-rerun", rerunGates));
            run.report.execution("Failback", failback);
            run.failbackSucceeded(failback);
            run.report.step("Producers a and b write to the primary, msk-consumer reads there", () -> {
                awaitWorking(apps, apps.restartable(), AFTER_FAILBACK);
                return done;
            });
            long failbackOverAt = System.currentTimeMillis();
            run.report.step("Stop the producers; msk-consumer reads until it has read every acknowledged record", () -> {
                for (LiveProducer producer : apps.restartable()) {
                    producer.close();
                }
                BitSet acked = apps.acked();
                Polling.until("msk-consumer read every acknowledged record", SETTLE, () -> {
                    BitSet unread = (BitSet) acked.clone();
                    unread.andNot(apps.read());
                    return unread.isEmpty();
                });
                apps.consumer.stop();
                return acked.cardinality() + " acknowledged, all read";
            });
            account(run, apps, setUpMessages, syncedAtImpairment);
            pauses(run, apps, impairedAt, failoverOverAt, failbackAt, failbackOverAt);
        } finally {
            people.shutdownNow();
        }
        run.report.figure("aliases (producers, consumers)", run.controlPlane.aliasTarget(LocalControlPlane.PRODUCER_ALIAS) + ", "
                + run.controlPlane.aliasTarget(LocalControlPlane.CONSUMER_ALIAS));
        run.report.figure("operators were told", run.controlPlane.notifications().stream().map(RecordingNotifier.Notification::subject).toList());
        run.report.expect("every fault of the scenario was injected", run.controlPlane.faultFailures().isEmpty(), run.controlPlane.faultFailures());
    }

    /** What the operators do on each notification (the runbook's "Failback with the applications working"). */
    private static void act(RecordingNotifier.Notification told, LiveTraffic apps, List<String> done) {
        try {
            String subject = told.subject();
            if (subject.equals("MSK failover succeeded")) {
                apps.producers().forEach(LiveProducer::restart);
                apps.consumer.stop();
                apps.consumer.start(AFTER_FAILOVER);
                done.add("failover: restarted every producer and msk-consumer");
            } else if (subject.endsWith("restart producers now")) {
                apps.restartable().forEach(LiveProducer::restart);
                done.add("failback: restarted producers a and b (not the straggler)");
            } else if (subject.endsWith("stop consumers on the secondary now")) {
                apps.consumer.stop();
                done.add("failback: stopped msk-consumer");
            } else if (subject.endsWith("start consumers on the primary now")) {
                apps.consumer.start(AFTER_FAILBACK);
                done.add("failback: started msk-consumer");
            }
        } catch (Exception e) {
            done.add("failed to act on '" + told.subject() + "': " + e);
        }
    }

    /** Polls until each producer has 20 more records acknowledged and msk-consumer read 20 in its run {@code consumerRun}. */
    private static void awaitWorking(LiveTraffic apps, List<LiveProducer> producers, String consumerRun) {
        Map<LiveProducer, Integer> before = new java.util.HashMap<>();
        producers.forEach(producer -> before.put(producer, producer.ackedCount()));
        Polling.until("the producers writing and msk-consumer reading (" + consumerRun + ")", SETTLE, () ->
                producers.stream().allMatch(producer -> producer.ackedCount() >= before.get(producer) + 20)
                        && apps.consumer.reads().stream().filter(read -> read.run().equals(consumerRun)).count() >= 20);
    }

    /** The end-to-end account: lost, stranded, written twice, read again, each against what the runbook guarantees. */
    private static void account(DrillRun run, LiveTraffic apps, int setUpMessages, Map<TopicPartition, Long> syncedAtImpairment) throws Exception {
        BitSet acked = apps.acked();
        acked.set(1, setUpMessages + 1); // the set-up's messages, acknowledged too
        BitSet failed = apps.failed();
        BitSet read = apps.read();
        read.set(1, setUpMessages + 1); // read in the set-up, before msk-consumer's live runs
        Map<Integer, Integer> onPrimary = LiveTraffic.counts(run.primary.clients().readAll(Drill.TOPIC));
        List<ConsumerRecord<String, String>> secondaryRecords = run.secondary.clients().readAll(Drill.TOPIC);
        Map<Integer, ConsumerRecord<String, String>> placesOnSecondary = LiveTraffic.places(secondaryRecords);
        Map<Integer, Integer> onSecondary = LiveTraffic.counts(secondaryRecords);

        BitSet notRead = (BitSet) acked.clone();
        notRead.andNot(read);
        BitSet notOnPrimary = (BitSet) acked.clone();
        onPrimary.keySet().forEach(notOnPrimary::clear);
        BitSet stranded = new BitSet();
        onSecondary.keySet().stream().filter(number -> !onPrimary.containsKey(number)).forEach(stranded::set);
        List<Integer> unknown = onPrimary.keySet().stream().filter(number -> number < 0 || !acked.get(number) && !failed.get(number)).toList();
        BitSet failedWritten = (BitSet) failed.clone();
        failedWritten.and(keys(onPrimary, onSecondary));
        long twiceOnPrimary = onPrimary.values().stream().mapToLong(count -> count - 1).sum();
        long twiceOnSecondary = onSecondary.values().stream().mapToLong(count -> count - 1).sum();

        run.report.figure("records produced: acknowledged / failed (told to the application)", acked.cardinality() + " / " + failed.cardinality());
        run.report.figure("failed records written anyway (on a cluster)", failedWritten.cardinality());
        run.report.figure("records on the primary / secondary", onPrimary.size() + " / " + onSecondary.size());
        run.report.figure("lost: not read by msk-consumer / not on the primary", notRead.cardinality() + " / " + notOnPrimary.cardinality());
        run.report.figure("stranded: on the secondary only", stranded.cardinality());
        run.report.figure("duplicated on the primary / secondary", twiceOnPrimary + " / " + twiceOnSecondary);
        run.report.expect("0 lost: every acknowledged record was read by msk-consumer", notRead.isEmpty(), notRead.cardinality() + LiveTraffic.sample(notRead));
        run.report.expect("0 lost: every acknowledged record is on the primary", notOnPrimary.isEmpty(), notOnPrimary.cardinality() + LiveTraffic.sample(notOnPrimary));
        run.report.expect("0 stranded: no record is on the secondary only", stranded.isEmpty(), stranded.cardinality() + LiveTraffic.sample(stranded));
        run.report.expect("no record on the primary that no producer sent", unknown.isEmpty(), unknown);
        run.report.expect("no record twice on the primary (the reverse flow copies each once)", twiceOnPrimary == 0, twiceOnPrimary);

        BitSet readOnThePrimary = new BitSet();
        apps.consumer.reads().stream().filter(r -> r.run().equals(BEFORE_FAILOVER)).forEach(r -> readOnThePrimary.set(r.number()));
        BitSet mayReRead = LiveTraffic.mayReReadAfterFailover(readOnThePrimary, syncedAtImpairment, placesOnSecondary);
        LiveTraffic.ReReads afterFailover = apps.reReadIn(AFTER_FAILOVER);
        LiveTraffic.ReReads afterFailback = apps.reReadIn(AFTER_FAILBACK);
        BitSet beyondBound = (BitSet) afterFailover.numbers().clone();
        beyondBound.andNot(mayReRead);
        run.report.figure("re-reads after the failover (bound: read on the primary after the last synced commit)",
                afterFailover.reads() + " (bound " + mayReRead.cardinality() + ")");
        run.report.figure("re-reads after the failback (bound 0)", afterFailback.reads());
        run.report.figure("re-reads by msk-consumer at the end", afterFailback.reads());
        run.report.expect("after the failover msk-consumer re-read only records it had read on the primary after the last commit the forward flow synced",
                beyondBound.isEmpty(), beyondBound.cardinality() + LiveTraffic.sample(beyondBound));
        run.report.expect("after the failback msk-consumer re-read nothing (it committed what it read before it stopped)",
                afterFailback.reads() == 0, afterFailback.reads() + LiveTraffic.sample(afterFailback.numbers()));
        run.report.figure("msk-consumer's commits that failed (what it read since is read again)", apps.consumer.failedCommits());
    }

    private static BitSet keys(Map<Integer, Integer> first, Map<Integer, Integer> second) {
        BitSet keys = new BitSet();
        first.keySet().stream().filter(number -> number >= 0).forEach(keys::set);
        second.keySet().stream().filter(number -> number >= 0).forEach(keys::set);
        return keys;
    }

    /** How long the applications were paused: from their first failed or blocked moment to their first success after. */
    private static void pauses(DrillRun run, LiveTraffic apps, long impairedAt, long failoverOverAt, long failbackAt, long failbackOverAt) {
        long producersInFailover = apps.producers().stream().mapToLong(producer -> producer.longestPauseMs(impairedAt, failoverOverAt)).max().orElse(0);
        long producersInFailback = apps.restartable().stream().mapToLong(producer -> producer.longestPauseMs(failbackAt, failbackOverAt)).max().orElse(0);
        run.report.figure("producers paused: failover / failback (longest, ms)", producersInFailover + " / " + producersInFailback);
        run.report.figure("msk-consumer paused: failover / failback (longest, ms)",
                apps.consumer.longestPauseMs(impairedAt, failoverOverAt) + " / " + apps.consumer.longestPauseMs(failbackAt, failbackOverAt));
        run.report.figure("straggler: failed writes during the outage", apps.straggler.failed().cardinality());
    }
}
