package com.mskfailover.drill;

/**
 * The primary is killed again once producers have moved to it (and written to it): the failback stops with a
 * notification saying how far it got, the producer alias on the primary and the consumer alias still on the
 * secondary. The operator restores the primary and starts the failback again with the same input: the consumers
 * still on the secondary read what producers wrote to the primary (the forward flow brings it), the drain passes,
 * the failback finishes, nothing lost.
 */
final class PrimaryDiesDuringFailbackScenario implements Scenario {

    @Override
    public String name() {
        return "primary-dies-during-failback";
    }

    @Override
    public String summary() {
        return "the primary is killed again after producers moved: the failback stops, notifies, and a re-run finishes; nothing lost";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.failOverThenRecover(1, run.options.extraRecords());
        run.controlPlane.beforeNextCall("CheckSecondaryConsumersDrained", () -> {
            run.produce("the producer alias (moved to the primary)", 2);
            run.primary.kill();
        });
        var stopped = run.report.step("Start the failback; once producers moved and wrote, kill -9 the primary again",
                () -> run.controlPlane.runFailback("failback-drill", input -> input));
        run.report.execution("Failback (primary dies)", stopped);
        run.report.expect("the failback failed (did not move consumers to a dead primary)", !stopped.succeeded()
                && stopped.timesEntered("MoveConsumersToPrimary") == 0, stopped.status() + " " + stopped.statePath());
        String told = run.lastNotification();
        run.report.expect("the operators were told it failed, why, how far it got and how to resume",
                told.contains("FAILED") && told.contains("the primary stopped answering") && told.contains("Progress:")
                        && told.contains("How to resume"), told);
        run.report.expect("producers on the primary, consumers still on the secondary (a state to resume from)",
                "primary".equals(run.controlPlane.aliasTarget(LocalControlPlane.PRODUCER_ALIAS))
                        && "secondary".equals(run.controlPlane.aliasTarget(LocalControlPlane.CONSUMER_ALIAS)), run.controlPlane.aliasTargets());
        run.recoverPrimary();
        // Consumers still on the secondary go on reading: what producers wrote to the primary reaches them there.
        run.controlPlane.beforeNextCall("CheckSecondaryConsumersDrained", () -> {
            run.awaitSecondaryHoldsEverything("The forward flow brings what producers wrote to the primary to the secondary");
            run.consume("msk-consumer, still on the secondary, reads them (as live consumers do while the drain waits)");
        });
        var resumed = run.report.step("Resume: start the failback again with the same input",
                () -> run.controlPlane.runFailback("failback-drill-resumed", input -> input));
        run.report.execution("Failback (resumed)", resumed);
        run.failbackSucceeded(resumed);
        run.finish();
    }
}
