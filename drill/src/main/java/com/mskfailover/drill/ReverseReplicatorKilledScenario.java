package com.mskfailover.drill;

import com.mskfailover.local.kafka.KafkaClients;

import java.time.Duration;

/**
 * kill -9 of the failback's replicator-task in the middle of its catch-up: the execution sees the task stopped and
 * fails saying so, having moved nothing; a re-run starts a new task, which resumes from its checkpoint: no duplicate.
 */
final class ReverseReplicatorKilledScenario implements Scenario {

    static final int BACKLOG = 100_000;

    @Override
    public String name() {
        return "reverse-replicator-killed";
    }

    @Override
    public String summary() {
        return "kill -9 of the failback's replicator-task mid catch-up: the execution fails saying so; a re-run finishes, no duplicate";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        int backlog = run.options.extraRecords() > 0 ? run.options.extraRecords() : BACKLOG;
        run.failOverThenRecover(1, backlog);
        long[] copiedAtKill = {-1};
        run.controlPlane.beforeNextCall("CheckReverseReplicationLag", () -> {
            copiedAtKill[0] = awaitSomeCopied(run.secondary.clients());
            run.controlPlane.killReverseTask();
        });
        var failed = run.report.step("Start the failback; kill -9 its replicator-task once it has copied some of the backlog",
                () -> run.controlPlane.runFailback("failback-drill", input -> input));
        run.report.execution("Failback (task killed)", failed);
        run.report.figure("records the reverse task had copied when killed", copiedAtKill[0] + " of " + (backlog + 2));
        run.report.expect("the task was killed mid catch-up", copiedAtKill[0] > 0 && copiedAtKill[0] < backlog + 2, copiedAtKill[0]);
        run.report.expect("the failback failed saying the replicator-task stopped", !failed.succeeded()
                && run.lastNotification().contains("stopped"), run.lastNotification());
        run.report.expect("nothing moved: every alias still on the secondary", run.controlPlane.aliasesPointAt(run.secondary),
                run.controlPlane.aliasTargets());
        run.report.expect("the operators were told", run.lastNotification().contains("stopped"), run.lastNotification());
        var rerun = run.report.step("Start the failback again with the same input",
                () -> run.controlPlane.runFailback("failback-drill-rerun", input -> input));
        run.report.execution("Failback (re-run)", rerun);
        run.failbackSucceeded(rerun);
        run.report.expect("the re-run started one task to replace the killed one and kept the others",
                run.controlPlane.reverseTasks().size() == run.options.reverseTasks() + 1,
                run.controlPlane.reverseTasks());
        run.finish();
    }

    /** Waits until the reverse task's committed source position (its lag contract) shows some records copied. */
    private static long awaitSomeCopied(KafkaClients secondary) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            long copied = secondary.committedOffsets(LocalControlPlane.REVERSE_REPLICATOR).values().stream().mapToLong(Long::longValue).sum();
            if (copied > 0) {
                return copied;
            }
            Thread.sleep(20); // polling pace only: the deadline above bounds the wait
        }
        throw new IllegalStateException("the reverse replicator-task copied nothing within 60 s");
    }
}
