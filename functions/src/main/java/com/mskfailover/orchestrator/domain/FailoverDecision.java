package com.mskfailover.orchestrator.domain;

import java.util.List;

/**
 * The quorum that turns a watched alarm into a failover (docs/runbook.md, "Decision table"). A failover starts only
 * when producers fail by the canary (an acks=all write from the secondary: unreachable, or refused for lack of
 * in-sync replicas or leaders) AND a second, independent signal agrees: the primary Region's own metrics say the
 * cluster is impaired, or say nothing, or cannot be read (that Region's API down too), or one of the user's watched
 * alarms is in ALARM. Unreachable from the secondary while the primary Region vouches for the cluster is the network
 * between the Regions, not the primary: operators are told, nothing moves. Nor does anything move before ProbePrimary
 * has once seen the primary reachable (a first deploy with a broken network), nor when the brokers refuse the
 * orchestrator's credentials (a misconfiguration).
 */
public final class FailoverDecision {

    public enum Action { FAIL_OVER, NOTIFY, NONE }

    /** What the secondary's path to the brokers saw: the probe, then (when they answered) the canary write. */
    public enum SecondaryView { WRITABLE, NOT_WRITABLE, UNREACHABLE, REFUSED }

    /**
     * @param armed          ProbePrimary has seen the primary reachable at least once (or it is reachable now)
     * @param userAlarms     the user's watched alarms in ALARM now (not the stack's own)
     */
    public record Evidence(SecondaryView secondaryView, String secondaryDetail, PrimaryRegionHealth.Report primaryRegion,
                           List<String> userAlarms, boolean armed) {
        public Evidence {
            userAlarms = List.copyOf(userAlarms);
        }
    }

    /** @param row the decision table's row (docs/runbook.md), for operators and tests */
    public record Verdict(Action action, int row, String reason) {
    }

    private FailoverDecision() {
    }

    public static Verdict decide(Evidence evidence) {
        String secondary = evidence.secondaryView() + " from the secondary (" + evidence.secondaryDetail() + ")";
        String region = "the primary Region reports " + evidence.primaryRegion().status() + " (" + evidence.primaryRegion().detail() + ")";
        String alarms = evidence.userAlarms().isEmpty() ? "no user alarm in ALARM" : "user alarm(s) in ALARM " + evidence.userAlarms();
        String facts = secondary + "; " + region + "; " + alarms;
        return switch (evidence.secondaryView()) {
            case REFUSED -> new Verdict(Action.NOTIFY, 1, "the primary answered but refused the orchestrator's credentials: reachable and "
                    + "misconfigured, not failing over; fix the permissions, or start a failover by hand if the primary is impaired too. " + facts);
            case WRITABLE -> new Verdict(Action.NONE, 2, "producers can write to the primary (acks=all canary): not failing over. " + facts);
            case UNREACHABLE -> {
                if (!evidence.armed()) {
                    yield new Verdict(Action.NOTIFY, 3, "ProbePrimary has never seen the primary reachable from the secondary: automatic "
                            + "failover is not armed (check peering, routes, security groups and NACLs between the Regions); start a failover "
                            + "by hand if the primary is really down. " + facts);
                }
                yield agreed(evidence, facts, 4, 5, "unreachable from the secondary only: not failing over — check peering, routes, "
                        + "security groups and NACLs between the Regions. ");
            }
            case NOT_WRITABLE -> agreed(evidence, facts, 6, 7, "the canary topic refuses acks=all writes while the primary Region reports the "
                    + "cluster healthy and no user alarm agrees: not failing over — check the canary topic's replicas. ");
        };
    }

    private static Verdict agreed(Evidence evidence, String facts, int agreedRow, int vouchedRow, String vouched) {
        if (!evidence.primaryRegion().vouchesForThePrimary()) {
            return new Verdict(Action.FAIL_OVER, agreedRow, "producers fail and the primary Region does not vouch for the cluster: failing over. " + facts);
        }
        if (!evidence.userAlarms().isEmpty()) {
            return new Verdict(Action.FAIL_OVER, agreedRow, "producers fail and the user's alarms agree: failing over. " + facts);
        }
        return new Verdict(Action.NOTIFY, vouchedRow, vouched + facts);
    }
}
