package com.mskfailover.drill;

import java.time.Instant;

/**
 * The alarm goes OK and back to ALARM while the failover runs, and again after it: exactly one failover. Each state
 * change is a new EventBridge event (its own state timestamp), so none of them is a mere duplicate delivery.
 */
final class AlarmFlapsScenario implements Scenario {

    @Override
    public String name() {
        return "alarm-flaps";
    }

    @Override
    public String summary() {
        return "the alarm goes OK and back to ALARM during the failover and again after: exactly one failover";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.setUp(1);
        run.impairPrimary();
        String[] during = new String[2];
        run.controlPlane.beforeNextCall("CheckAliasesInSync", () -> {
            during[0] = run.controlPlane.deliverAlarm("OK", Instant.now());
            during[1] = run.controlPlane.deliverAlarm("ALARM", Instant.now().plusMillis(1));
        });
        run.expectSucceeded("failover", run.failover());
        run.report.expect("during the failover, OK starts nothing", String.valueOf(during[0]).startsWith("IGNORED"), during[0]);
        run.report.expect("during the failover, ALARM again is refused (a failover runs)", String.valueOf(during[1]).startsWith("REFUSED"), during[1]);
        String afterOk = run.report.step("The alarm goes OK after the failover", () -> run.controlPlane.deliverAlarm("OK", Instant.now()));
        String afterAlarm = run.report.step("... and back to ALARM", () -> run.controlPlane.deliverAlarm("ALARM", Instant.now().plusMillis(1)));
        run.report.expect("after the failover, OK starts nothing", afterOk.startsWith("IGNORED"), afterOk);
        run.report.expect("after the failover, ALARM again is refused (the aliases already point at the secondary)",
                afterAlarm.startsWith("REFUSED"), afterAlarm);
        run.report.expect("exactly one failover was started", run.controlPlane.failoversStarted() == 1, run.controlPlane.failoversStarted());
        run.report.figure("failovers started", run.controlPlane.failoversStarted());
        run.produceAfterFailover(run.options.extraRecords());
        run.finish();
    }
}
