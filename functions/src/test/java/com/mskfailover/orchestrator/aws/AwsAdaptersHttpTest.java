package com.mskfailover.orchestrator.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.orchestrator.domain.TransientDependencyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AWS adapters' requests as they go over the wire, against a local endpoint. */
class AwsAdaptersHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRIMARY = "arn:aws:kafka:us-east-1:123456789012:cluster/msk-primary/0f1e2d3c-1";
    private static final String SECONDARY = "arn:aws:kafka:us-east-2:123456789012:cluster/msk-secondary/1a2b3c4d-2";

    private final CannedAwsResponses responses = new CannedAwsResponses();
    private final FakeAwsEndpoint endpoint = new FakeAwsEndpoint(responses);
    private final AwsPorts ports = new AwsPorts(endpoint.environment(Map.ofEntries(
            Map.entry("PRIMARY_CLUSTER_ARN", PRIMARY), Map.entry("SECONDARY_CLUSTER_ARN", SECONDARY),
            Map.entry("PRODUCER_ALIAS_NAMES", "kafka-producers.msk.internal"), Map.entry("CONSUMER_ALIAS_NAMES", "kafka-consumers.msk.internal"),
            Map.entry("HOSTED_ZONE_ID", "Z0123456789ABC"), Map.entry("ALIAS_TTL_SECONDS", "30"),
            Map.entry("ECS_CLUSTER_ARN", "arn:aws:ecs:us-east-2:123456789012:cluster/replicators"),
            Map.entry("REPLICATOR_TASK_DEFINITION_ARN", "arn:aws:ecs:us-east-2:123456789012:task-definition/replicator-task:3"),
            Map.entry("SUBNET_IDS", "subnet-1,subnet-2"), Map.entry("SECURITY_GROUP_IDS", "sg-1"),
            Map.entry("NOTIFICATION_TOPIC_ARN", "arn:aws:sns:us-east-2:123456789012:msk-failover"),
            Map.entry("FAILOVER_STATE_MACHINE_ARN", "arn:aws:states:us-east-2:123456789012:stateMachine:failover"),
            Map.entry("FAILBACK_STATE_MACHINE_ARN", "arn:aws:states:us-east-2:123456789012:stateMachine:failback"))));

    @AfterEach
    void close() {
        endpoint.close();
    }

    @Test
    void aForwardMskReplicatorsMessageLagCountsOnlyFromAMinuteThatStartedAfterTheGivenMoment() {
        var forward = new AwsPorts(endpoint.environment(Map.of("PRIMARY_CLUSTER_ARN", PRIMARY, "SECONDARY_CLUSTER_ARN", SECONDARY,
                "PRODUCER_ALIAS_NAMES", "kafka-producers.msk.internal", "CONSUMER_ALIAS_NAMES", "kafka-consumers.msk.internal",
                "FORWARD_REPLICATION_MODE", "msk-replicator",
                "FORWARD_REPLICATOR_ARN", CannedAwsResponses.FORWARD_REPLICATOR_ARN))).forwardReplication();
        java.time.Instant quiet = java.time.Instant.parse("2026-12-06T10:00:30Z");
        responses.metricValue = 0;
        responses.metricTimestamp = java.time.Instant.parse("2026-12-06T10:00:00Z");
        assertEquals(java.util.OptionalLong.empty(), forward.messageLag(quiet), "a minute that began before the primary went quiet says nothing");
        responses.metricTimestamp = java.time.Instant.parse("2026-12-06T10:01:00Z");
        assertEquals(java.util.OptionalLong.of(0), forward.messageLag(quiet));
        responses.metricTimestamp = null;
        assertEquals(java.util.OptionalLong.empty(), forward.messageLag(quiet), "a figure of unknown age counts as none");
        String query = new String(endpoint.requests("cloudwatch:GetMetricData").getLast().bytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(query.contains("MessageLag") && query.contains("AWS/Kafka") && query.contains("forward"), query);
        assertEquals(java.util.Optional.empty(), forward.offsetSyncMarker(), "MSK Replicator marks no offset sync");
    }

    @Test
    void everyRequestIsSignedWithTheSessionCredentialsOfTheDefaultChainTokenIncluded() {
        // Lambda (and sam local invoke) give the role's session as AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY +
        // AWS_SESSION_TOKEN; keys without the token are refused by AWS. Here the build hands the same session to the
        // SDK's default chain (system properties, its first provider), and the function's environment names the keys too.
        Map<String, String> lambdaEnvironment = new java.util.HashMap<>(Map.of("AWS_ACCESS_KEY_ID", "AKIDLOCAL",
                "AWS_SECRET_ACCESS_KEY", "local-secret", "AWS_SESSION_TOKEN", System.getProperty("aws.sessionToken"),
                "NOTIFICATION_TOPIC_ARN", "arn:aws:sns:us-east-2:123456789012:msk-failover",
                "PRIMARY_CLUSTER_ARN", PRIMARY, "SECONDARY_CLUSTER_ARN", SECONDARY,
                "PRODUCER_ALIAS_NAMES", "kafka-producers.msk.internal", "CONSUMER_ALIAS_NAMES", "kafka-consumers.msk.internal"));
        assertEquals("local-session-token", System.getProperty("aws.sessionToken"), "set by functions/pom.xml");
        new AwsPorts(endpoint.environment(lambdaEnvironment)).notifier().publish("subject", "message");
        ports.alarmStates().stateOf("msk-failover-primary-unreachable");

        assertEquals(2, endpoint.requests().size());
        for (FakeAwsEndpoint.Request request : endpoint.requests()) {
            assertEquals("local-session-token", request.headers().get("x-amz-security-token"), request.action() + " " + request.headers());
            assertTrue(request.headers().get("authorization").contains("Credential=AKIDLOCAL/"), request.headers().toString());
        }
    }

    @Test
    void route53ChangeIsOneBatchOfTxtUpsertsForEveryAlias() {
        BootstrapAliasRecord producers = BootstrapAliasRecord.of("kafka-producers.msk.internal", SECONDARY, "us-east-2",
                "b-1.secondary.kafka.us-east-2.amazonaws.com:9098,b-2.secondary.kafka.us-east-2.amazonaws.com:9098");
        BootstrapAliasRecord consumers = BootstrapAliasRecord.of("kafka-consumers.msk.internal", SECONDARY, "us-east-2",
                "b-1.secondary.kafka.us-east-2.amazonaws.com:9098,b-2.secondary.kafka.us-east-2.amazonaws.com:9098");

        String changeId = ports.bootstrapAliases().change(List.of(producers, consumers), "failover: point aliases at the secondary");

        assertTrue(changeId.endsWith("C0FFEE"), changeId);
        List<FakeAwsEndpoint.Request> changes = endpoint.requests("route53:ChangeResourceRecordSets");
        assertEquals(1, changes.size(), "one change batch");
        FakeAwsEndpoint.Request change = changes.getFirst();
        assertEquals("/2013-04-01/hostedzone/Z0123456789ABC/rrset/", change.path());
        String xml = change.body().replace("&quot;", "\"");
        assertEquals(4, xml.split("<Action>UPSERT</Action>", -1).length - 1, "two aliases and their region records: " + xml);
        assertTrue(xml.contains("<Name>region.kafka-producers.msk.internal</Name><Type>TXT</Type><TTL>30</TTL><ResourceRecords><ResourceRecord>"
                + "<Value>\"us-east-2\"</Value>"), xml);
        assertTrue(xml.contains("<Comment>failover: point aliases at the secondary</Comment>"), xml);
        assertTrue(xml.contains("<Name>kafka-producers.msk.internal</Name><Type>TXT</Type><TTL>30</TTL>"), xml);
        assertTrue(xml.contains("<Name>kafka-consumers.msk.internal</Name>"), xml);
        assertTrue(xml.contains("<Value>\"v=msk-bootstrap1\" \"cluster=" + SECONDARY + "\" \"region=us-east-2\" "
                + "\"broker=b-1.secondary.kafka.us-east-2.amazonaws.com:9098\" \"broker=b-2.secondary.kafka.us-east-2.amazonaws.com:9098\"</Value>"), xml);
        assertFalse(xml.contains("DELETE") || xml.contains("CREATE"), xml);
    }

    @Test
    void route53InSyncAndReadBack() {
        responses.changeStatus = "PENDING";
        assertFalse(ports.bootstrapAliases().isInSync("/change/C0FFEE"));
        responses.changeStatus = "INSYNC";
        assertTrue(ports.bootstrapAliases().isInSync("/change/C0FFEE"));
        assertTrue(endpoint.requests("route53:GetChange").getFirst().path().endsWith("/change/C0FFEE"), endpoint.requests().toString());

        responses.aliasTxtValue = BootstrapAliasRecord.of("kafka-producers.msk.internal", PRIMARY, "us-east-1", "b-1.p:9098").txtValue();
        var records = ports.bootstrapAliases().read(List.of("kafka-producers.msk.internal"));
        assertEquals(PRIMARY, records.get("kafka-producers.msk.internal").clusterArn());
        assertEquals("b-1.p:9098", records.get("kafka-producers.msk.internal").bootstrapServers());
        FakeAwsEndpoint.Request list = endpoint.requests("route53:ListResourceRecordSets").getFirst();
        assertTrue(list.path().contains("name=kafka-producers.msk.internal") && list.path().contains("type=TXT"), list.path());
    }

    @Test
    void route53ThrottlingIsATransientError() {
        endpoint.respondWith(request -> FakeAwsEndpoint.Response.error(400, "text/xml",
                "<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>PriorRequestNotComplete</Code>"
                        + "<Message>The request was rejected because Route 53 was still processing a prior request.</Message></Error><RequestId>r</RequestId></ErrorResponse>",
                "PriorRequestNotComplete"));
        var route53 = new Route53BootstrapAliases(software.amazon.awssdk.services.route53.Route53Client.builder()
                .endpointOverride(endpoint.uri()).region(software.amazon.awssdk.regions.Region.AWS_GLOBAL)
                .credentialsProvider(() -> software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("a", "b"))
                .overrideConfiguration(o -> o.retryStrategy(software.amazon.awssdk.core.retry.RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1)))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build(), "Z1", 60);
        var failure = assertThrows(TransientDependencyException.class, () -> route53.change(
                List.of(BootstrapAliasRecord.of("a.msk.internal", PRIMARY, "us-east-1", "b:9098")), "x"));
        assertTrue(failure.getMessage().contains("PriorRequestNotComplete"), failure.getMessage());
    }

    @Test
    void ecsRunTaskStartsReplicatorTaskOnFargateWithTheEnvironmentContract() throws Exception {
        List<String> taskArns = ports.replicatorTasks().start("failback-replicator", Map.of(
                "SOURCE_BOOTSTRAP_SERVERS", "b-1.secondary:9098", "TARGET_BOOTSTRAP_SERVERS", "b-1.primary:9098",
                "STARTING_POSITION", "earliest", "REPLICATOR_NAME", "failback-replicator", "LANES", "2"), "reverse-0123abcd", 2);

        assertEquals(2, taskArns.size(), taskArns.toString());
        String taskArn = taskArns.getFirst();
        assertTrue(taskArn.startsWith("arn:aws:ecs:"), taskArn);
        FakeAwsEndpoint.Request run = endpoint.requests("ecs:RunTask").getFirst();
        JsonNode body = JSON.readTree(run.body());
        assertEquals("arn:aws:ecs:us-east-2:123456789012:cluster/replicators", body.path("cluster").asText());
        assertEquals("arn:aws:ecs:us-east-2:123456789012:task-definition/replicator-task:3", body.path("taskDefinition").asText());
        assertEquals("FARGATE", body.path("launchType").asText());
        assertEquals("failback-replicator", body.path("startedBy").asText());
        assertEquals(2, body.path("count").asInt(), "the flow's tasks in one RunTask, under one client token");
        assertEquals("reverse-0123abcd", body.path("clientToken").asText(), "two starts with one token run the tasks once");
        JsonNode vpc = body.path("networkConfiguration").path("awsvpcConfiguration");
        assertEquals("[\"subnet-1\",\"subnet-2\"]", vpc.path("subnets").toString());
        assertEquals("DISABLED", vpc.path("assignPublicIp").asText());
        JsonNode container = body.path("overrides").path("containerOverrides").get(0);
        assertEquals("replicator-task", container.path("name").asText());
        assertTrue(container.path("environment").toString().contains("{\"name\":\"STARTING_POSITION\",\"value\":\"earliest\"}"), container.toString());

        assertEquals("RUNNING", ports.replicatorTasks().state(taskArn).status());
        ports.replicatorTasks().stop(taskArn, "failback done");
        JsonNode stop = JSON.readTree(endpoint.requests("ecs:StopTask").getFirst().body());
        assertEquals(taskArn, stop.path("task").asText());
        assertTrue(ports.replicatorTasks().findActive("failback-replicator").isEmpty());
        assertEquals("failback-replicator", JSON.readTree(endpoint.requests("ecs:ListTasks").getFirst().body()).path("startedBy").asText());
        assertEquals(List.of(), ports.replicatorTasks().recentlyStopped("failback-replicator"));
        JsonNode stoppedListing = JSON.readTree(endpoint.requests("ecs:ListTasks").getLast().body());
        assertEquals("STOPPED", stoppedListing.path("desiredStatus").asText());
        assertEquals("failback-replicator", stoppedListing.path("startedBy").asText());
    }

    @Test
    void stepFunctionsStartExecutionWithTheDeterministicNameAndDuplicatesStartNothing() throws Exception {
        assertTrue(ports.executions().startFailover("failover-msk-primary-impaired-0123456789abcdef", "{\"reason\":\"x\"}"));
        JsonNode start = JSON.readTree(endpoint.requests("states:StartExecution").getFirst().body());
        assertEquals("arn:aws:states:us-east-2:123456789012:stateMachine:failover", start.path("stateMachineArn").asText());
        assertEquals("failover-msk-primary-impaired-0123456789abcdef", start.path("name").asText());

        responses.executionAlreadyExists = true;
        assertFalse(ports.executions().startFailover("failover-msk-primary-impaired-0123456789abcdef", "{\"reason\":\"x\"}"));

        assertEquals(List.of(), ports.executions().running());
        List<FakeAwsEndpoint.Request> lists = endpoint.requests("states:ListExecutions");
        assertEquals(2, lists.size(), "failover and failback");
        assertEquals("RUNNING", JSON.readTree(lists.getFirst().body()).path("statusFilter").asText());
    }

    @Test
    void stepFunctionsTellsAnExecutionsStatusAndNothingForOneItDoesNotKnow() throws Exception {
        String holder = "arn:aws:states:us-east-2:123456789012:execution:msk-failover-failback:operator-1";
        responses.lockHolderArn = holder;
        responses.lockHolderStatus = "RUNNING";
        assertEquals(java.util.Optional.of("RUNNING"), ports.executions().status(holder));
        assertEquals(holder, JSON.readTree(endpoint.requests("states:DescribeExecution").getFirst().body()).path("executionArn").asText());

        responses.lockHolderStatus = null;
        assertEquals(java.util.Optional.empty(), ports.executions().status(holder), "ExecutionDoesNotExist: not running");
    }

    @Test
    void snsPublishCarriesSubjectAndMessage() {
        ports.notifier().publish("MSK failover FAILED: NotReady", "How to resume: ...");
        FakeAwsEndpoint.Request publish = endpoint.requests("sns:Publish").getFirst();
        String body = publish.body();
        boolean json = publish.headers().containsKey("x-amz-target");
        String topic = json ? body : publish.formField("TopicArn");
        assertTrue(topic.contains("arn:aws:sns:us-east-2:123456789012:msk-failover"), body);
        assertTrue(json ? body.contains("How to resume") : "How to resume: ...".equals(publish.formField("Message")), body);
    }

    @Test
    void mskBootstrapBrokersAreAskedInTheClustersOwnRegion() {
        responses.bootstrapBrokers = "b-1.primary.kafka.us-east-1.amazonaws.com:9098";
        assertEquals("b-1.primary.kafka.us-east-1.amazonaws.com:9098", ports.clusterDirectory().bootstrapServers(PRIMARY));
        FakeAwsEndpoint.Request get = endpoint.requests("kafka:GetBootstrapBrokers").getFirst();
        assertEquals("/v1/clusters/" + PRIMARY + "/bootstrap-brokers", get.path());
        assertTrue(get.headers().get("authorization").contains("/us-east-1/kafka/aws4_request"), get.headers().get("authorization"));
    }

    @Test
    void cloudWatchAlarmStateIsRead() {
        responses.alarmState = "ALARM";
        assertEquals("ALARM", ports.alarmStates().stateOf("msk-primary-impaired").orElseThrow());
        assertEquals(1, endpoint.requests("cloudwatch:DescribeAlarms").size(), endpoint.requests().toString());
    }

    @Test
    void theReverseMskReplicatorIsCreatedInThePrimarysRegionSecondaryToPrimaryIdenticalNamesFromEarliestWithoutOffsetSync() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("PRIMARY_CLUSTER_ARN", PRIMARY, "SECONDARY_CLUSTER_ARN", SECONDARY,
                "PRODUCER_ALIAS_NAMES", "kafka-producers.msk.internal", "CONSUMER_ALIAS_NAMES", "kafka-consumers.msk.internal",
                "REVERSE_REPLICATION_MODE", "msk-replicator",
                "REVERSE_REPLICATOR_SERVICE_ROLE_ARN", "arn:aws:iam::123456789012:role/msk-failover-ReverseReplicatorServiceRole-1"));
        var replicators = new AwsPorts(endpoint.environment(env)).reverseMskReplicators();

        assertEquals(java.util.Optional.empty(), replicators.findActive("failback-replicator"));
        String arn = replicators.create(new com.mskfailover.orchestrator.domain.ReverseMskReplicators.Spec("failback-replicator",
                SECONDARY, PRIMARY, List.of("customer"), List.of("msk-consumer")));

        assertEquals(CannedAwsResponses.REVERSE_REPLICATOR_ARN, arn);
        FakeAwsEndpoint.Request create = endpoint.requests("kafka:CreateReplicator").getFirst();
        assertTrue(create.headers().get("authorization").contains("/us-east-1/kafka/aws4_request"), "a replicator lives in its target's Region: "
                + create.headers().get("authorization"));
        JsonNode body = JSON.readTree(create.body());
        assertEquals("failback-replicator", body.path("replicatorName").asText(), create.body());
        assertEquals("arn:aws:iam::123456789012:role/msk-failover-ReverseReplicatorServiceRole-1", body.path("serviceExecutionRoleArn").asText());
        assertEquals(SECONDARY, body.path("kafkaClusters").path(0).path("amazonMskCluster").path("mskClusterArn").asText(), create.body());
        assertEquals("[\"subnet-s1\",\"subnet-s2\"]", body.path("kafkaClusters").path(0).path("vpcConfig").path("subnetIds").toString());
        assertEquals("[\"sg-s\"]", body.path("kafkaClusters").path(0).path("vpcConfig").path("securityGroupIds").toString());
        assertEquals(PRIMARY, body.path("kafkaClusters").path(1).path("amazonMskCluster").path("mskClusterArn").asText());
        assertEquals("[\"subnet-p1\",\"subnet-p2\"]", body.path("kafkaClusters").path(1).path("vpcConfig").path("subnetIds").toString());
        JsonNode info = body.path("replicationInfoList").path(0);
        assertEquals(SECONDARY, info.path("sourceKafkaClusterArn").asText());
        assertEquals(PRIMARY, info.path("targetKafkaClusterArn").asText());
        assertEquals("IDENTICAL", info.path("topicReplication").path("topicNameConfiguration").path("type").asText(), create.body());
        assertEquals("EARLIEST", info.path("topicReplication").path("startingPosition").path("type").asText());
        assertEquals("[\"^\\\\Qcustomer\\\\E$\"]", info.path("topicReplication").path("topicsToReplicate").toString());
        assertFalse(info.path("consumerGroupReplication").path("synchroniseConsumerGroupOffsets").asBoolean(true),
                "the failback's drain hands offsets over itself: " + create.body());
        List<String> describedIn = endpoint.requests("kafka:DescribeClusterV2").stream()
                .map(request -> request.headers().get("authorization").replaceAll(".*Credential=[^/]+/\\d+/([a-z0-9-]+)/kafka/.*", "$1")).sorted().toList();
        assertEquals(List.of("us-east-1", "us-east-2"), describedIn, "each cluster described in its own Region");

        assertEquals(java.util.Optional.of(arn), replicators.findActive("failback-replicator"), "a re-run finds the replicator being created");
        assertEquals("CREATING", replicators.state(arn).status());
        responses.metricTimestamp = java.time.Instant.parse("2026-12-07T10:01:00Z");
        assertEquals(List.of(new com.mskfailover.orchestrator.domain.MetricDatapoint(responses.metricTimestamp, 800)), replicators.messageLag(arn),
                "each value with the start of its minute");
        String metricQuery = new String(endpoint.requests("cloudwatch:GetMetricData").getFirst().bytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(metricQuery.contains("MessageLag") && metricQuery.contains("failback-replicator") && metricQuery.contains("AWS/Kafka"), metricQuery);
        assertTrue(endpoint.requests("cloudwatch:GetMetricData").getFirst().headers().get("authorization").contains("/us-east-1/monitoring/"),
                "MessageLag is published in the replicator's Region");

        replicators.delete(arn);
        assertEquals("/replication/v1/replicators/" + arn, endpoint.requests("kafka:DeleteReplicator").getFirst().path());
        assertTrue(replicators.state(arn).stopped(), "DELETING counts as stopped");
        responses.reverseReplicatorState = null;
        assertTrue(replicators.state(arn).detail().contains("does not exist"), replicators.state(arn).detail());
        replicators.delete(arn); // deleted already: a re-run of the last step
    }

    /** The failback's reverse flow as MSK Replicators, as a function of the stack sees it in that mode. */
    private com.mskfailover.orchestrator.domain.ReverseMskReplicators reverseMskReplicators() {
        return new AwsPorts(endpoint.environment(Map.of("PRIMARY_CLUSTER_ARN", PRIMARY, "SECONDARY_CLUSTER_ARN", SECONDARY,
                "PRODUCER_ALIAS_NAMES", "kafka-producers.msk.internal", "CONSUMER_ALIAS_NAMES", "kafka-consumers.msk.internal",
                "REVERSE_REPLICATION_MODE", "msk-replicator",
                "REVERSE_REPLICATOR_SERVICE_ROLE_ARN", "arn:aws:iam::123456789012:role/msk-failover-ReverseReplicatorServiceRole-1"))).reverseMskReplicators();
    }

    @Test
    void thePreflightReadsTheSecondarysConnectivityAndClusterPolicyInItsRegionAndNamesWhatAReverseReplicatorLacks() {
        var replicators = reverseMskReplicators();

        assertEquals(List.of(), replicators.sourceClusterPrerequisitesMissing(SECONDARY), "the MSK guide's policy, multi-VPC on");
        FakeAwsEndpoint.Request policy = endpoint.requests("kafka:GetClusterPolicy").getFirst();
        assertEquals("/v1/clusters/" + SECONDARY + "/policy", java.net.URLDecoder.decode(policy.path(), java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(policy.headers().get("authorization").contains("/us-east-2/kafka/aws4_request"), "asked in the secondary's Region");

        responses.sourceClusterPolicy = null;
        responses.multiVpcIam = false;
        List<String> missing = replicators.sourceClusterPrerequisitesMissing(SECONDARY);
        assertEquals(2, missing.size(), missing.toString());
        assertTrue(missing.get(0).startsWith("multi-VPC private connectivity for IAM is off on " + SECONDARY) && missing.get(0).contains("update-connectivity"), missing.get(0));
        assertTrue(missing.get(1).startsWith("no cluster policy on " + SECONDARY) && missing.get(1).contains("put-cluster-policy"), missing.get(1));

        responses.multiVpcIam = true;
        responses.sourceClusterPolicy = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"kafka.amazonaws.com\"},"
                + "\"Action\":[\"kafka:Describe*\",\"kafka:CreateVpcConnection\"],\"Resource\":\"*\"},"
                + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},\"Action\":\"kafka:GetBootstrapBrokers\",\"Resource\":\"*\"}]}";
        missing = replicators.sourceClusterPrerequisitesMissing(SECONDARY);
        assertEquals(1, missing.size(), missing.toString());
        assertTrue(missing.getFirst().contains("does not let kafka.amazonaws.com call [kafka:GetBootstrapBrokers]"), missing.getFirst());
    }

    @Test
    void theReverseLagIsZeroOnlyFromAMaximumOfAMinuteThatBeganOnceTheReplicatorWasSeenRunning() {
        var replicators = reverseMskReplicators();
        java.time.Instant seenRunning = java.time.Instant.parse("2026-12-07T10:00:20Z");
        var clock = new java.util.concurrent.atomic.AtomicReference<>(seenRunning);
        var steps = new com.mskfailover.orchestrator.domain.ReverseReplicationSteps(null, replicators, null, null, "iam", new java.time.Clock() {
            @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
            @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public java.time.Instant instant() { return clock.get(); }
        });
        var plan = new com.mskfailover.orchestrator.domain.Plan("failback",
                new com.mskfailover.orchestrator.domain.ClusterRef(PRIMARY, "us-east-1", null), new com.mskfailover.orchestrator.domain.ClusterRef(SECONDARY, "us-east-2", null),
                List.of("customer"), List.of("msk-consumer"), List.of("p"), List.of("c"), new com.mskfailover.orchestrator.domain.Timeouts(30, 3600, 60, 30),
                0, true, "failback-replicator", 1, "test", false, false, 0);
        var replication = new com.mskfailover.orchestrator.domain.ReverseReplication(List.of(CannedAwsResponses.REVERSE_REPLICATOR_ARN),
                "failback-replicator", false, -1, new com.mskfailover.orchestrator.domain.PollState(3600, null, 0, false, null));
        responses.metricValue = 0;
        responses.metricTimestamp = java.time.Instant.parse("2026-12-07T10:02:00Z");

        responses.reverseReplicatorState = "CREATING";
        var creating = steps.checkLag(plan, replication);
        assertFalse(creating.catchUp().done(), "CREATING is not running, whatever the figure: " + creating.catchUp().detail());
        responses.reverseReplicatorState = "RUNNING";
        responses.metricTimestamp = java.time.Instant.parse("2026-12-07T10:00:00Z");
        var running = steps.checkLag(plan, creating);
        assertFalse(running.catchUp().done(), "the minute began before the replicator was seen RUNNING: " + running.catchUp().detail());
        clock.set(java.time.Instant.parse("2026-12-07T10:04:00Z"));
        responses.metricTimestamp = null;
        assertFalse(steps.checkLag(plan, running).catchUp().done(), "a figure of unknown age counts as none");
        responses.metricTimestamp = java.time.Instant.parse("2026-12-07T10:01:00Z");
        var caughtUp = steps.checkLag(plan, running);
        assertTrue(caughtUp.catchUp().done(), caughtUp.catchUp().detail());
        assertTrue(caughtUp.catchUp().detail().contains("Maximum of the minute from 2026-12-07T10:01:00Z"), caughtUp.catchUp().detail());
        String query = new String(endpoint.requests("cloudwatch:GetMetricData").getLast().bytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(query.contains("MessageLag") && query.contains("Maximum") && query.contains("failback-replicator"), query);

        responses.reverseReplicatorState = "FAILED";
        var failed = assertThrows(com.mskfailover.orchestrator.domain.DependencyFailedException.class, () -> steps.checkLag(plan, running));
        assertTrue(failed.getMessage().contains("MSK Replicator failback-replicator FAILED"), failed.getMessage());
    }

    @Test
    void anUnknownReverseReplicationModeIsRefusedNamingTheParameter() {
        var ports = new AwsPorts(endpoint.environment(Map.of("PRIMARY_CLUSTER_ARN", PRIMARY, "SECONDARY_CLUSTER_ARN", SECONDARY,
                "PRODUCER_ALIAS_NAMES", "p", "CONSUMER_ALIAS_NAMES", "c", "REVERSE_REPLICATION_MODE", "mirror-maker")));
        var refused = assertThrows(IllegalStateException.class, ports::reverseMskReplicators);
        assertTrue(refused.getMessage().contains("REVERSE_REPLICATION_MODE must be replicator-task or msk-replicator, not 'mirror-maker'")
                && refused.getMessage().contains("ReverseReplicationMode"), refused.getMessage());
    }
}
