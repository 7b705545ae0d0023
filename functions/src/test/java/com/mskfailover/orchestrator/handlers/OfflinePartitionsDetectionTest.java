package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.local.kafka.LocalKafkaCluster;
import com.mskfailover.local.wait.Polling;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.domain.PrimaryProbe;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two of three AZs lost on a real 3-broker primary (replication factor 3, min.insync.replicas 2, as MSK's
 * defaults): the last broker answers every probe, yet no acks=all write succeeds. The canary says so, the cluster's
 * own figures agree, and DetectImpairment fails over where the probe alone would have vetoed it.
 */
@Tag("integration")
class OfflinePartitionsDetectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEDULED_EVENT = "{\"source\":\"aws.events\",\"detail-type\":\"Scheduled Event\",\"detail\":{}}";

    @TempDir
    Path dir;

    @Test
    void brokersThatAnswerButRefuseAcksAllWritesAreAFailover() throws Exception {
        try (LocalKafkaCluster primary = LocalKafkaCluster.builder("detect-3az").brokers(3).dedicatedController(true)
                .readyTimeout(Duration.ofMinutes(4)).start()) {
            primary.clients().createTopic("customer", 3);
            TestPorts ports = new TestPorts(dir, List.of("customer"), List.of(), null,
                    Map.of(TestPorts.PRIMARY_ARN, primary.bootstrapServers(), TestPorts.SECONDARY_ARN, SharedClusters.secondary().bootstrapServers()));
            ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
            ports.alarms.set(TestPorts.NOT_WRITABLE_ALARM, "ALARM");
            DetectImpairment detect = new DetectImpairment(ports.ports());
            ProbePrimary probe = new ProbePrimary(TestPorts.forProbe(ports.kafka, primary.bootstrapServers(), Duration.ofSeconds(2)), System.out);

            JsonNode healthy = JSON.readTree(detect.handleJson(SCHEDULED_EVENT));
            assertEquals("IGNORED", healthy.path("decision").asText(), healthy.toString());
            assertEquals(3, primary.admin().describeTopics(List.of(PrimaryProbe.CANARY_TOPIC)).allTopicNames().get()
                    .get(PrimaryProbe.CANARY_TOPIC).partitions().size(), "one canary partition per broker");
            assertTrue(JSON.readTree(probe.handleJson(SCHEDULED_EVENT)).path("canaryWritable").asBoolean());

            primary.killBroker(1);
            primary.killBroker(2);
            List<TopicPartition> partitions = IntStream.range(0, 3).boxed()
                    .flatMap(p -> java.util.stream.Stream.of(new TopicPartition("customer", p), new TopicPartition(PrimaryProbe.CANARY_TOPIC, p))).toList();
            Polling.until("broker 3 alone in every ISR", Duration.ofSeconds(60),
                    () -> partitions.stream().allMatch(partition -> primary.inSyncReplicasOf(partition).equals(List.of(3))));

            ByteArrayOutputStream metrics = new ByteArrayOutputStream();
            JsonNode probed = JSON.readTree(new ProbePrimary(TestPorts.forProbe(ports.kafka, primary.bootstrapServers(), Duration.ofSeconds(2)),
                    new PrintStream(metrics, true, StandardCharsets.UTF_8)).handleJson(SCHEDULED_EVENT));
            JsonNode line = JSON.readTree(metrics.toString(StandardCharsets.UTF_8).strip());
            assertEquals(1, line.path("PrimaryReachable").asInt(), "the brokers answer: " + probed);
            assertEquals(0, line.path("PrimaryCanaryWritable").asInt(), "but producers fail: " + probed);

            ObjectNode event = (ObjectNode) JSON.readTree(Files.readString(StateMachineRun.event("alarm-primary-impaired.json")));
            ((ObjectNode) event.path("detail")).put("alarmName", TestPorts.NOT_WRITABLE_ALARM);
            JsonNode decision = JSON.readTree(detect.handleJson(event.toString()));

            String reason = decision.path("reason").asText();
            assertEquals("STARTED", decision.path("decision").asText(), decision.toString());
            assertTrue(reason.contains("NOT_WRITABLE from the secondary") && reason.contains("NotEnoughReplicas"), reason);
            assertTrue(reason.contains("the primary Region reports IMPAIRED") && reason.contains("UnderMinIsrPartitionCount 6"), reason);
            assertEquals(1, ports.executions.started().size());
        }
    }
}
