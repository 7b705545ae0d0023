package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.local.kafka.LocalKafkaCluster;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.kafka.KafkaAdminInspector;
import com.mskfailover.orchestrator.local.LocalWiring;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A primary whose brokers answer but refuse the orchestrator's credentials (here a real broker with a SASL/PLAIN
 * listener and a wrong password; with MSK it is IAM authentication or a missing kafka-cluster permission) is reachable
 * and misconfigured: ProbePrimary keeps PrimaryReachable at 1 and flags PrimaryProbeRefused, and DetectImpairment
 * tells operators and never fails over.
 */
@Tag("integration")
class PrimaryRefusesTheProbeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"%s\" password=\"%s\"%s;";
    private static LocalKafkaCluster saslPrimary;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPrimaryThatAuthenticates() {
        saslPrimary = LocalKafkaCluster.builder("sasl-primary")
                // The client listener (named PLAINTEXT by LocalKafkaCluster) speaks SASL_PLAINTEXT with PLAIN logins.
                .brokerProperty("listener.security.protocol.map", "PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .brokerProperty("sasl.enabled.mechanisms", "PLAIN")
                .brokerProperty("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .brokerProperty("listener.name.plaintext.plain.sasl.jaas.config",
                        JAAS.formatted("admin", "admin-secret", " user_admin=\"admin-secret\" user_orchestrator=\"right-password\""))
                .adminClientProperty("security.protocol", "SASL_PLAINTEXT")
                .adminClientProperty("sasl.mechanism", "PLAIN")
                .adminClientProperty("sasl.jaas.config", JAAS.formatted("admin", "admin-secret", ""))
                .start();
    }

    @AfterAll
    static void stop() {
        saslPrimary.close();
    }

    private static KafkaAdminInspector loggingInWith(String password) {
        return new KafkaAdminInspector(bootstrap -> {
            Map<String, Object> config = new HashMap<>(KafkaAdminInspector.clientConfig(bootstrap, "none"));
            config.put("security.protocol", "SASL_PLAINTEXT");
            config.put("sasl.mechanism", "PLAIN");
            config.put("sasl.jaas.config", JAAS.formatted("orchestrator", password, ""));
            return config;
        });
    }

    private static JsonNode probeLine(KafkaAdminInspector kafka) throws Exception {
        ByteArrayOutputStream metrics = new ByteArrayOutputStream();
        new ProbePrimary(TestPorts.forProbe(kafka, saslPrimary.bootstrapServers(), Duration.ofSeconds(5)),
                new PrintStream(metrics, true, StandardCharsets.UTF_8)).handleJson("{}");
        return JSON.readTree(metrics.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void probePrimaryReportsARefusalAsReachableAndRefusedNeverAsUnreachable() throws Exception {
        JsonNode allowed = probeLine(loggingInWith("right-password"));
        assertEquals(1, allowed.path("PrimaryReachable").asInt(), allowed.toString());
        assertEquals(0, allowed.path("PrimaryProbeRefused").asInt(), allowed.toString());

        JsonNode refused = probeLine(loggingInWith("stale-password"));
        assertEquals(1, refused.path("PrimaryReachable").asInt(), "the alarm that fails over must not fire: " + refused);
        assertEquals(1, refused.path("PrimaryProbeRefused").asInt(), refused.toString());
        JsonNode directive = refused.path("_aws").path("CloudWatchMetrics").get(0);
        assertTrue(directive.path("Metrics").toString().contains("\"PrimaryProbeRefused\""), directive.toString());
    }

    @Test
    void detectImpairmentNotifiesAndDoesNotFailOverWhenThePrimaryRefusesTheProbe() throws Exception {
        TestPorts test = new TestPorts(dir, List.of("customer"), List.of(), null,
                Map.of(TestPorts.PRIMARY_ARN, saslPrimary.bootstrapServers(), TestPorts.SECONDARY_ARN, SharedClusters.secondary().bootstrapServers()));
        test.pointAliasesAt(TestPorts.PRIMARY_ARN);
        test.alarms.set(TestPorts.ALARM, "ALARM");
        LocalWiring.LocalPorts ports = new LocalWiring.LocalPorts(test.settings, test.clusters, loggingInWith("stale-password"), test.aliases,
                null, test.forwardReplication, test.notifier, test.alarms, test.executions);
        DetectImpairment detect = new DetectImpairment(ports);

        JsonNode decision = JSON.readTree(detect.handleJson(Files.readString(StateMachineRun.event("alarm-primary-impaired.json"))));

        assertEquals("REFUSED", decision.path("decision").asText(), decision.toString());
        assertTrue(decision.path("reason").asText().contains("reachable and misconfigured"), decision.toString());
        assertEquals(Map.of(), test.executions.started(), "no failover");
        assertTrue(test.notifier.last().subject().contains("NOT started"), test.notifier.last().toString());
        assertTrue(test.notifier.last().message().contains("SaslAuthenticationException"), test.notifier.last().toString());
        assertEquals(TestPorts.PRIMARY_ARN, test.clusterOf(TestPorts.PRODUCER_ALIAS));
    }
}
