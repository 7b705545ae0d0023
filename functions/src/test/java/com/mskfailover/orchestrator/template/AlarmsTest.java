package com.mskfailover.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.orchestrator.StateMachineRun;
import org.junit.jupiter.api.Test;
import software.amazon.event.ruler.Ruler;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alarms and rules an SRE relies on, checked where they can fail: every one notifies the topic, and the
 * event patterns are run by EventBridge's own matching engine (event-ruler) against the events AWS sends.
 */
class AlarmsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLUSTER = "arn:aws:ecs:us-east-2:123456789012:cluster/msk-failover-ReplicatorCluster-AbC";
    private final SamTemplate template = new SamTemplate();

    @Test
    void everyAlarmOfTheStackNotifiesTheTopic() {
        Map<String, JsonNode> alarms = template.resourcesOfType("AWS::CloudWatch::Alarm");
        assertTrue(alarms.keySet().containsAll(List.of("PrimaryUnreachableAlarm", "PrimaryNotWritableAlarm", "DetectImpairmentErrorsAlarm", "ForwardReplicationOverRpoAlarm",
                "ForwardReplicationLagGrowingAlarm", "ForwardReplicationStalledAlarm", "FailbackReplicationStalledAlarm",
                "FailoverExecutionFailedAlarm", "FailbackExecutionFailedAlarm")), alarms.keySet().toString());
        alarms.forEach((id, alarm) -> assertTrue(alarm.path("Properties").path("AlarmActions").toString().contains("NotificationTopic"), id));
    }

    /** The execution alarms live in the monitoring stack: they must watch this stack's state machines, each its own. */
    @Test
    void theExecutionAlarmsWatchTheStacksOwnStateMachines() {
        JsonNode given = template.resources().get("Monitoring").path("Properties").path("Parameters");
        assertEquals("FailoverStateMachine", given.path("FailoverStateMachineArn").asText());
        assertEquals("FailbackStateMachine", given.path("FailbackStateMachineArn").asText());
        Map<String, String> machineByAlarm = Map.of("FailoverExecutionFailedAlarm", "FailoverStateMachineArn",
                "FailbackExecutionFailedAlarm", "FailbackStateMachineArn");
        machineByAlarm.forEach((alarm, machine) -> {
            List<String> watched = new java.util.ArrayList<>();
            template.resources().get(alarm).path("Properties").path("Metrics").forEach(metric ->
                    metric.path("MetricStat").path("Metric").path("Dimensions").forEach(dimension -> watched.add(dimension.path("Value").asText())));
            assertEquals(List.of(machine, machine, machine), watched, alarm + ": failed, timed out and aborted executions of " + machine);
        });
    }

    @Test
    void aReplicatorTaskThatStopsByItselfIsReportedOneStoppedAtTheEndOfAFailbackIsNot() throws Exception {
        String rule = pattern("ReplicatorTaskStoppedRule");
        assertTrue(Ruler.matchesRule(taskStopped("EssentialContainerExited", CLUSTER).toString(), rule), "a task whose container exited");
        assertTrue(Ruler.matchesRule(taskStopped("TaskFailedToStart", CLUSTER).toString(), rule), "a task that could not start");
        assertFalse(Ruler.matchesRule(taskStopped("UserInitiated", CLUSTER).toString(), rule), "StopTask at the end of a failback");
        assertFalse(Ruler.matchesRule(taskStopped("EssentialContainerExited", CLUSTER.replace("Replicator", "Other")).toString(), rule),
                "a task of another cluster");
        JsonNode running = taskStopped("EssentialContainerExited", CLUSTER);
        ((ObjectNode) running.path("detail")).put("lastStatus", "RUNNING");
        assertFalse(Ruler.matchesRule(running.toString(), rule), "a task that is still running");

        // The cluster the rule watches is the one the failback runs its tasks in, across the nested stacks.
        JsonNode watched = template.resources().get("ReplicatorTaskStoppedRule").path("Properties").path("EventPattern").path("detail").path("clusterArn");
        assertEquals("[\"ReplicatorClusterArn\"]", watched.toString());
        JsonNode given = template.resources().get("Monitoring").path("Properties").path("Parameters").path("ReplicatorClusterArn");
        assertEquals("[\"ReversesWithReplicatorTask\",\"ReverseReplication.Outputs.ClusterArn\",\"\"]", given.toString(),
                "the cluster exists only in replicator-task mode");
        assertEquals("ReversesWithReplicatorTask", template.resources().get("ReplicatorTaskStoppedRule").path("Condition").asText());
        assertEquals("ReplicatorCluster.Arn", template.nestedTemplates().get("ReverseReplication").path("Outputs").path("ClusterArn").path("Value").asText());
        assertEquals("AWS::ECS::Cluster", template.resources().get("ReplicatorCluster").path("Type").asText());

        JsonNode target = template.resources().get("ReplicatorTaskStoppedRule").path("Properties").path("Targets").get(0);
        assertEquals("NotificationTopicArn", target.path("Arn").asText());
        assertEquals("NotificationTopic", template.resources().get("Monitoring").path("Properties").path("Parameters").path("NotificationTopicArn").asText(),
                "the monitoring stack's topic is the stack's notification topic");
        JsonNode policy = template.resources().get("NotificationTopicPolicy").path("Properties").path("PolicyDocument");
        assertTrue(policy.toString().contains("events.amazonaws.com") && policy.toString().contains("ReplicatorTaskStoppedRule.Arn"),
                "the topic lets only that rule publish through EventBridge: " + policy);
    }

    @Test
    void theSampleAlarmEventStartsAFailoverOnlyWhileAutomaticFailoverIsEnabled() throws Exception {
        JsonNode properties = template.resources().get("DetectImpairmentFunction").path("Properties").path("Events")
                .path("AlarmStateChange").path("Properties");
        ObjectNode pattern = (ObjectNode) properties.path("Pattern").deepCopy();
        // !Split/!Join/!Sub resolved as CloudFormation would for stack msk-failover without WatchedAlarmNames.
        ((ObjectNode) pattern.path("detail")).set("alarmName", JSON.valueToTree(List.of("msk-failover-primary-unreachable")));
        String impaired = Files.readString(StateMachineRun.projectRoot().resolve("events/alarm-primary-impaired.json"));
        String recovered = Files.readString(StateMachineRun.projectRoot().resolve("events/alarm-primary-recovered.json"));
        assertTrue(Ruler.matchesRule(impaired, pattern.toString()), "events/alarm-primary-impaired.json reaches DetectImpairment");
        assertFalse(Ruler.matchesRule(recovered, pattern.toString()), "an OK state change does not");
        assertEquals("[\"FailsOverAutomatically\",\"ENABLED\",\"DISABLED\"]", properties.path("State").toString(),
                "AutomaticFailover=disabled turns the rule off");
    }

    /**
     * DetectImpairment's failures reach the operators: after Lambda's retries the failure destination hands the event
     * and the error to the topic, an alarm counts its errors, and the minute's re-check (on with automatic failover)
     * evaluates again while a watched alarm stays in ALARM.
     */
    @Test
    void aDetectImpairmentThatFailsIsRetriedReportedAndEvaluatedAgain() {
        JsonNode function = template.resources().get("DetectImpairmentFunction").path("Properties");
        JsonNode invokeConfig = function.path("EventInvokeConfig");
        assertEquals("SNS", invokeConfig.path("DestinationConfig").path("OnFailure").path("Type").asText(), invokeConfig.toString());
        assertEquals("NotificationTopic", invokeConfig.path("DestinationConfig").path("OnFailure").path("Destination").asText(), invokeConfig.toString());
        assertTrue(invokeConfig.path("MaximumRetryAttempts").asInt() >= 1, invokeConfig.toString());
        assertTrue(SamTemplate.allowedActions(template.resources().get("DetectImpairmentFunction")).contains("sns:Publish"),
                "the role may publish to the destination");

        JsonNode errors = template.resources().get("DetectImpairmentErrorsAlarm").path("Properties");
        assertEquals("AWS/Lambda", errors.path("Namespace").asText());
        assertEquals("Errors", errors.path("MetricName").asText());
        assertEquals("DetectImpairmentFunction", errors.path("Dimensions").get(0).path("Value").asText());
        assertEquals("GreaterThanOrEqualToThreshold", errors.path("ComparisonOperator").asText());
        assertEquals(1, errors.path("Threshold").asInt());

        JsonNode recheck = function.path("Events").path("RecheckEveryMinute");
        assertEquals("Schedule", recheck.path("Type").asText());
        assertEquals("rate(1 minute)", recheck.path("Properties").path("Schedule").asText());
        assertEquals("[\"FailsOverAutomatically\",\"ENABLED\",\"DISABLED\"]", recheck.path("Properties").path("State").toString());
    }

    /** The stack's own watched alarms are the ones ImpairmentDetector knows as triggers (not user votes), in the rule and the environment alike. */
    @Test
    void theStacksOwnWatchedAlarmsAreTheDetectorsTriggers() {
        String pattern = template.resources().get("DetectImpairmentFunction").path("Properties").path("Events")
                .path("AlarmStateChange").path("Properties").path("Pattern").path("detail").path("alarmName").toString();
        String environment = template.resources().get("DetectImpairmentFunction").path("Properties").path("Environment").path("Variables").path("WATCHED_ALARM_NAMES").toString();
        for (String suffix : com.mskfailover.orchestrator.domain.ImpairmentDetector.STACK_ALARM_SUFFIXES) {
            assertTrue(pattern.contains("${AWS::StackName}" + suffix), suffix + " in " + pattern);
            assertTrue(environment.contains("${AWS::StackName}" + suffix), suffix + " in " + environment);
            assertTrue(template.resourcesOfType("AWS::CloudWatch::Alarm").values().stream()
                    .anyMatch(alarm -> alarm.path("Properties").path("AlarmName").asText().equals("${AWS::StackName}" + suffix)), suffix);
        }
        JsonNode notWritable = template.resources().get("PrimaryNotWritableAlarm").path("Properties");
        assertEquals("PrimaryCanaryWritable", notWritable.path("MetricName").asText());
        assertEquals("breaching", notWritable.path("TreatMissingData").asText(), "a canary that cannot report counts as failing");
    }

    private String pattern(String ruleId) {
        ObjectNode pattern = (ObjectNode) template.resources().get(ruleId).path("Properties").path("EventPattern").deepCopy();
        ((ObjectNode) pattern.path("detail")).set("clusterArn", JSON.valueToTree(List.of(CLUSTER)));
        return pattern.toString();
    }

    /** An ECS Task State Change event as EventBridge delivers it (fields the rule reads, as in the ECS documentation). */
    private static JsonNode taskStopped(String stopCode, String cluster) throws Exception {
        return JSON.readTree("""
                {"version": "0", "id": "3317b2af-7005-947d-b652-f55e762e571a", "detail-type": "ECS Task State Change",
                 "source": "aws.ecs", "account": "123456789012", "time": "2026-11-25T10:00:00Z", "region": "us-east-2",
                 "resources": ["arn:aws:ecs:us-east-2:123456789012:task/replicators/0123456789abcdef"],
                 "detail": {"clusterArn": "%s", "taskArn": "arn:aws:ecs:us-east-2:123456789012:task/replicators/0123456789abcdef",
                            "lastStatus": "STOPPED", "desiredStatus": "STOPPED", "stopCode": "%s",
                            "stoppedReason": "Essential container in task exited", "startedBy": "failback-replicator",
                            "containers": [{"name": "replicator-task", "exitCode": 1, "lastStatus": "STOPPED"}]}}
                """.formatted(cluster, stopCode));
    }
}
