package com.mskfailover.drill;

import com.mskfailover.local.stepfunctions.ExecutionResult;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * Two failback executions started at the same moment (two operators, or a double click): the operation lock lets
 * one run and refuses the other (or, should one end before the other starts, both run, one reverse flow between them:
 * the same RunTask client token); the aliases end on the primary, nothing duplicated.
 */
final class TwoFailbacksScenario implements Scenario {

    @Override
    public String name() {
        return "two-failbacks";
    }

    @Override
    public String summary() {
        return "two failbacks started at once: one reverse flow between them, never two; nothing duplicated";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.failOverThenRecover(1, Math.max(run.options.extraRecords(), 2_000));
        List<ExecutionResult> both = run.report.step("Start two failbacks at the same moment", () -> {
            CyclicBarrier together = new CyclicBarrier(2);
            // Two threads of their own: the common pool has a single one on a 2-core machine.
            ExecutorService operators = Executors.newFixedThreadPool(2);
            try {
                var first = operators.submit(() -> start(run, "failback-operator-1", together));
                var second = operators.submit(() -> start(run, "failback-operator-2", together));
                return List.of(first.get(15, TimeUnit.MINUTES), second.get(15, TimeUnit.MINUTES));
            } finally {
                operators.shutdownNow();
            }
        });
        run.report.execution("Failback 1", both.get(0));
        run.report.execution("Failback 2", both.get(1));
        run.report.expect("one reverse flow between them (its " + run.options.reverseTasks() + " task(s)), never two",
                run.controlPlane.reverseTasks().size() == run.options.reverseTasks(),
                run.controlPlane.reverseTasks());
        ExecutionResult succeeded = both.stream().filter(ExecutionResult::succeeded).findFirst().orElse(both.get(0));
        run.failbackSucceeded(succeeded);
        both.stream().filter(execution -> !execution.succeeded()).forEach(other -> run.report.expect(
                "the other failback, if it failed, was refused by the operation lock naming the first, or says the shared task was stopped",
                "com.mskfailover.orchestrator.domain.OperationLockedException".equals(other.error())
                        ? String.valueOf(other.cause()).contains("failback-operator-")
                        : run.controlPlane.notifications().stream().anyMatch(told -> told.message().contains("stopped")),
                other.error() + ": " + other.cause()));
        run.report.figure("failback executions succeeded", both.stream().filter(ExecutionResult::succeeded).count() + " of 2");
        run.finish();
    }

    private static ExecutionResult start(DrillRun run, String name, CyclicBarrier together) {
        try {
            together.await(60, TimeUnit.SECONDS);
            return run.controlPlane.runFailback(name, input -> input);
        } catch (Exception e) {
            throw new IllegalStateException(name + " could not run", e);
        }
    }
}
