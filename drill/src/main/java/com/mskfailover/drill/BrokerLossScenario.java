package com.mskfailover.drill;

import org.apache.kafka.common.TopicPartition;

/**
 * 3-broker clusters as MSK runs them (racks az1-az3, replication factor 3, min.insync.replicas 2): the broker leading
 * customer-0 on the primary, the failback's target, is killed with SIGKILL in the middle of the catch-up. The
 * failback completes, nothing lost or duplicated.
 */
final class BrokerLossScenario implements Scenario {

    static final int BACKLOG = 20_000;

    @Override
    public String name() {
        return "broker-loss";
    }

    @Override
    public String summary() {
        return "3-broker clusters; the target's leader of customer-0 killed mid failback: it completes, nothing lost or duplicated";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.failOverThenRecover(3, Math.max(run.options.extraRecords(), BACKLOG));
        int[] killed = {-1};
        run.controlPlane.beforeNextCall("CheckReverseReplicationLag", () -> {
            killed[0] = run.primary.leaderOf(new TopicPartition(DrillRun.TOPIC, 0)).orElseThrow();
            run.primary.killBroker(killed[0]);
        });
        var failback = run.report.step("Start the failback; kill -9 the primary's broker leading customer-0 during the catch-up",
                run.controlPlane::runFailback);
        run.report.execution("Failback (a broker lost)", failback);
        run.report.figure("broker killed on the primary", killed[0]);
        run.report.expect("a broker of the primary was killed mid failback", killed[0] > 0, killed[0]);
        run.failbackSucceeded(failback);
        run.finish();
    }
}
