package com.mskfailover.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;

/**
 * DetectImpairment fails on the alarm's event (CloudWatch DescribeAlarms throttled) on its first invocation and on
 * each of Lambda's retries, as template.yaml configures them: the on-failure destination tells the operators with the
 * error, the errors alarm counts the errors. Once the fault clears, the minute's re-check (a Scheduled Event) starts
 * exactly one failover; a further re-check starts nothing.
 */
final class DetectorFailsScenario implements Scenario {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "detector-fails";
    }

    @Override
    public String summary() {
        return "DetectImpairment throttled on the alarm's event and Lambda's retries: operators told; the minute's re-check fails over once";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.setUp(1);
        run.impairPrimary();
        run.controlPlane.throttleAlarmReads(true);
        JsonNode event = run.controlPlane.alarmEvent(run.controlPlane.alarmName(), "ALARM", Instant.now());
        var invocation = run.report.step("EventBridge invokes DetectImpairment asynchronously with the alarm's event while CloudWatch throttles "
                + "DescribeAlarms (Lambda retries as EventInvokeConfig in template.yaml says)", () -> run.controlPlane.invokeDetectImpairmentAsynchronously(event));
        run.report.figure("DetectImpairment invocations (1 + MaximumRetryAttempts), failed", invocation.invocations() + ", " + invocation.errors());
        run.report.expect("every attempt Lambda makes failed (1 + MaximumRetryAttempts = " + invocation.attemptsAllowed() + ")",
                invocation.invocations() == invocation.attemptsAllowed() && invocation.errors() == invocation.attemptsAllowed(), invocation);
        run.report.expect("no failover was started", run.controlPlane.failoversStarted() == 0, run.controlPlane.failoversStarted());
        expectOperatorsToldOfTheFailure(run, invocation);
        expectErrorsAlarm(run, invocation.errors());

        run.report.step("The fault clears: DescribeAlarms answers again", () -> {
            run.controlPlane.throttleAlarmReads(false);
            return null;
        });
        String recheck = run.report.step("The minute's re-check (RecheckEveryMinute: events/scheduled-recheck.json)", run.controlPlane::recheck);
        run.report.expect("the re-check starts the failover (the alarm is still in ALARM)", recheck.startsWith("STARTED"), recheck);
        run.expectSucceeded("failover", run.failoverRan(run.report.step("Run the failover the re-check started", run.controlPlane::runStartedFailover)));
        String further = run.report.step("A further re-check", run.controlPlane::recheck);
        run.report.expect("a further re-check starts nothing (DUPLICATE or REFUSED)", further.startsWith("DUPLICATE") || further.startsWith("REFUSED"), further);
        run.report.expect("one failover in all", run.controlPlane.failoversStarted() == 1, run.controlPlane.startedFailovers());
        run.produceAfterFailover(run.options.extraRecords());
        run.finish();
    }

    /** The on-failure destination's record on the notification topic: the documented shape, with the error's text. */
    private static void expectOperatorsToldOfTheFailure(DrillRun run, LocalControlPlane.AsyncInvocation invocation) throws Exception {
        var told = run.controlPlane.notifications().stream().filter(n -> n.message().contains("RetriesExhausted")).toList();
        run.report.expect("the operators got Lambda's on-failure record on the notification topic", told.size() == 1, run.controlPlane.notifications());
        if (told.size() != 1) {
            return;
        }
        JsonNode record = JSON.readTree(told.getFirst().message());
        JsonNode context = record.path("requestContext");
        run.report.expect("it says the retries were exhausted after " + invocation.invocations() + " invocations",
                "RetriesExhausted".equals(context.path("condition").asText()) && context.path("approximateInvokeCount").asInt() == invocation.invocations(), context);
        run.report.expect("it carries the alarm's event", run.controlPlane.alarmName().equals(record.path("requestPayload").path("detail").path("alarmName").asText()),
                record.path("requestPayload"));
        JsonNode error = record.path("responsePayload");
        run.report.expect("it carries the error: TransientDependencyException, Throttling: Rate exceeded",
                error.path("errorType").asText().endsWith("TransientDependencyException") && error.path("errorMessage").asText().contains("Throttling")
                        && error.path("errorMessage").asText().contains("Rate exceeded"), error);
        run.report.figure("operators were told (on-failure record)", error.path("errorType").asText() + ": " + error.path("errorMessage").asText());
    }

    /**
     * What DetectImpairmentErrorsAlarm makes of the errors, per template.yaml: Lambda waits about a minute, then two,
     * between attempts, so each error falls in its own period; the alarm goes to ALARM if one period's Sum crosses
     * its threshold, and tells the topic (AlarmActions).
     */
    private static void expectErrorsAlarm(DrillRun run, int errors) throws Exception {
        JsonNode alarm = run.controlPlane.templateResource("DetectImpairmentErrorsAlarm").path("Properties");
        String operator = alarm.path("ComparisonOperator").asText();
        int threshold = alarm.path("Threshold").asInt();
        int errorsPerPeriod = Math.min(errors, 1);
        boolean breaches = switch (operator) {
            case "GreaterThanOrEqualToThreshold" -> errorsPerPeriod >= threshold;
            case "GreaterThanThreshold" -> errorsPerPeriod > threshold;
            default -> throw new IllegalStateException("DetectImpairmentErrorsAlarm's ComparisonOperator " + operator + " is not one the drill evaluates");
        };
        String name = alarm.path("AlarmName").asText().replace("${AWS::StackName}", run.controlPlane.stackName());
        run.report.figure("Errors counted by " + name, errors + " (" + alarm.path("Statistic").asText() + " per " + alarm.path("Period").asInt()
                + " s period: " + errorsPerPeriod + ", " + operator + " " + threshold + ")");
        run.report.expect("the errors alarm goes to ALARM on the errors (template.yaml's threshold)", breaches, errorsPerPeriod + " " + operator + " " + threshold);
        if (breaches) {
            run.controlPlane.publishAlarmAction(name, "Threshold Crossed: 1 datapoint [" + errorsPerPeriod + ".0] was " + operator + " " + threshold);
        }
    }
}
