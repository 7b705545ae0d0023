package com.mskfailover.orchestrator.aws;

import java.util.function.Function;

/** Answers for every AWS action the orchestrator calls, in each API's own wire format, as a {@link FakeAwsEndpoint} responder. */
public final class CannedAwsResponses implements Function<FakeAwsEndpoint.Request, FakeAwsEndpoint.Response> {

    private static final String ROUTE53_NS = "https://route53.amazonaws.com/doc/2013-04-01/";

    public String bootstrapBrokers = "127.0.0.1:9092";
    /** Cluster ARN -> bootstrap string, for GetBootstrapBrokers of that cluster (else {@link #bootstrapBrokers}). */
    public final java.util.Map<String, String> bootstrapByCluster = new java.util.HashMap<>();
    public String aliasTxtValue;
    public String changeStatus = "INSYNC";
    public String alarmState = "ALARM";
    public String taskStatus = "RUNNING";
    public boolean executionAlreadyExists;
    /**
     * The execution that holds the operation lock, or null when it is free: a conditional acquire is then refused,
     * GetItem names it, DescribeExecution says it is {@link #lockHolderStatus}, and a takeover conditioned on it succeeds.
     */
    public String lockHolderArn;
    /** null: DescribeExecution answers ExecutionDoesNotExist. */
    public String lockHolderStatus = "ABORTED";
    /** GetMetricData's datapoint: its value and, when set, the start of its minute (CloudWatch's Timestamps). */
    public double metricValue = 800.0;
    public java.time.Instant metricTimestamp;
    /** The failback's MSK Replicator: null until CreateReplicator (DescribeReplicator then answers NotFound). */
    public String reverseReplicatorState;
    /** The state CreateReplicator leaves it in (MSK: CREATING; RUNNING for a test that needs it copying at once). */
    public String createdReplicatorState = "CREATING";
    public static final String REVERSE_REPLICATOR_ARN = "arn:aws:kafka:us-east-1:123456789012:replicator/failback-replicator/r-1";
    /** The forward MSK Replicator DescribeReplicator knows (any ARN naming replicator "forward"). */
    public static final String FORWARD_REPLICATOR_ARN = "arn:aws:kafka:us-east-2:123456789012:replicator/forward/abc";
    /** The secondary's cluster policy as GetClusterPolicy answers it (null: none, NotFoundException); the MSK guide's by default. */
    public String sourceClusterPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
            + "[\"kafka.amazonaws.com\"]},\"Action\":[\"kafka:CreateVpcConnection\",\"kafka:GetBootstrapBrokers\",\"kafka:DescribeClusterV2\"],"
            + "\"Resource\":\"*\"}]}";
    /** Whether DescribeClusterV2 says multi-VPC private connectivity is on for IAM. */
    public boolean multiVpcIam = true;
    /** Routing control ARN -> On/Off, as UpdateRoutingControlStates left it (a control never set reads Off, as ARC creates it). */
    public final java.util.Map<String, String> routingControlStates = new java.util.concurrent.ConcurrentHashMap<>();

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON_WRITER = new com.fasterxml.jackson.databind.ObjectMapper();

    @Override
    public FakeAwsEndpoint.Response apply(FakeAwsEndpoint.Request request) {
        boolean json = request.headers().containsKey("x-amz-target");
        return switch (request.action()) {
            case "route53:ChangeResourceRecordSets" -> FakeAwsEndpoint.Response.xml(
                    "<ChangeResourceRecordSetsResponse xmlns=\"" + ROUTE53_NS + "\"><ChangeInfo><Id>/change/C0FFEE</Id>"
                            + "<Status>PENDING</Status><SubmittedAt>2026-11-24T21:00:00Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>");
            case "route53:GetChange" -> FakeAwsEndpoint.Response.xml(
                    "<GetChangeResponse xmlns=\"" + ROUTE53_NS + "\"><ChangeInfo><Id>/change/C0FFEE</Id><Status>" + changeStatus
                            + "</Status><SubmittedAt>2026-11-24T21:00:00Z</SubmittedAt></ChangeInfo></GetChangeResponse>");
            case "route53:ListResourceRecordSets" -> FakeAwsEndpoint.Response.xml(listRecordSets(request));
            case "ecs:RunTask" -> FakeAwsEndpoint.Response.json("{\"tasks\":[" + java.util.stream.IntStream.range(0, runTaskCount(request))
                    .mapToObj(i -> "{\"taskArn\":\"arn:aws:ecs:us-east-2:123456789012:task/replicators/0123456789abcde" + i + "\",\"lastStatus\":\"PROVISIONING\"}")
                    .collect(java.util.stream.Collectors.joining(",")) + "],\"failures\":[]}");
            case "ecs:ListTasks" -> FakeAwsEndpoint.Response.json("{\"taskArns\":[]}");
            case "ecs:DescribeTasks" -> FakeAwsEndpoint.Response.json(
                    "{\"tasks\":[{\"taskArn\":\"arn:aws:ecs:us-east-2:123456789012:task/replicators/0123456789abcdef\",\"lastStatus\":\""
                            + taskStatus + "\",\"stoppedReason\":\"Task stopped by user\",\"containers\":[]}],\"failures\":[]}");
            case "ecs:StopTask" -> FakeAwsEndpoint.Response.json("{\"task\":{\"taskArn\":\"arn:aws:ecs:us-east-2:123456789012:task/replicators/0123456789abcdef\",\"lastStatus\":\"STOPPING\"}}");
            case "states:ListExecutions" -> new FakeAwsEndpoint.Response(200, "application/x-amz-json-1.0", "{\"executions\":[]}", java.util.Map.of());
            case "states:StartExecution" -> executionAlreadyExists
                    ? FakeAwsEndpoint.Response.error(400, "application/x-amz-json-1.0",
                    "{\"__type\":\"com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists\",\"message\":\"Execution Already Exists\"}", "ExecutionAlreadyExists")
                    : new FakeAwsEndpoint.Response(200, "application/x-amz-json-1.0",
                    "{\"executionArn\":\"arn:aws:states:us-east-2:123456789012:execution:failover:x\",\"startDate\":1795500000}", java.util.Map.of());
            case "dynamodb:PutItem" -> lockHolderArn != null && request.body().contains("attribute_not_exists")
                    ? FakeAwsEndpoint.Response.error(400, "application/x-amz-json-1.0",
                    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException\",\"message\":\"The conditional request failed\"}",
                    "ConditionalCheckFailedException")
                    : new FakeAwsEndpoint.Response(200, "application/x-amz-json-1.0", "{}", java.util.Map.of());
            case "dynamodb:GetItem" -> new FakeAwsEndpoint.Response(200, "application/x-amz-json-1.0", lockHolderArn == null ? "{}"
                    : "{\"Item\":{\"lockKey\":{\"S\":\"operation\"},\"ownerExecution\":{\"S\":\"" + lockHolderArn + "\"},\"ownerOperation\":{\"S\":\"failback\"},"
                    + "\"acquiredAt\":{\"S\":\"2026-12-06T10:00:00Z\"},\"leaseUntil\":{\"N\":\"4102444800\"}}}", java.util.Map.of());
            case "dynamodb:DeleteItem" -> new FakeAwsEndpoint.Response(200, "application/x-amz-json-1.0", "{}", java.util.Map.of());
            case "states:DescribeExecution" -> lockHolderStatus == null
                    ? FakeAwsEndpoint.Response.error(400, "application/x-amz-json-1.0",
                    "{\"__type\":\"com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist\",\"message\":\"Execution Does Not Exist\"}", "ExecutionDoesNotExist")
                    : new FakeAwsEndpoint.Response(200, "application/x-amz-json-1.0", "{\"executionArn\":\"" + lockHolderArn
                    + "\",\"stateMachineArn\":\"arn:aws:states:us-east-2:123456789012:stateMachine:msk-failover-failback\",\"status\":\"" + lockHolderStatus
                    + "\",\"startDate\":1795500000}", java.util.Map.of());
            case "sns:Publish" -> json
                    ? new FakeAwsEndpoint.Response(200, "application/x-amz-json-1.0", "{\"MessageId\":\"m-1\"}", java.util.Map.of())
                    : FakeAwsEndpoint.Response.xml("<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>m-1</MessageId>"
                    + "</PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>");
            case "cloudwatch:DescribeAlarms" -> cbor(java.util.Map.of("MetricAlarms",
                    java.util.List.of(java.util.Map.of("AlarmName", "msk-failover-primary-unreachable", "StateValue", alarmState)), "CompositeAlarms", java.util.List.of()));
            case "kafka:GetBootstrapBrokers" -> {
                String brokers = bootstrapByCluster.entrySet().stream().filter(e -> request.path().contains(e.getKey()))
                        .map(java.util.Map.Entry::getValue).findFirst().orElse(bootstrapBrokers);
                yield new FakeAwsEndpoint.Response(200, "application/json",
                        "{\"bootstrapBrokerString\":\"" + brokers + "\",\"bootstrapBrokerStringSaslIam\":\"" + brokers + "\"}", java.util.Map.of());
            }
            // The ARN travels URL-encoded in the path.
            case "kafka:DescribeReplicator" -> java.net.URLDecoder.decode(request.path(), java.nio.charset.StandardCharsets.UTF_8).contains(":replicator/forward/")
                    ? new FakeAwsEndpoint.Response(200, "application/json",
                    "{\"replicatorArn\":\"" + FORWARD_REPLICATOR_ARN + "\",\"replicatorName\":\"forward\",\"replicatorState\":\"RUNNING\"}", java.util.Map.of())
                    : reverseReplicatorState == null
                    ? FakeAwsEndpoint.Response.error(404, "application/json", "{\"message\":\"replicator not found\"}", "NotFoundException")
                    : new FakeAwsEndpoint.Response(200, "application/json", "{\"replicatorArn\":\"" + REVERSE_REPLICATOR_ARN
                    + "\",\"replicatorName\":\"failback-replicator\",\"replicatorState\":\"" + reverseReplicatorState + "\"}", java.util.Map.of());
            case "kafka:ListReplicators" -> new FakeAwsEndpoint.Response(200, "application/json", "{\"replicators\":[" + (reverseReplicatorState == null ? ""
                    : "{\"replicatorArn\":\"" + REVERSE_REPLICATOR_ARN + "\",\"replicatorName\":\"failback-replicator\",\"replicatorState\":\""
                    + reverseReplicatorState + "\"}") + "]}", java.util.Map.of());
            case "kafka:CreateReplicator" -> {
                reverseReplicatorState = createdReplicatorState;
                yield new FakeAwsEndpoint.Response(200, "application/json", "{\"replicatorArn\":\"" + REVERSE_REPLICATOR_ARN
                        + "\",\"replicatorName\":\"failback-replicator\",\"replicatorState\":\"CREATING\"}", java.util.Map.of());
            }
            case "kafka:DeleteReplicator" -> {
                reverseReplicatorState = "DELETING";
                yield new FakeAwsEndpoint.Response(200, "application/json", "{\"replicatorArn\":\"" + REVERSE_REPLICATOR_ARN
                        + "\",\"replicatorState\":\"DELETING\"}", java.util.Map.of());
            }
            case "kafka:DescribeClusterV2" -> new FakeAwsEndpoint.Response(200, "application/json", "{\"clusterInfo\":{\"clusterArn\":\""
                    + request.path().substring("/api/v2/clusters/".length()) + "\",\"clusterType\":\"PROVISIONED\",\"provisioned\":{\"brokerNodeGroupInfo\":"
                    + "{\"clientSubnets\":[\"subnet-" + (request.path().contains("us-east-1") ? "p1\",\"subnet-p2" : "s1\",\"subnet-s2")
                    + "\"],\"securityGroups\":[\"sg-" + (request.path().contains("us-east-1") ? "p" : "s") + "\"],\"instanceType\":\"kafka.m5.large\","
                    + "\"connectivityInfo\":{\"vpcConnectivity\":{\"clientAuthentication\":{\"sasl\":{\"iam\":{\"enabled\":" + multiVpcIam + "}}}}}}}}}",
                    java.util.Map.of());
            case "kafka:GetClusterPolicy" -> sourceClusterPolicy == null
                    ? FakeAwsEndpoint.Response.error(404, "application/json", "{\"message\":\"The cluster policy does not exist.\"}", "NotFoundException")
                    : FakeAwsEndpoint.Response.json(JSON_WRITER.createObjectNode().put("currentVersion", "K1").put("policy", sourceClusterPolicy).toString());
            case "ecs:DescribeClusters" -> FakeAwsEndpoint.Response.json("{\"clusters\":[{\"clusterArn\":\"arn:aws:ecs:us-east-2:123456789012:cluster/replicators\","
                    + "\"status\":\"ACTIVE\"}],\"failures\":[]}");
            case "ecs:DescribeTaskDefinition" -> FakeAwsEndpoint.Response.json("{\"taskDefinition\":{\"status\":\"ACTIVE\",\"containerDefinitions\":"
                    + "[{\"name\":\"replicator-task\",\"image\":\"123456789012.dkr.ecr.us-east-2.amazonaws.com/replicator-task:1\"}]}}");
            case "cloudwatch:GetMetricData" -> {
                java.util.Map<String, Object> result = new java.util.HashMap<>(java.util.Map.of("Id", "m", "Label", "m",
                        "Values", java.util.List.of(metricValue), "StatusCode", "Complete"));
                if (metricTimestamp != null) {
                    result.put("Timestamps", java.util.List.of(metricTimestamp.getEpochSecond()));
                }
                yield cbor(java.util.Map.of("MetricDataResults", java.util.List.of(result)));
            }
            case "route53-recovery-cluster:UpdateRoutingControlStates" -> {
                readJson(request).path("UpdateRoutingControlStateEntries").forEach(entry ->
                        routingControlStates.put(entry.path("RoutingControlArn").asText(), entry.path("RoutingControlState").asText()));
                yield new FakeAwsEndpoint.Response(200, "application/x-amz-json-1.0", "{}", java.util.Map.of());
            }
            case "route53-recovery-cluster:GetRoutingControlState" -> {
                String arn = readJson(request).path("RoutingControlArn").asText();
                yield new FakeAwsEndpoint.Response(200, "application/x-amz-json-1.0", "{\"RoutingControlArn\":\"" + arn + "\",\"RoutingControlState\":\""
                        + routingControlStates.getOrDefault(arn, "Off") + "\",\"RoutingControlName\":\"" + arn.substring(arn.lastIndexOf('/') + 1) + "\"}", java.util.Map.of());
            }
            default -> new FakeAwsEndpoint.Response(400, "application/json", "{\"message\":\"not served here: " + request.action() + "\"}",
                    java.util.Map.of("x-amzn-ErrorType", "UnknownOperationException"));
        };
    }

    private static com.fasterxml.jackson.databind.JsonNode readJson(FakeAwsEndpoint.Request request) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(request.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** CloudWatch's protocol (Smithy RPC v2 CBOR): a CBOR body and the smithy-protocol header. */
    static FakeAwsEndpoint.Response cbor(Object value) {
        try {
            byte[] bytes = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.cbor.CBORFactory()).writeValueAsBytes(value);
            return new FakeAwsEndpoint.Response(200, "application/cbor", bytes, java.util.Map.of("smithy-protocol", "rpc-v2-cbor"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String listRecordSets(FakeAwsEndpoint.Request request) {
        String name = request.path().replaceAll(".*[?&]name=([^&]*).*", "$1");
        String sets = aliasTxtValue == null ? "" : "<ResourceRecordSet><Name>" + name + ".</Name><Type>TXT</Type><TTL>60</TTL><ResourceRecords>"
                + "<ResourceRecord><Value>" + aliasTxtValue.replace("&", "&amp;").replace("<", "&lt;") + "</Value></ResourceRecord>"
                + "</ResourceRecords></ResourceRecordSet>";
        return "<ListResourceRecordSetsResponse xmlns=\"" + ROUTE53_NS + "\"><ResourceRecordSets>" + sets
                + "</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>";
    }

    private static int runTaskCount(FakeAwsEndpoint.Request request) {
        return java.util.regex.Pattern.compile("\"count\":(\\d+)").matcher(request.body()).results()
                .map(match -> Integer.parseInt(match.group(1))).findFirst().orElse(1);
    }
}
