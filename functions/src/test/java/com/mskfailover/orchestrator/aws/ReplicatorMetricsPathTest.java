package com.mskfailover.orchestrator.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.replicator.ReplicationMetrics;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What replicator-task really writes reaches the orchestrator's failover RPO check: a metrics line from the real
 * {@link ReplicationMetrics#emit(long)} is turned into datapoints the way CloudWatch does with an embedded-metric-format
 * log line (namespace, dimension set, metric names, in the Region of the log group), and the real AwsPorts, set up as
 * template.yaml sets up the Lambda in replicator-task mode, asks for ReplicationLatency over HTTP. The stand-in answers
 * GetMetricData the way CloudWatch matches: same Region (from the request's signature), namespace, metric name and the
 * exact set of dimensions.
 */
class ReplicatorMetricsPathTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

    /** Datapoints CloudWatch made from EMF lines: Region|namespace|metric|dimensions -> values with their time. */
    static final class EmfCloudWatch {
        record Point(double epochSeconds, double value) {
        }

        final Map<String, List<Point>> series = new LinkedHashMap<>();
        final List<String> queries = new ArrayList<>();

        void ingest(String region, String emfLine) throws IOException {
            JsonNode line = JSON.readTree(emfLine);
            double at = line.path("_aws").path("Timestamp").asLong() / 1000.0;
            for (JsonNode directive : line.path("_aws").path("CloudWatchMetrics")) {
                for (JsonNode dimensionSet : directive.path("Dimensions")) {
                    Map<String, String> dimensions = new TreeMap<>();
                    dimensionSet.forEach(name -> dimensions.put(name.asText(), line.path(name.asText()).asText()));
                    for (JsonNode metric : directive.path("Metrics")) {
                        String name = metric.path("Name").asText();
                        series.computeIfAbsent(key(region, directive.path("Namespace").asText(), name, dimensions), k -> new ArrayList<>())
                                .add(new Point(at, line.path(name).asDouble()));
                    }
                }
            }
        }

        FakeAwsEndpoint.Response getMetricData(FakeAwsEndpoint.Request request) {
            try {
                String region = request.headers().get("authorization").replaceAll(".*Credential=[^/]+/\\d{8}/([a-z0-9-]+)/.*", "$1");
                JsonNode body = CBOR.readTree(request.bytes());
                double start = body.path("StartTime").asDouble();
                double end = body.path("EndTime").asDouble();
                List<Map<String, Object>> results = new ArrayList<>();
                for (JsonNode query : body.path("MetricDataQueries")) {
                    JsonNode metric = query.path("MetricStat").path("Metric");
                    Map<String, String> dimensions = new TreeMap<>();
                    metric.path("Dimensions").forEach(d -> dimensions.put(d.path("Name").asText(), d.path("Value").asText()));
                    String key = key(region, metric.path("Namespace").asText(), metric.path("MetricName").asText(), dimensions);
                    queries.add(key);
                    List<Double> values = series.getOrDefault(key, List.of()).stream()
                            .filter(point -> point.epochSeconds() >= start && point.epochSeconds() <= end)
                            .map(Point::value).toList();
                    results.add(Map.of("Id", query.path("Id").asText(), "Label", metric.path("MetricName").asText(),
                            "Values", values, "StatusCode", "Complete"));
                }
                byte[] bytes = CBOR.writeValueAsBytes(Map.of("MetricDataResults", results));
                return new FakeAwsEndpoint.Response(200, "application/cbor", bytes, Map.of("smithy-protocol", "rpc-v2-cbor"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String key(String region, String namespace, String metric, Map<String, String> dimensions) {
            return region + "|" + namespace + "|" + metric + "|" + dimensions;
        }
    }

    /** The parameter defaults of template.yaml (what a deploy that does not override them gets). */
    private static String templateDefault(String parameter) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(StateMachineRun.projectRoot().resolve("template.yaml").toFile())
                .path("Parameters").path(parameter).path("Default").asText();
    }

    private static Optional<Duration> latencyTheRpoCheckReads(EmfCloudWatch cloudWatch, Map<String, String> lambdaEnvironment) {
        try (FakeAwsEndpoint endpoint = new FakeAwsEndpoint(request -> request.action().equals("cloudwatch:GetMetricData")
                ? cloudWatch.getMetricData(request) : new CannedAwsResponses().apply(request))) {
            AwsPorts ports = new AwsPorts(endpoint.environment(lambdaEnvironment));
            // The path (names, namespace, Region, dimension) is what this test checks; which minute counts is ReadinessChecks'.
            Optional<Duration> latency = ports.forwardReplication().latencyBefore(java.time.Instant.now().plusSeconds(60), Duration.ofMinutes(15))
                    .stream().findFirst().map(datapoint -> Duration.ofMillis((long) datapoint.value()));
            assertEquals(1, endpoint.requests("cloudwatch:GetMetricData").size());
            return latency;
        }
    }

    private static Map<String, String> replicatorTaskModeEnvironment(String stackRegion) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PRIMARY_CLUSTER_ARN", TestPorts.PRIMARY_ARN);
        env.put("SECONDARY_CLUSTER_ARN", TestPorts.SECONDARY_ARN);
        env.put("PRODUCER_ALIAS_NAMES", TestPorts.PRODUCER_ALIAS);
        env.put("CONSUMER_ALIAS_NAMES", TestPorts.CONSUMER_ALIAS);
        env.put("TOPICS", "customer");
        env.put("KAFKA_AUTH", "none");
        env.put("FORWARD_REPLICATION_MODE", "replicator-task");
        env.put("AWS_REGION", stackRegion);
        return env;
    }

    @Test
    void theRpoCheckFindsTheLatencyTheForwardReplicatorTaskWrites() throws Exception {
        String replicatorName = templateDefault("ForwardReplicatorName");
        // The forward replicator-task logs through awslogs in the stack's Region (the secondary, where it writes).
        String stackRegion = "us-east-2";
        EmfCloudWatch cloudWatch = new EmfCloudWatch();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        Clock now = Clock.fixed(java.time.Instant.now(), java.time.ZoneOffset.UTC);
        ReplicationMetrics metrics = new ReplicationMetrics(replicatorName, new PrintStream(stdout, true, StandardCharsets.UTF_8), now);
        // A stalled flow: nothing copied in the interval, its oldest waiting record 90 s old. The RPO check must see 90 s.
        String line = metrics.emit(7, 1, java.util.OptionalLong.of(now.millis() - 90_000), 1);
        assertEquals(line, stdout.toString(StandardCharsets.UTF_8).strip(), "the line is what the task prints");
        cloudWatch.ingest(stackRegion, line);

        // The Lambda as template.yaml configures it: the namespace parameter at its default, and the code's own default.
        Map<String, String> env = replicatorTaskModeEnvironment(stackRegion);
        env.put("FORWARD_REPLICATOR_NAME", replicatorName);
        env.put("REPLICATOR_TASK_METRICS_NAMESPACE", templateDefault("ReplicatorTaskMetricsNamespace"));
        assertEquals(Optional.of(Duration.ofSeconds(90)), latencyTheRpoCheckReads(cloudWatch, env), cloudWatch.queries + " vs " + cloudWatch.series.keySet());

        env.remove("REPLICATOR_TASK_METRICS_NAMESPACE");
        assertEquals(Optional.of(Duration.ofSeconds(90)), latencyTheRpoCheckReads(cloudWatch, env), "AwsPorts' own default: " + cloudWatch.queries);
        assertEquals(ReplicationMetrics.NAMESPACE, AwsPorts.REPLICATOR_TASK_METRICS_NAMESPACE);
    }

    @Test
    void aQueryThatDiffersInNamespaceRegionOrNameFindsNothing() throws Exception {
        // The stand-in matches as CloudWatch does, so the test above can fail: the old default namespace found nothing.
        EmfCloudWatch cloudWatch = new EmfCloudWatch();
        cloudWatch.ingest("us-east-2", new ReplicationMetrics("replicator-task", new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Clock.systemUTC()).emit(0, 0, java.util.OptionalLong.empty(), 1));
        Map<String, String> env = replicatorTaskModeEnvironment("us-east-2");
        env.put("FORWARD_REPLICATOR_NAME", "replicator-task");
        env.put("REPLICATOR_TASK_METRICS_NAMESPACE", "ReplicatorTask");
        assertEquals(Optional.empty(), latencyTheRpoCheckReads(cloudWatch, env));
        env.put("REPLICATOR_TASK_METRICS_NAMESPACE", ReplicationMetrics.NAMESPACE);
        env.put("AWS_REGION", "us-west-2");
        assertEquals(Optional.empty(), latencyTheRpoCheckReads(cloudWatch, env));
        env.put("AWS_REGION", "us-east-2");
        env.put("FORWARD_REPLICATOR_NAME", "another-flow");
        assertEquals(Optional.empty(), latencyTheRpoCheckReads(cloudWatch, env));
    }

    @Test
    void theDashboardReadsReplicatorTaskMetricsWhereTheyAreInReplicatorTaskMode() throws IOException {
        String template = Files.readString(StateMachineRun.projectRoot().resolve("templates/monitoring.yaml"));
        assertTrue(template.contains("ForwardNamespace: !If [UsesMskReplicator, AWS/Kafka, !Ref ReplicatorTaskMetricsNamespace]"),
                "forward widgets: AWS/Kafka for MSK Replicator, the replicator-task namespace otherwise");
        assertTrue(template.contains("\"metrics\": [[\"${ReplicatorTaskMetricsNamespace}\", \"MessageLag\", \"ReplicatorName\", \"${ReverseReplicatorName}\", {\"stat\": \"Sum\""),
                "the failback replicator's widget");
        assertEquals(ReplicationMetrics.NAMESPACE, templateDefault("ReplicatorTaskMetricsNamespace"));
    }
}
