package com.mskfailover.orchestrator.domain;

import java.time.Clock;
import java.util.List;

/**
 * The preflight's verdict: would a failover, and a failback, work right now? From the outcome of each check state,
 * one line per check for the execution's output, a notification naming what would fail (nothing is sent when all
 * pass: a daily "all well" would teach people to ignore the topic), and the PreflightChecksFailed metric that the
 * stack's alarm watches.
 */
public final class PreflightReport {

    public static final String NAMESPACE = PrimaryProbe.NAMESPACE;

    /** One check state's outcome, as the state machine records it: the state's result, or its error and cause. */
    public record CheckOutcome(String check, boolean passed, Object detail, String error, String cause) {
    }

    /** @param lines one per check: {@code <check>: passed|FAILED: <detail or cause>} */
    public record Verdict(boolean passed, int failed, List<String> lines, String subject, String message) {
    }

    private final Notifier notifier;
    private final Clock clock;
    private final String primaryClusterArn;

    public PreflightReport(Notifier notifier, Clock clock, String primaryClusterArn) {
        this.notifier = notifier;
        this.clock = clock;
        this.primaryClusterArn = primaryClusterArn;
    }

    public Verdict report(List<CheckOutcome> outcomes) {
        if (outcomes == null || outcomes.isEmpty()) {
            throw new InvalidInputException("checks", "the preflight's check outcomes are missing: the state machine passes them as \"checks\"");
        }
        List<String> lines = outcomes.stream().map(outcome -> outcome.check() + ": " + (outcome.passed()
                ? "passed" + (outcome.detail() == null ? "" : ": " + outcome.detail())
                : "FAILED: " + outcome.error() + ": " + outcome.cause())).toList();
        int failed = (int) outcomes.stream().filter(outcome -> !outcome.passed()).count();
        String subject = failed == 0 ? "MSK failover preflight passed"
                : "MSK failover preflight: " + failed + " of " + outcomes.size() + " checks would fail";
        String message = failed == 0 ? "A failover and a failback would find what they need now.\n\n" + String.join("\n", lines)
                : "A failover or a failback started now would fail. Fix what follows, then run the preflight again"
                + " (aws stepfunctions start-execution --state-machine-arn <PreflightStateMachineArn>; docs/deploy.md, \"Preflight\").\n\n"
                + String.join("\n", outcomes.stream().filter(outcome -> !outcome.passed()).map(outcome -> "- " + outcome.check() + ": " + outcome.cause()).toList())
                + "\n\nEvery check:\n" + String.join("\n", lines);
        if (failed > 0) {
            notifier.publish(subject, message);
        }
        return new Verdict(failed == 0, failed, lines, subject, message);
    }

    /** The EMF line of a verdict: Lambda's log delivery makes it the PreflightChecksFailed metric, no API call needed. */
    public String metricLine(Verdict verdict) {
        return "{\"_aws\":{\"Timestamp\":" + clock.millis() + ",\"CloudWatchMetrics\":[{\"Namespace\":\"" + NAMESPACE + "\","
                + "\"Dimensions\":[[\"PrimaryCluster\"]],\"Metrics\":[{\"Name\":\"PreflightChecksFailed\",\"Unit\":\"Count\"}]}]},"
                + "\"PrimaryCluster\":\"" + PrimaryProbe.clusterName(primaryClusterArn) + "\","
                + "\"PreflightChecksFailed\":" + verdict.failed() + "}";
    }
}
