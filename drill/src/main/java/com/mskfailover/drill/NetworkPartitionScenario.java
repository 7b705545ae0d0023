package com.mskfailover.drill;

import java.time.Instant;

/**
 * The path between the Regions breaks (a peering route, a security group rule, a NACL) while the primary serves its
 * clients: the probe from the secondary fails and the alarm fires, but the primary Region's own view vouches for the
 * cluster, so nothing fails over and the operators are told why.
 */
final class NetworkPartitionScenario implements Scenario {

    @Override
    public String name() {
        return "network-partition";
    }

    @Override
    public String summary() {
        return "the primary healthy, unreachable from the secondary only: no failover, operators told why";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.setUp(1);
        run.report.step("Cut the network path from the secondary Region to the primary's brokers", () -> {
            run.controlPlane.cutThePathToThePrimary(true);
            return null;
        });
        boolean reachable = run.report.step("ProbePrimary probes the primary from the secondary Region", run.controlPlane::primaryReachable);
        run.report.expect("ProbePrimary reports the primary unreachable (the alarm fires)", !reachable, reachable);
        String decision = run.report.step("The alarm reaches DetectImpairment", () -> run.controlPlane.deliverAlarm("ALARM", Instant.now()));
        run.report.expect("DetectImpairment does not fail over: unreachable from the secondary only",
                decision.startsWith("NOTIFIED: unreachable from the secondary only: not failing over"), decision);
        run.report.expect("the primary Region's view vouched for the cluster", decision.contains("the primary Region reports HEALTHY"), decision);
        run.report.expect("no failover was started", run.controlPlane.failoversStarted() == 0, run.controlPlane.failoversStarted());
        String told = run.lastNotification();
        run.report.expect("the operators were told why, and what to check", told.contains("unreachable from the secondary only")
                && told.contains("peering, routes, security groups"), told);
        run.produce("the producer alias (still the primary: its clients reach it)", 2);
        run.consume("msk-consumer reads through the consumer alias (still the primary)");
        run.report.step("Mend the path; the alarm goes back to OK", () -> {
            run.controlPlane.cutThePathToThePrimary(false);
            return run.controlPlane.deliverAlarm("OK", Instant.now());
        });
        run.report.expect("still no failover", run.controlPlane.failoversStarted() == 0, run.controlPlane.failoversStarted());
        run.finish();
    }
}
