package com.mskfailover.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.mskfailover.local.wait.Polling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Two of three AZs lost on 3-broker clusters shaped like MSK's (replication factor 3, min.insync.replicas 2): the
 * primary's last broker answers every probe, yet no acks=all write succeeds. The probe alone would veto a failover;
 * the canary's alarm reaches DetectImpairment, which fails over on the canary and the primary Region's figures
 * (decision table row 6). Then the brokers come back and the failback finishes: nothing lost, duplicated or re-read.
 */
final class OfflinePartitionsScenario implements Scenario {

    /** PrimaryNotWritableAlarm goes to ALARM on 3 datapoints of 3 (template.yaml): each probe here stands for a minute's. */
    static final int DATAPOINTS_TO_ALARM = 3;
    private static final Duration ALARM_TIMEOUT = Duration.ofMinutes(2);

    @Override
    public String name() {
        return "offline-partitions";
    }

    @Override
    public String summary() {
        return "3-broker clusters; two of the primary's three brokers lost: it answers but refuses acks=all writes: failover, failback, nothing lost";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.setUp(3);
        List<Integer> lost = run.primary.brokerNodeIds().subList(1, 3);
        run.impair("Lose two of the primary's three AZs (kill -9 of brokers " + lost + ")", () -> lost.forEach(run.primary::killBroker));
        JsonNode probe = run.report.step("ProbePrimary every \"minute\" until " + DATAPOINTS_TO_ALARM
                + " probes in a row see the canary refused (PrimaryNotWritableAlarm's datapoints)", () -> awaitNotWritable(run));
        run.report.expect("ProbePrimary reports the primary reachable: its last broker answers", probe.path("reachable").asBoolean(), probe);
        run.report.expect("ProbePrimary reports the acks=all canary not writable (PrimaryCanaryWritable 0: the not-writable alarm's input)",
                !probe.path("canaryWritable").asBoolean(), probe);
        String alarm = run.controlPlane.notWritableAlarmName();
        String decision = run.report.step("The alarm " + alarm + " reaches DetectImpairment", () -> run.controlPlane.deliverAlarm(alarm, "ALARM", Instant.now()));
        run.report.expect("DetectImpairment starts the failover", decision.startsWith("STARTED"), decision);
        run.report.expect("its reason names the canary's failure (decision table row 6: producers fail)",
                decision.contains("NOT_WRITABLE from the secondary") && decision.contains("canary"), decision);
        run.report.expect("its reason names the primary Region's figures, which do not vouch for the cluster",
                decision.contains("the primary Region reports IMPAIRED") || decision.contains("the primary Region reports SILENT"), decision);
        run.expectSucceeded("failover", run.failoverRan(run.report.step("Run the failover DetectImpairment started", run.controlPlane::runStartedFailover)));
        run.produceAfterFailover(run.options.extraRecords());
        run.report.step("Recover the two AZs (restart the primary's lost brokers)", run.primary::startNode);
        var failback = run.report.step("Start the failback (events/failback-start.json)", run.controlPlane::runFailback);
        run.report.execution("Failback", failback);
        run.failbackSucceeded(failback);
        run.finish();
    }

    /** The last probe once {@link #DATAPOINTS_TO_ALARM} probes in a row were reachable but not writable. */
    private static JsonNode awaitNotWritable(DrillRun run) {
        AtomicReference<JsonNode> last = new AtomicReference<>();
        AtomicInteger inARow = new AtomicInteger();
        Polling.until(DATAPOINTS_TO_ALARM + " probes in a row: reachable, canary not writable", ALARM_TIMEOUT, () -> {
            try {
                JsonNode probe = run.controlPlane.probePrimary();
                last.set(probe);
                boolean answersButRefuses = probe.path("reachable").asBoolean() && !probe.path("canaryWritable").asBoolean();
                return inARow.updateAndGet(count -> answersButRefuses ? count + 1 : 0) >= DATAPOINTS_TO_ALARM;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return last.get();
    }
}
