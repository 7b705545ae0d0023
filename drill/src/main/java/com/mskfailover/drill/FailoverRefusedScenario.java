package com.mskfailover.drill;

import org.apache.kafka.clients.admin.Admin;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The secondary is not ready when the primary fails: it lacks topic customer (deleted there by mistake). The
 * failover is refused at CheckSecondaryReady with the reason, the operators are told, and no alias moves.
 */
final class FailoverRefusedScenario implements Scenario {

    @Override
    public String name() {
        return "failover-refused";
    }

    @Override
    public String summary() {
        return "the secondary lacks a topic when the primary fails: the failover is refused with the reason, aliases unchanged";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.setUp(1);
        run.impairPrimary();
        run.report.step("The secondary loses topic customer (deleted there by mistake)", () -> {
            try (Admin admin = run.secondary.clients().admin()) {
                admin.deleteTopics(List.of(DrillRun.TOPIC)).all().get(30, TimeUnit.SECONDS);
            }
            return null;
        });
        run.secondaryLostTopic();
        var refused = run.failover();
        run.report.expect("the failover was refused at CheckSecondaryReady", !refused.succeeded()
                && refused.lastRun("CheckSecondaryReady").map(state -> state.failed()).orElse(false), refused.statePath());
        run.report.expect("the operators were told why: the missing topic", run.lastNotification().contains("customer"), run.lastNotification());
        run.report.expect("no alias moved: every alias still on the primary", run.controlPlane.aliasesPointAt(run.primary),
                run.controlPlane.aliasTargets());
        run.report.expect("no alias change was made", run.controlPlane.aliasChanges().isEmpty(), run.controlPlane.aliasChanges());
        run.finish();
    }
}
