package com.mskfailover.orchestrator.domain;

import com.mskfailover.orchestrator.domain.FailoverDecision.Action;
import com.mskfailover.orchestrator.domain.FailoverDecision.Evidence;
import com.mskfailover.orchestrator.domain.FailoverDecision.SecondaryView;
import com.mskfailover.orchestrator.domain.FailoverDecision.Verdict;
import com.mskfailover.orchestrator.domain.PrimaryRegionHealth.Report;
import com.mskfailover.orchestrator.domain.PrimaryRegionHealth.Report.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The decision table of docs/runbook.md, row by row, each attacked from the side that would make it wrong. */
class FailoverDecisionTest {

    private static final List<String> NO_USER_ALARM = List.of();
    private static final List<String> USER_ALARM = List.of("orders-producer-errors");

    private static Verdict decide(SecondaryView view, Status region, List<String> userAlarms, boolean armed) {
        return FailoverDecision.decide(new Evidence(view, "seen", new Report(region, "figures"), userAlarms, armed));
    }

    private static void assertRow(int row, Action action, Verdict verdict) {
        assertEquals(action, verdict.action(), verdict.reason());
        assertEquals(row, verdict.row(), verdict.reason());
    }

    /** Row 1: the brokers refuse the orchestrator's credentials: whatever else says impaired, nothing moves; operators are told. */
    @ParameterizedTest
    @EnumSource(Status.class)
    void row1ARefusalNeverFailsOverWhateverTheOtherSignalsSay(Status region) {
        Verdict verdict = decide(SecondaryView.REFUSED, region, USER_ALARM, true);
        assertRow(1, Action.NOTIFY, verdict);
        assertTrue(verdict.reason().contains("misconfigured"), verdict.reason());
    }

    /** Row 2: producers write: no failover even when the primary Region says impaired and a user alarm fires. */
    @ParameterizedTest
    @EnumSource(Status.class)
    void row2AWritableCanaryNeverFailsOver(Status region) {
        assertRow(2, Action.NONE, decide(SecondaryView.WRITABLE, region, USER_ALARM, true));
        assertRow(2, Action.NONE, decide(SecondaryView.WRITABLE, region, NO_USER_ALARM, false));
    }

    /** Row 3: never seen reachable (first deploy with a broken network): notify, even with every other signal agreeing. */
    @ParameterizedTest
    @EnumSource(Status.class)
    void row3NotArmedOnlyNotifies(Status region) {
        Verdict verdict = decide(SecondaryView.UNREACHABLE, region, USER_ALARM, false);
        assertRow(3, Action.NOTIFY, verdict);
        assertTrue(verdict.reason().contains("not armed"), verdict.reason());
    }

    /** Row 4: unreachable and the primary Region does not vouch (impaired, silent, its API down): fail over. */
    @ParameterizedTest
    @EnumSource(value = Status.class, names = {"IMPAIRED", "SILENT", "UNREADABLE"})
    void row4UnreachableAndThePrimaryRegionDoesNotVouchFailsOver(Status region) {
        assertRow(4, Action.FAIL_OVER, decide(SecondaryView.UNREACHABLE, region, NO_USER_ALARM, true));
    }

    @Test
    void row4UnreachableAndAUserAlarmAgreesFailsOverThoughThePrimaryRegionSaysHealthy() {
        Verdict verdict = decide(SecondaryView.UNREACHABLE, Status.HEALTHY, USER_ALARM, true);
        assertRow(4, Action.FAIL_OVER, verdict);
        assertTrue(verdict.reason().contains("orders-producer-errors"), verdict.reason());
    }

    /** Row 5: the network partition: unreachable from the secondary only. */
    @Test
    void row5UnreachableFromTheSecondaryOnlyNotifiesWithTheReason() {
        Verdict verdict = decide(SecondaryView.UNREACHABLE, Status.HEALTHY, NO_USER_ALARM, true);
        assertRow(5, Action.NOTIFY, verdict);
        assertTrue(verdict.reason().startsWith("unreachable from the secondary only: not failing over"), verdict.reason());
        assertTrue(verdict.reason().contains("peering, routes, security groups"), verdict.reason());
    }

    /** Row 6: brokers answer, writes refused (offline partitions, lost min ISR): fail over when a second signal agrees. */
    @ParameterizedTest
    @EnumSource(value = Status.class, names = {"IMPAIRED", "SILENT", "UNREADABLE"})
    void row6NotWritableAndThePrimaryRegionDoesNotVouchFailsOver(Status region) {
        assertRow(6, Action.FAIL_OVER, decide(SecondaryView.NOT_WRITABLE, region, NO_USER_ALARM, true));
    }

    @Test
    void row6NotWritableAndAUserAlarmAgreesFailsOver() {
        assertRow(6, Action.FAIL_OVER, decide(SecondaryView.NOT_WRITABLE, Status.HEALTHY, USER_ALARM, true));
    }

    /** Row 7: only the canary's own topic refuses while the Region vouches and no user alarm agrees. */
    @Test
    void row7NotWritableButVouchedForOnlyNotifies() {
        Verdict verdict = decide(SecondaryView.NOT_WRITABLE, Status.HEALTHY, NO_USER_ALARM, true);
        assertRow(7, Action.NOTIFY, verdict);
        assertTrue(verdict.reason().contains("canary topic"), verdict.reason());
    }

    /** Every combination has a verdict, and FAIL_OVER only ever with producers failing and a second signal agreeing. */
    @Test
    void noCombinationFailsOverWithoutBothTheCanaryAndASecondSignal() {
        for (SecondaryView view : SecondaryView.values()) {
            for (Status region : Status.values()) {
                for (List<String> alarms : List.of(NO_USER_ALARM, USER_ALARM)) {
                    for (boolean armed : new boolean[] {true, false}) {
                        Verdict verdict = decide(view, region, alarms, armed);
                        if (verdict.action() == Action.FAIL_OVER) {
                            assertTrue(view == SecondaryView.UNREACHABLE || view == SecondaryView.NOT_WRITABLE, verdict.reason());
                            assertTrue(region != Status.HEALTHY || !alarms.isEmpty(), verdict.reason());
                            assertTrue(armed || view == SecondaryView.NOT_WRITABLE, verdict.reason());
                        }
                    }
                }
            }
        }
    }
}
