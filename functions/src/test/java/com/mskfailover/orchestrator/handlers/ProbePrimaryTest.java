package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.domain.PrimaryProbe;
import com.mskfailover.orchestrator.kafka.KafkaAdminInspector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ProbePrimary on a real primary and on one that does not answer: the EMF line the stack's alarm reads. */
@Tag("integration")
class ProbePrimaryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEDULED_EVENT = "{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\",\"detail\":{}}";

    private static JsonNode probeOnce(String bootstrapServers) throws Exception {
        ByteArrayOutputStream metrics = new ByteArrayOutputStream();
        ProbePrimary handler = new ProbePrimary(TestPorts.forProbe(new KafkaAdminInspector("none"), bootstrapServers, Duration.ofSeconds(2)),
                new PrintStream(metrics, true, StandardCharsets.UTF_8));
        JsonNode result = JSON.readTree(handler.handleJson(SCHEDULED_EVENT));
        JsonNode line = JSON.readTree(metrics.toString(StandardCharsets.UTF_8).strip());
        assertEquals(result.path("reachable").asBoolean() ? 1 : 0, line.path("PrimaryReachable").asInt());
        return line;
    }

    @Test
    void aPrimaryThatAnswersIsReportedReachableUnderTheAlarmsDimension() throws Exception {
        JsonNode line = probeOnce(SharedClusters.primary().bootstrapServers());

        assertEquals(1, line.path("PrimaryReachable").asInt());
        assertEquals("msk-primary", line.path("PrimaryCluster").asText(), "the alarm's dimension: the cluster name of the ARN");
        JsonNode directive = line.path("_aws").path("CloudWatchMetrics").get(0);
        assertEquals("MskFailover/Orchestrator", directive.path("Namespace").asText());
        assertEquals("PrimaryCluster", directive.path("Dimensions").get(0).get(0).asText());
        assertEquals("PrimaryReachable", directive.path("Metrics").get(0).path("Name").asText());
        assertEquals(1, line.path("PrimaryCanaryWritable").asInt(), "the acks=all canary was written: " + line);
        assertTrue(directive.path("Metrics").toString().contains("\"PrimaryCanaryWritable\""), directive.toString());
        assertTrue(SharedClusters.primary().clients().endOffsets(PrimaryProbe.CANARY_TOPIC).values().stream().mapToLong(Long::longValue).sum() >= 1,
                "the probe created its canary topic and wrote to it");
    }

    @Test
    void aPrimaryThatDoesNotAnswerIsReportedUnreachableWithinTheTimeout() throws Exception {
        String deadPrimary;
        try (ServerSocket closed = new ServerSocket(0)) {
            deadPrimary = "127.0.0.1:" + closed.getLocalPort();
        }
        long started = System.nanoTime();
        JsonNode line = probeOnce(deadPrimary);

        assertEquals(0, line.path("PrimaryReachable").asInt());
        assertEquals(0, line.path("PrimaryCanaryWritable").asInt(), "unreachable is not writable either");
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 30, "bounded by the probe timeout, not the Lambda timeout");
        assertFalse(line.path("PrimaryProbeMillis").isMissingNode());
    }
}
