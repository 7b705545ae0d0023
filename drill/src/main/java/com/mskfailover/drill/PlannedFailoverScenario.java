package com.mskfailover.drill;

import com.mskfailover.local.stepfunctions.ExecutionResult;

import java.util.List;

/**
 * A planned failover, the primary healthy (the MSK documentation's): msk-consumer is behind (messages it has not read
 * wait on the primary), and one producer moves late: it writes once more to the primary after the producer aliases
 * flipped. The producers move first; the consumers only once the primary is quiet and the forward flow has copied
 * everything, so msk-consumer then reads on the secondary exactly what it had not read, the straggler's message too.
 */
final class PlannedFailoverScenario implements Scenario {

    static final String CATCH_UP_CHECK = "CheckForwardReplicationCaughtUp";

    @Override
    public String name() {
        return "planned-failover";
    }

    @Override
    public String summary() {
        return "producers first, consumers once the primary is quiet and copied (a late producer included): the consumer's unread tail is read on the secondary, once";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.setUp(1);
        run.produce("the producer alias (the primary), not read yet", 3);
        // The second catch-up check: a producer that has not restarted on the new alias writes to the primary once more.
        run.controlPlane.beforeNextCall(CATCH_UP_CHECK, () -> run.controlPlane.beforeNextCall(CATCH_UP_CHECK, run::produceToPrimaryLate));
        ExecutionResult planned = run.report.step("Start the planned failover (events/planned-failover-start.json)",
                run.controlPlane::runPlannedFailover);
        run.report.execution("Failover", planned);
        run.expectSucceeded("planned failover", planned);
        run.report.expect("the producer aliases moved first, the consumer aliases in a change of their own after them",
                run.controlPlane.aliasChanges().equals(List.of(List.of(LocalControlPlane.PRODUCER_ALIAS), List.of(LocalControlPlane.CONSUMER_ALIAS))),
                run.controlPlane.aliasChanges());
        boolean sawTheStraggler = planned.timeline().stream().anyMatch(state -> state.stateName().equals(CATCH_UP_CHECK)
                && state.output() != null && state.output().toString().contains("the primary still takes records"));
        run.report.expect("the wait saw the late producer's record on the primary and waited for it to be copied", sawTheStraggler,
                planned.timesEntered(CATCH_UP_CHECK) + " checks");
        run.report.figure("catch-up checks before the consumers moved", planned.timesEntered(CATCH_UP_CHECK));
        run.report.expect("the aliases point at the secondary", run.controlPlane.aliasesPointAt(run.secondary), run.controlPlane.aliasTargets());
        run.produceAfterFailover(0);
        run.finish();
    }
}
