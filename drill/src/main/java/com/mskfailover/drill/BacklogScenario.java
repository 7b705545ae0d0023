package com.mskfailover.drill;

import com.mskfailover.local.stepfunctions.ExecutionResult;

import java.time.Duration;
import java.time.Instant;

/**
 * A large backlog (1,000,000 records by default, {@code --records N} otherwise) produced on the secondary during the
 * failover; the failback drains it. Catch-up (reverse task started -> lag 0) against the raw transfer of as many
 * records into the primary, measured in the same run on the same clusters.
 */
final class BacklogScenario implements Scenario {

    static final int DEFAULT_RECORDS = 1_000_000;

    @Override
    public String name() {
        return "backlog";
    }

    @Override
    public String summary() {
        return "1,000,000 records on the secondary during the failover; the failback drains them; catch-up vs raw transfer";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        int records = run.options.extraRecords() > 0 ? run.options.extraRecords() : DEFAULT_RECORDS;
        run.failOverThenRecover(1, records - 2);
        long rawMillis = run.report.step("Raw transfer: produce " + records + " records straight into the primary (topic raw-transfer)", () -> {
            run.primary.clients().createTopic("raw-transfer", Drill.PARTITIONS);
            long started = System.nanoTime();
            DrillRun.produceRange(run.primary.bootstrapServers(), "raw-transfer", 1, records);
            return Duration.ofNanos(System.nanoTime() - started).toMillis();
        });
        ExecutionResult failback = run.report.step("Start the failback (events/failback-start.json)", run.controlPlane::runFailback);
        run.report.execution("Failback", failback);
        run.failbackSucceeded(failback);
        Instant started = failback.lastRun("StartReverseReplication").map(ExecutionResult.StateRun::entered).orElse(null);
        Instant caughtUp = failback.lastRun("CheckReverseReplicationLag").map(ExecutionResult.StateRun::exited).orElse(null);
        if (started != null && caughtUp != null) {
            long catchUp = Duration.between(started, caughtUp).toMillis();
            run.report.figure("backlog", records + " records");
            run.report.figure("catch-up (reverse task started -> lag 0)", catchUp + " ms (" + records * 1000L / Math.max(1, catchUp) + " records/s)");
            run.report.figure("raw transfer of as many records", rawMillis + " ms (" + records * 1000L / Math.max(1, rawMillis) + " records/s)");
            run.report.figure("catch-up / raw transfer", String.format("%.2f", (double) catchUp / Math.max(1, rawMillis)));
        }
        run.finish();
    }
}
