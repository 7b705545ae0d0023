package com.mskfailover.orchestrator.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.mskfailover.orchestrator.domain.PrimaryRegionHealth;
import com.mskfailover.orchestrator.domain.PrimaryRegionHealth.Report.Status;
import com.mskfailover.orchestrator.domain.TransientDependencyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary Region's view of the primary cluster as AwsPorts builds it from DetectImpairment's environment: the
 * requests on the wire (signed for the primary's Region, AWS/Kafka, its dimensions) and every answer CloudWatch may
 * give, against a local endpoint.
 */
class CloudWatchPrimaryRegionHealthTest {

    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
    private static final String PRIMARY = "arn:aws:kafka:us-east-1:123456789012:cluster/msk-primary/0f1e2d3c-1";

    /** Values by query id, newest first, as GetMetricData answers; an id absent answers no datapoint. */
    private volatile Map<String, List<Double>> values = Map.of();
    private volatile FakeAwsEndpoint.Response failure;
    private final FakeAwsEndpoint endpoint = new FakeAwsEndpoint(request -> {
        if (failure != null) {
            return failure;
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (JsonNode query : cbor(request.bytes()).path("MetricDataQueries")) {
            String id = query.path("Id").asText();
            results.add(Map.of("Id", id, "Label", id, "StatusCode", "Complete", "Values", values.getOrDefault(id, List.of())));
        }
        return CannedAwsResponses.cbor(Map.of("MetricDataResults", results));
    });
    private final PrimaryRegionHealth health = new AwsPorts(endpoint.environment(Map.of("PRIMARY_CLUSTER_ARN", PRIMARY,
            "SECONDARY_CLUSTER_ARN", "arn:aws:kafka:us-east-2:123456789012:cluster/msk-secondary/1a2b3c4d-2",
            "PRODUCER_ALIAS_NAMES", "kafka-producers.msk.internal", "CONSUMER_ALIAS_NAMES", "kafka-consumers.msk.internal")))
            .primaryRegionHealth();

    @AfterEach
    void close() {
        endpoint.close();
    }

    private static JsonNode cbor(byte[] bytes) {
        try {
            return CBOR.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void readsMsksOwnMetricsOfTheClusterInThePrimarysRegion() {
        values = Map.of("offline", List.of(0.0), "controllers", List.of(1.0), "underminisr", List.of(0.0));

        PrimaryRegionHealth.Report report = health.report();

        assertEquals(Status.HEALTHY, report.status(), report.detail());
        FakeAwsEndpoint.Request request = endpoint.requests("cloudwatch:GetMetricData").getLast();
        assertTrue(request.headers().get("authorization").contains("/us-east-1/monitoring/aws4_request"),
                "signed for the primary's Region, not this stack's us-east-2: " + request.headers().get("authorization"));
        JsonNode queries = cbor(request.bytes()).path("MetricDataQueries");
        String sent = queries.toString();
        for (String metric : List.of("OfflinePartitionsCount", "ActiveControllerCount")) {
            assertTrue(sent.contains("\"MetricName\":\"" + metric + "\""), sent);
        }
        assertTrue(sent.contains("\"Namespace\":\"AWS/Kafka\"") && sent.contains("{\"Name\":\"Cluster Name\",\"Value\":\"msk-primary\"}"), sent);
        assertTrue(sent.contains("MAX(SEARCH('{AWS/Kafka,\\\"Broker ID\\\",\\\"Cluster Name\\\"} MetricName=\\\"UnderMinIsrPartitionCount\\\" "
                + "\\\"Cluster Name\\\"=\\\"msk-primary\\\"', 'Maximum', 60))"), "the largest over the brokers: " + sent);
    }

    @Test
    void anyOfflinePartitionAPartitionUnderMinIsrOrNoControllerIsImpaired() {
        values = Map.of("offline", List.of(4.0, 0.0), "controllers", List.of(1.0), "underminisr", List.of(0.0));
        assertEquals(Status.IMPAIRED, health.report().status(), "the newest datapoint counts");
        values = Map.of("offline", List.of(0.0), "controllers", List.of(1.0), "underminisr", List.of(12.0));
        assertEquals(Status.IMPAIRED, health.report().status());
        values = Map.of("offline", List.of(0.0), "controllers", List.of(0.0));
        PrimaryRegionHealth.Report report = health.report();
        assertEquals(Status.IMPAIRED, report.status());
        assertTrue(report.detail().contains("ActiveControllerCount 0") && report.detail().contains("UnderMinIsrPartitionCount none"), report.detail());
    }

    @Test
    void noDatapointIsSilentAndAnApiThatDoesNotAnswerIsUnreadable() {
        values = Map.of();
        assertEquals(Status.SILENT, health.report().status());

        failure = new FakeAwsEndpoint.Response(503, "application/cbor", new byte[0], Map.of("smithy-protocol", "rpc-v2-cbor"));
        PrimaryRegionHealth.Report report = health.report();
        assertEquals(Status.UNREADABLE, report.status(), report.detail());
        assertTrue(report.detail().startsWith("the primary Region's CloudWatch did not answer"), report.detail());
    }

    /** An answer that refuses (a policy, throttling) is not the Region down: the evaluation fails, to be retried and reported. */
    @Test
    void aRefusalIsAnErrorNotAnImpairedRegion() throws IOException {
        failure = FakeAwsEndpoint.Response.error(403, "application/cbor",
                new String(CBOR.writeValueAsBytes(Map.of("__type", "AccessDenied", "message", "not authorized")), java.nio.charset.StandardCharsets.ISO_8859_1),
                "AccessDenied");
        assertThrows(com.mskfailover.orchestrator.domain.OrchestratorException.class, health::report);
    }

    @Test
    void theTriggerIsArmedOnceThisRegionsPrimaryReachableWasEverOne() {
        values = Map.of("m", List.of(0.0, 0.0));
        assertFalse(health.probeHasSeenPrimaryReachable());
        values = Map.of("m", List.of(0.0, 1.0, 0.0));
        assertTrue(health.probeHasSeenPrimaryReachable());

        FakeAwsEndpoint.Request request = endpoint.requests("cloudwatch:GetMetricData").getLast();
        assertTrue(request.headers().get("authorization").contains("/us-east-2/monitoring/aws4_request"), "this stack's Region");
        String sent = cbor(request.bytes()).toString();
        assertTrue(sent.contains("\"Namespace\":\"MskFailover/Orchestrator\"") && sent.contains("\"MetricName\":\"PrimaryReachable\"")
                && sent.contains("{\"Name\":\"PrimaryCluster\",\"Value\":\"msk-primary\"}"), sent);

        values = Map.of();
        assertFalse(health.probeHasSeenPrimaryReachable(), "no history: never seen");
        failure = new FakeAwsEndpoint.Response(503, "application/cbor", new byte[0], Map.of("smithy-protocol", "rpc-v2-cbor"));
        assertThrows(TransientDependencyException.class, health::probeHasSeenPrimaryReachable, "unknown is not 'never': the evaluation fails and is retried");
    }
}
