package com.mskfailover.orchestrator.template;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.aws.CannedAwsResponses;
import com.mskfailover.orchestrator.aws.FakeAwsEndpoint;
import com.mskfailover.orchestrator.handlers.JsonHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every AWS action each function's code really calls is allowed by that function's policy in template.yaml. Each
 * handler is built the way Lambda builds it (public no-argument constructor, adapters from the environment), its
 * SDK clients pointed at a local endpoint that records each request as its IAM action, and run on a typical input
 * against real brokers.
 */
@Tag("integration")
class IamCoverageTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SamTemplate TEMPLATE = new SamTemplate();
    private static final String FAILOVER_EXECUTION = "arn:aws:states:us-east-2:123456789012:execution:msk-failover-failover:manual-1";

    /**
     * Kafka calls go over the Kafka protocol, not HTTP: what KafkaAdminInspector needs (describeCluster, listTopics,
     * describeTopics, listOffsets, listConsumerGroupOffsets) by the handlers that use it.
     */
    private static final Map<String, Set<String>> KAFKA_CLUSTER_ACTIONS = Map.of(
            // Both also read consumer groups' offsets (listGroups, listConsumerGroupOffsets): the plan's on both clusters, every group on the secondary.
            "CheckSecondaryReady", Set.of("kafka-cluster:Connect", "kafka-cluster:DescribeCluster", "kafka-cluster:DescribeTopic",
                    "kafka-cluster:DescribeGroup"),
            "CheckPrimaryHealthy", Set.of("kafka-cluster:Connect", "kafka-cluster:DescribeCluster", "kafka-cluster:DescribeTopic",
                    "kafka-cluster:DescribeGroup"),
            // It reads the records behind the reverse flow's position to count only what applications wrote.
            "CheckReverseReplicationLag", Set.of("kafka-cluster:Connect", "kafka-cluster:DescribeTopic", "kafka-cluster:DescribeGroup",
                    "kafka-cluster:ReadData"),
            // With an MSK Replicator it reads records of both clusters (the secondary's last own records, found on the primary).
            "CheckSecondaryConsumersDrained", Set.of("kafka-cluster:Connect", "kafka-cluster:DescribeTopic", "kafka-cluster:DescribeGroup",
                    "kafka-cluster:ReadData"),
            "StopReverseReplication", Set.of("kafka-cluster:Connect", "kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"),
            // It reads the secondary's records (copies or not) and asks describeProducers, which needs read access too.
            "CheckSecondaryQuiet", Set.of("kafka-cluster:Connect", "kafka-cluster:DescribeTopic", "kafka-cluster:DescribeGroup", "kafka-cluster:ReadData"),
            "DetectImpairment", Set.of("kafka-cluster:Connect", "kafka-cluster:DescribeCluster", "kafka-cluster:DescribeTopic",
                    "kafka-cluster:CreateTopic", "kafka-cluster:WriteData"),
            "CheckForwardReplicationCaughtUp", Set.of("kafka-cluster:Connect", "kafka-cluster:DescribeTopic", "kafka-cluster:DescribeGroup"),
            "ProbePrimary", Set.of("kafka-cluster:Connect", "kafka-cluster:DescribeCluster", "kafka-cluster:DescribeTopic",
                    "kafka-cluster:CreateTopic", "kafka-cluster:WriteData"));

    @AfterAll
    static void restore() {
        AwsPorts.replaceShared(null);
    }

    /** Both flows replicator-task (ECS on the failback, the forward replicator's metrics in its own namespace). */
    @Test
    void withReplicatorTaskFlowsEveryFunctionsPolicyAllowsWhatItsCodeCalls() throws Exception {
        Map<String, Set<String>> calledByFunction = everyFunctionOn(deployment("replicator-task", "route53-change"));
        assertTrue(calledByFunction.get("StartReverseReplication").contains("ecs:RunTask"), calledByFunction.toString());
        assertTrue(calledByFunction.get("StopReverseReplication").contains("ecs:StopTask"), calledByFunction.toString());
        assertTrue(calledByFunction.values().stream().flatMap(Set::stream).noneMatch(action -> action.contains("Replicator")),
                "no MSK Replicator call with replicator-task flows: " + calledByFunction);
    }

    /** Both flows MSK Replicator (the failback creates one in the primary's Region and deletes it; forward metrics in AWS/Kafka). */
    @Test
    void withMskReplicatorFlowsEveryFunctionsPolicyAllowsWhatItsCodeCalls() throws Exception {
        Map<String, Set<String>> calledByFunction = everyFunctionOn(deployment("msk-replicator", "route53-change"));
        assertEquals(Set.of("kafka:CreateReplicator", "kafka:DescribeClusterV2", "kafka:ListReplicators"),
                calledByFunction.get("StartReverseReplication"));
        assertTrue(calledByFunction.get("CheckReverseReplicationLag").containsAll(Set.of("kafka:DescribeReplicator", "cloudwatch:GetMetricData")),
                calledByFunction.toString());
        assertEquals(Set.of("kafka:DeleteReplicator", "kafka:DescribeReplicator", "kafka:GetBootstrapBrokers", "kafka-cluster:Connect",
                "kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"), calledByFunction.get("StopReverseReplication"), "it reads both clusters before the delete");
        assertTrue(calledByFunction.values().stream().flatMap(Set::stream).noneMatch(action -> action.startsWith("ecs:")),
                "no ECS call with an MSK Replicator as the reverse flow: " + calledByFunction);
        for (String readsTheForwardReplicatorsMetrics : List.of("CheckSecondaryReady", "VerifyForwardReplication", "CheckForwardReplicationCaughtUp")) {
            assertTrue(calledByFunction.get(readsTheForwardReplicatorsMetrics).contains("cloudwatch:GetMetricData"),
                    readsTheForwardReplicatorsMetrics + " read MSK Replicator's metrics: " + calledByFunction);
        }
    }

    @Test
    void inArcRoutingControlModeTheAliasFunctionsPoliciesAllowWhatTheyCall() throws Exception {
        CannedAwsResponses responses = new CannedAwsResponses();
        responses.bootstrapByCluster.put(TestPorts.PRIMARY_ARN, SharedClusters.primary().bootstrapServers());
        responses.bootstrapByCluster.put(TestPorts.SECONDARY_ARN, SharedClusters.secondary().bootstrapServers());
        try (FakeAwsEndpoint endpoint = new FakeAwsEndpoint(responses)) {
            Map<String, String> deployment = deployment("msk-replicator", "arc-routing-control");
            deployment.put("ArcClusterEndpoints", "us-east-2=" + endpoint.uri());
            Map<String, String> inputs = new LinkedHashMap<>(typicalInputs(endpoint, deployment));
            inputs.keySet().retainAll(Set.of("FlipBootstrapAliases", "CheckAliasesInSync", "DetectImpairment"));
            inputs.put("CheckAliasesInSync", inputs.get("CheckAliasesInSync").replace("/change/C0FFEE", "arc-routing-control:secondary:" + TestPorts.PRODUCER_ALIAS));

            Map<String, Set<String>> calledByFunction = callsAllowedByEachPolicy(endpoint, deployment, inputs);
            assertEquals(Set.of("kafka:GetBootstrapBrokers", "route53-recovery-cluster:GetRoutingControlState",
                    "route53-recovery-cluster:UpdateRoutingControlStates"), calledByFunction.get("FlipBootstrapAliases"));
            assertEquals(Set.of("route53-recovery-cluster:GetRoutingControlState"), calledByFunction.get("CheckAliasesInSync"));
            assertTrue(calledByFunction.get("DetectImpairment").contains("route53-recovery-cluster:GetRoutingControlState"), calledByFunction.toString());
            assertTrue(calledByFunction.values().stream().flatMap(Set::stream).noneMatch(action -> action.startsWith("route53:")),
                    "no Route 53 control-plane call in arc-routing-control mode: " + calledByFunction);
        }
    }

    /** Every function of the stack run once on a typical input, in that deployment; the actions each called. */
    private static Map<String, Set<String>> everyFunctionOn(Map<String, String> deployment) throws Exception {
        CannedAwsResponses responses = responsesOnTheSharedClustersWithTopicCustomer();
        // Running at once, so that the lag checks go on to read its MessageLag (a CREATING one is not read).
        responses.createdReplicatorState = "RUNNING";
        try (ServerSocket closed = new ServerSocket(0); FakeAwsEndpoint endpoint = new FakeAwsEndpoint(responses)) {
            // DetectImpairment reads the alias record: it names a primary that does not answer, so it goes on to start a failover.
            responses.aliasTxtValue = BootstrapAliasRecord.of(TestPorts.PRODUCER_ALIAS, TestPorts.PRIMARY_ARN, "us-east-1",
                    "127.0.0.1:" + closed.getLocalPort()).txtValue();
            closed.close();
            responses.lockHolderArn = "arn:aws:states:us-east-2:123456789012:execution:msk-failover-failback:aborted-one";
            Map<String, String> inputs = typicalInputs(endpoint, deployment);
            Map<String, Set<String>> calledByFunction = callsAllowedByEachPolicy(endpoint, deployment, inputs);
            assertEquals(Set.of("kafka:GetBootstrapBrokers", "route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"),
                    calledByFunction.get("FlipBootstrapAliases"));
            assertTrue(calledByFunction.get("DetectImpairment").containsAll(Set.of("states:StartExecution", "cloudwatch:GetMetricData",
                    "cloudwatch:DescribeAlarms")), "the primary Region's metrics and the arming were read: " + calledByFunction);
            assertEquals(Set.of("dynamodb:PutItem", "dynamodb:GetItem", "states:DescribeExecution"), calledByFunction.get("AcquireOperationLock"));
            assertEquals(Set.of("dynamodb:DeleteItem"), calledByFunction.get("ReleaseOperationLock"));
            assertEquals(new TreeSet<>(TemplateTest.allowedActionsByFunction(TEMPLATE).keySet()), new TreeSet<>(inputs.keySet()),
                    "every function was exercised");
            return calledByFunction;
        }
    }

    /**
     * The stack's parameters in a mode it can be deployed in (rule ReverseFlowMatchesTheForwardFlow: both flows alike),
     * for this machine's clusters: plaintext, their bootstrap strings, a short probe.
     */
    private static Map<String, String> deployment(String replicationMode, String aliasSwitchMode) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("ForwardReplicationMode", replicationMode);
        parameters.put("ReverseReplicationMode", replicationMode);
        parameters.put("AliasSwitchMode", aliasSwitchMode);
        parameters.put("KafkaAuth", "none");
        parameters.put("ProbeTimeoutSeconds", "1");
        parameters.put("PrimaryBootstrapServers", SharedClusters.primary().bootstrapServers());
        parameters.put("SecondaryBootstrapServers", SharedClusters.secondary().bootstrapServers());
        parameters.put("ForwardReplicatorArn", CannedAwsResponses.FORWARD_REPLICATOR_ARN);
        return parameters;
    }

    /** The environment template.yaml gives the function in that deployment, its SDK clients pointed at the local endpoint. */
    private static Map<String, String> environmentOf(String function, FakeAwsEndpoint endpoint, Map<String, String> deployment) {
        return endpoint.environment(TEMPLATE.functionEnvironment(function + "Function", deployment));
    }

    /** Canned AWS answers whose GetBootstrapBrokers name the shared clusters, both holding topic customer. */
    private static CannedAwsResponses responsesOnTheSharedClustersWithTopicCustomer() {
        SharedClusters.primary().clients().createTopic("customer", 3);
        SharedClusters.secondary().clients().createTopic("customer", 3);
        CannedAwsResponses responses = new CannedAwsResponses();
        responses.bootstrapByCluster.put(TestPorts.PRIMARY_ARN, SharedClusters.primary().bootstrapServers());
        responses.bootstrapByCluster.put(TestPorts.SECONDARY_ARN, SharedClusters.secondary().bootstrapServers());
        return responses;
    }

    /** Runs each function on its input as Lambda would and checks its policy allows every action it called; returns those actions. */
    private static Map<String, Set<String>> callsAllowedByEachPolicy(FakeAwsEndpoint endpoint, Map<String, String> deployment,
                                                                     Map<String, String> inputs) throws ReflectiveOperationException {
        Map<String, Set<String>> allowed = TemplateTest.allowedActionsByFunction(TEMPLATE);
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> calledByFunction = new LinkedHashMap<>();
        for (var entry : inputs.entrySet()) {
            String function = entry.getKey();
            // Each function its own instance, as each Lambda function has its own containers (and caches).
            AwsPorts.replaceShared(new AwsPorts(environmentOf(function, endpoint, deployment)));
            int before = endpoint.requests().size();
            JsonHandler<?, ?> handler = (JsonHandler<?, ?>) Class.forName("com.mskfailover.orchestrator.handlers." + function)
                    .getConstructor().newInstance();
            try {
                handler.handleJson(entry.getValue());
            } catch (RuntimeException expectedSometimes) {
                // A wait that is not done yet, or a probe that fails, still made its calls.
            }
            Set<String> called = new TreeSet<>();
            endpoint.requests().subList(before, endpoint.requests().size()).forEach(request -> called.add(request.action()));
            called.addAll(KAFKA_CLUSTER_ACTIONS.getOrDefault(function, Set.of()));
            calledByFunction.put(function, called);
            for (String action : called) {
                if (!allowed.getOrDefault(function, Set.of()).contains(action)) {
                    problems.add(function + " calls " + action + " but its policy does not allow it");
                }
            }
        }
        System.out.println("AWS actions called per function: " + calledByFunction);
        assertEquals(List.of(), problems);
        return calledByFunction;
    }

    private static Map<String, String> typicalInputs(FakeAwsEndpoint endpoint, Map<String, String> deployment) throws IOException {
        AwsPorts.replaceShared(new AwsPorts(environmentOf("ValidateFailoverInput", endpoint, deployment)));
        String failoverStart = Files.readString(StateMachineRun.event("failover-start.json"));
        String failbackStart = Files.readString(StateMachineRun.event("failback-start.json"));
        String failoverPlan = newHandler("ValidateFailoverInput").handleJson(failoverStart);
        String failbackPlan = newHandler("ValidateFailbackInput").handleJson(failbackStart);
        String running = deployment.get("ReverseReplicationMode").equals("msk-replicator") ? CannedAwsResponses.REVERSE_REPLICATOR_ARN
                : "arn:aws:ecs:us-east-2:123456789012:task/replicators/0123456789abcdef";
        String replication = "{\"taskIds\":[\"" + running + "\"],\"replicatorName\":\"failback-replicator\","
                + "\"reused\":false,\"lag\":-1,\"catchUp\":{\"timeoutSeconds\":30}}";
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put("ValidateFailoverInput", failoverStart);
        inputs.put("ValidateFailbackInput", failbackStart);
        inputs.put("CheckSecondaryReady", "{\"plan\":" + failoverPlan + "}");
        inputs.put("CheckPrimaryHealthy", "{\"plan\":" + failbackPlan + "}");
        inputs.put("FlipBootstrapAliases", "{\"plan\":" + failoverPlan + ",\"target\":\"secondary\",\"aliases\":[\"" + TestPorts.PRODUCER_ALIAS + "\"]}");
        inputs.put("CheckAliasesInSync", "{\"move\":{\"changeId\":\"/change/C0FFEE\",\"target\":\"secondary\",\"clusterArn\":\"" + TestPorts.SECONDARY_ARN
                + "\",\"aliases\":[],\"previous\":[],\"sync\":{\"timeoutSeconds\":30}}}");
        inputs.put("StartReverseReplication", "{\"plan\":" + failbackPlan + "}");
        inputs.put("CheckReverseReplicationLag", "{\"plan\":" + failbackPlan + ",\"replication\":" + replication + "}");
        inputs.put("CheckSecondaryConsumersDrained", "{\"plan\":" + failbackPlan + ",\"replication\":" + replication
                + ",\"drain\":{\"poll\":{\"timeoutSeconds\":30}},\"targets\":{},\"producersMovedAt\":\"2026-12-06T10:00:00Z\"}");
        inputs.put("CheckSecondaryQuiet", "{\"plan\":" + failbackPlan + ",\"replication\":" + replication + ",\"quiet\":{\"poll\":{\"timeoutSeconds\":30}}}");
        inputs.put("StopReverseReplication", "{\"plan\":" + failbackPlan + ",\"replication\":" + replication + "}");
        inputs.put("VerifyForwardReplication", "{\"plan\":" + failbackPlan + ",\"poll\":{\"timeoutSeconds\":30}}");
        // The primary quiet since the last check (its log ends as they are now): the check goes on to read the forward lag.
        ObjectNode logEnds = JSON.createObjectNode();
        SharedClusters.primary().clients().endOffsets("customer").forEach((partition, end) -> logEnds.put(partition.toString(), end));
        inputs.put("CheckForwardReplicationCaughtUp", "{\"plan\":" + failoverPlan + ",\"catchUp\":{\"poll\":{\"timeoutSeconds\":30},"
                + "\"primaryLogEnds\":" + logEnds + ",\"checkedAt\":\"2026-12-06T10:00:00Z\"}}");
        ObjectNode failedState = JSON.createObjectNode();
        failedState.putObject("error").put("Error", "x").put("Cause", "y");
        // The lock held by an aborted failback: the acquire is refused, reads the holder, asks Step Functions, takes over.
        inputs.put("AcquireOperationLock", "{\"plan\":" + failoverPlan + ",\"execution\":{\"id\":\"" + FAILOVER_EXECUTION
                + "\",\"startTime\":\"2026-12-06T10:00:00Z\"}}");
        inputs.put("ReleaseOperationLock", "{\"execution\":{\"id\":\"" + FAILOVER_EXECUTION + "\"}}");
        inputs.put("NotifyOperators", "{\"operation\":\"failover\",\"outcome\":\"failed\",\"state\":" + failedState + "}");
        inputs.put("DetectImpairment", Files.readString(StateMachineRun.event("alarm-primary-impaired.json")));
        inputs.put("CheckReverseFlowReady", "{\"plan\":" + failoverPlan + "}");
        inputs.put("CheckAliasRecords", "{\"plan\":" + failoverPlan + "}");
        inputs.put("ReportPreflight", "{\"checks\":[{\"check\":\"CheckSecondaryReady\",\"passed\":false,\"error\":\"x\",\"cause\":\"y\"}]}");
        inputs.put("ProbePrimary", "{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\",\"detail\":{}}");
        return inputs;
    }

    private static JsonHandler<?, ?> newHandler(String name) {
        try {
            return (JsonHandler<?, ?>) Class.forName("com.mskfailover.orchestrator.handlers." + name).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

}
