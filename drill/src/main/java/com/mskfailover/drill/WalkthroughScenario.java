package com.mskfailover.drill;

/** The blog's walkthrough with every step succeeding (the default). */
final class WalkthroughScenario implements Scenario {

    @Override
    public String name() {
        return "walkthrough";
    }

    @Override
    public String summary() {
        return "the blog's walkthrough: failover, --records N more on the secondary, failback; nothing lost, duplicated or re-read";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.failOverThenRecover(1, run.options.extraRecords());
        var failback = run.report.step("Start the failback (events/failback-start.json)", run.controlPlane::runFailback);
        run.report.execution("Failback", failback);
        run.failbackSucceeded(failback);
        run.finish();
    }
}
