package com.mskfailover.drill;

/**
 * The alias store (Route 53) refuses the failover's first two changes with throttling: the state machine retries
 * with its backoff and the third attempt goes through, all aliases in that one change.
 */
final class DnsThrottledScenario implements Scenario {

    static final int REFUSALS = 2;

    @Override
    public String name() {
        return "dns-throttled";
    }

    @Override
    public String summary() {
        return "Route 53 throttles the first alias changes: retried, then every alias moves in one change";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.setUp(1);
        run.impairPrimary();
        run.controlPlane.throttleAliasChanges(REFUSALS);
        var failover = run.failover();
        run.expectSucceeded("failover", failover);
        int retries = failover.lastRun("FlipAliasesToSecondary").map(state -> state.retries()).orElse(-1);
        run.report.figure("alias changes refused, then retried", retries);
        run.report.expect("the throttled change was retried " + REFUSALS + " times", retries == REFUSALS, retries);
        run.report.expect("one alias change holding every alias", run.controlPlane.aliasChanges().size() == 1
                && run.controlPlane.aliasChanges().getFirst().size() == 2, run.controlPlane.aliasChanges());
        run.produceAfterFailover(run.options.extraRecords());
        run.finish();
    }
}
