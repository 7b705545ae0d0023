package com.mskfailover.drill;

import com.mskfailover.local.stepfunctions.ExecutionResult;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Two operations at once, twice: two alarm state changes start two failovers before either is listed as running, and
 * an operator starts a failover by hand during the failback's drain. Each time the operation lock lets one run and
 * refuses the other, naming it, before it moves anything; the lock is free after each; and the failback first takes
 * the lock a killed execution left, whose lease had ended.
 */
final class ConcurrentOperationsScenario implements Scenario {

    private static final String REFUSED = "com.mskfailover.orchestrator.domain.OperationLockedException";

    @Override
    public String name() {
        return "concurrent-operations";
    }

    @Override
    public String summary() {
        return "two alarms at once, and a failover during the failback's drain: one runs, the other is refused naming it; "
                + "the lock is free afterwards; a killed execution's expired lock is taken";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.setUp(1);
        run.impairPrimary();
        Instant changedAt = Instant.now();
        String firstAlarm = run.report.step("An alarm state change reaches DetectImpairment", () -> run.controlPlane.deliverAlarm("ALARM", changedAt));
        String secondAlarm = run.report.step("A second one, before Step Functions lists the first failover as running",
                () -> run.controlPlane.deliverAlarm("ALARM", changedAt.plusSeconds(1)));
        List<String> started = run.controlPlane.startedFailovers();
        // One execution name per impairment episode: the second alarm names the first's execution, which Step Functions
        // refuses (DUPLICATE). Two executions really running at once are refused by the lock: OperationLockStateMachineTest.
        run.report.expect("the second alarm starts no second failover (DUPLICATE: the same episode's execution)",
                started.size() == 1 && secondAlarm.startsWith("DUPLICATE"), firstAlarm + " / " + secondAlarm);
        if (started.size() != 1) {
            return;
        }
        ExecutionResult first = run.report.step("Run the failover", () -> run.controlPlane.runStartedFailover(started.get(0)));
        run.expectSucceeded("first failover", run.failoverRan(first));
        expectLockFree(run, "after the failover");
        run.produceAfterFailover(run.options.extraRecords());
        run.recoverPrimary();

        // Killed mid-way (no release), its lease over, yet still listed as running: only the lease frees its lock.
        String killed = run.report.step("A killed failback left the operation lock behind, its lease ended",
                () -> run.controlPlane.leaveOperationLock("failback", "failback-killed", Instant.now().minusSeconds(1), true));
        AtomicReference<ExecutionResult> manual = new AtomicReference<>();
        run.controlPlane.beforeNextCall("CheckSecondaryConsumersDrained", () -> manual.set(run.controlPlane.runFailover("manual-failover-during-drain")));
        ExecutionResult failback = run.report.step("Failback; during its drain an operator starts a failover by hand", () -> run.controlPlane.runFailback());
        run.report.execution("Failback", failback);
        boolean tookIt = failback.lastRun("AcquireOperationLock").map(state -> state.output().path("lock").path("held").asBoolean()).orElse(false);
        run.report.expect("the failback took the lock of the killed execution (" + killed + "), whose lease had ended", tookIt,
                failback.lastRun("AcquireOperationLock").map(state -> state.output().path("lock").toString()).orElse("not run"));
        expectRefused(run, "the failover started during the drain", manual.get(), "failback-drill");
        run.failbackSucceeded(failback);
        expectLockFree(run, "after the failback");
        run.report.expect("three alias changes in all (one failover, the failback's two): the refused ones made none",
                run.controlPlane.aliasChanges().size() == 3, run.controlPlane.aliasChanges());
        run.finish();
    }

    private static void expectRefused(DrillRun run, String what, ExecutionResult refused, String runningExecution) {
        if (refused == null) {
            run.report.expect(what + " ran", false, "it was never started: the fault was not injected");
            return;
        }
        run.report.execution(what, refused);
        run.report.expect(what + " was refused at AcquireOperationLock, naming " + runningExecution,
                !refused.succeeded() && REFUSED.equals(refused.error()) && String.valueOf(refused.cause()).contains(runningExecution),
                refused.statePath() + " " + refused.error() + ": " + refused.cause());
        run.report.expect(what + " moved no alias", !refused.statePath().contains("FlipAliasesToSecondary"), refused.statePath());
        run.report.expect("the operators were told it was refused", run.controlPlane.notifications().stream()
                .anyMatch(told -> told.subject().contains("REFUSED") && told.message().contains(runningExecution)), run.lastNotification());
    }

    private static void expectLockFree(DrillRun run, String when) {
        run.report.expect("the operation lock is free " + when, run.controlPlane.operationLockHolder().isEmpty(),
                run.controlPlane.operationLockHolder());
    }
}
