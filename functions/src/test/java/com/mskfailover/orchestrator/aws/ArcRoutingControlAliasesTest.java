package com.mskfailover.orchestrator.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.DependencyFailedException;
import com.mskfailover.orchestrator.domain.TransientDependencyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ARC routing control adapter (the SDK's route53recoverycluster) over the wire (JSON 1.0 protocol), against local endpoints. */
class ArcRoutingControlAliasesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRIMARY = "arn:aws:kafka:us-east-1:123456789012:cluster/msk-primary/0f1e2d3c-1";
    private static final String SECONDARY = "arn:aws:kafka:us-east-2:123456789012:cluster/msk-secondary/1a2b3c4d-2";
    private static final String PRODUCERS = "kafka-producers.msk.internal";
    private static final String CONSUMERS = "kafka-consumers.msk.internal";
    private static final String CONTROLS = "arn:aws:route53-recovery-control::123456789012:controlpanel/abc/routingcontrol/";
    private static final String PRIMARY_BROKERS = "b-1.primary.kafka.us-east-1.amazonaws.com:9098,b-2.primary.kafka.us-east-1.amazonaws.com:9098";
    private static final String SECONDARY_BROKERS = "b-1.secondary.kafka.us-east-2.amazonaws.com:9098";

    private final CannedAwsResponses responses = new CannedAwsResponses();
    private final FakeAwsEndpoint endpoint = new FakeAwsEndpoint(responses);
    private final FakeAwsEndpoint throttled = new FakeAwsEndpoint(request -> FakeAwsEndpoint.Response.error(400, "application/x-amz-json-1.0",
            "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}", "ThrottlingException"));

    @AfterEach
    void close() {
        endpoint.close();
        throttled.close();
    }

    /** The adapter AwsPorts builds in arc-routing-control mode, its cluster endpoints in the given order. */
    private BootstrapAliases aliases(String clusterEndpoints) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ALIAS_SWITCH_MODE", "arc-routing-control");
        env.put("PRIMARY_CLUSTER_ARN", PRIMARY);
        env.put("SECONDARY_CLUSTER_ARN", SECONDARY);
        env.put("PRODUCER_ALIAS_NAMES", PRODUCERS);
        env.put("CONSUMER_ALIAS_NAMES", CONSUMERS);
        env.put("PRIMARY_BOOTSTRAP_SERVERS", PRIMARY_BROKERS);
        env.put("SECONDARY_BOOTSTRAP_SERVERS", SECONDARY_BROKERS);
        env.put("ARC_CLUSTER_ENDPOINTS", clusterEndpoints);
        env.put("ARC_ROUTING_CONTROLS", PRODUCERS + "=" + CONTROLS + "producers-primary|" + CONTROLS + "producers-secondary,"
                + CONSUMERS + "=" + CONTROLS + "consumers-primary|" + CONTROLS + "consumers-secondary");
        return new AwsPorts(endpoint.environment(env)).bootstrapAliases();
    }

    private static String unreachableEndpoint() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aMoveIsOneSignedUpdateOfEveryControlAndAnUnreachableEndpointIsSkipped() throws Exception {
        // Endpoints as the cluster names them: with the path /v1.
        BootstrapAliases aliases = aliases("us-west-2=" + unreachableEndpoint() + "/v1,us-east-1=" + endpoint.uri() + "/v1");

        aliases.change(List.of(BootstrapAliasRecord.of(PRODUCERS, SECONDARY, "us-east-2", SECONDARY_BROKERS),
                BootstrapAliasRecord.of(CONSUMERS, SECONDARY, "us-east-2", SECONDARY_BROKERS)), "failover");

        List<FakeAwsEndpoint.Request> updates = endpoint.requests("route53-recovery-cluster:UpdateRoutingControlStates");
        assertEquals(1, updates.size(), endpoint.requests().toString());
        FakeAwsEndpoint.Request update = updates.getFirst();
        assertEquals("POST", update.method());
        assertEquals("/v1/", update.path(), "the endpoint's path, then the operation's / (as the SDK joins them)");
        assertEquals("application/x-amz-json-1.0", update.headers().get("content-type"));
        assertEquals("ToggleCustomerAPI.UpdateRoutingControlStates", update.headers().get("x-amz-target"));
        String authorization = update.headers().get("authorization");
        assertTrue(authorization.startsWith("AWS4-HMAC-SHA256 Credential=AKIDLOCAL/"), authorization);
        assertTrue(authorization.contains("/us-east-1/route53-recovery-cluster/aws4_request"), "signed for the answering endpoint's Region: " + authorization);
        assertTrue(authorization.contains("x-amz-target"), "the target is signed: " + authorization);
        Map<String, String> states = new LinkedHashMap<>();
        for (JsonNode entry : JSON.readTree(update.body()).path("UpdateRoutingControlStateEntries")) {
            states.put(entry.path("RoutingControlArn").asText().substring(CONTROLS.length()), entry.path("RoutingControlState").asText());
        }
        assertEquals(Map.of("producers-primary", "Off", "producers-secondary", "On", "consumers-primary", "Off", "consumers-secondary", "On"), states);
    }

    @Test
    void readAndInSyncFollowTheControlStates() throws Exception {
        BootstrapAliases aliases = aliases("us-east-1=" + endpoint.uri());
        // ARC creates controls Off; Route 53 then fails open to the PRIMARY records, and read says so.
        BootstrapAliasRecord before = aliases.read(List.of(PRODUCERS)).get(PRODUCERS);
        assertEquals(PRIMARY, before.clusterArn());
        assertEquals("us-east-1", before.region());
        assertEquals(PRIMARY_BROKERS, before.bootstrapServers());
        FakeAwsEndpoint.Request get = endpoint.requests("route53-recovery-cluster:GetRoutingControlState").getFirst();
        assertEquals("ToggleCustomerAPI.GetRoutingControlState", get.headers().get("x-amz-target"));
        assertEquals(CONTROLS + "producers-primary", JSON.readTree(get.body()).path("RoutingControlArn").asText());

        String changeId = aliases.change(List.of(BootstrapAliasRecord.of(PRODUCERS, SECONDARY, "us-east-2", SECONDARY_BROKERS)), "failover");
        assertTrue(aliases.isInSync(changeId), changeId);
        BootstrapAliasRecord after = aliases.read(List.of(PRODUCERS, CONSUMERS)).get(PRODUCERS);
        assertEquals(SECONDARY, after.clusterArn());
        assertEquals("us-east-2", after.region());
        assertEquals(SECONDARY_BROKERS, after.bootstrapServers());
        assertEquals(PRIMARY, aliases.read(List.of(CONSUMERS)).get(CONSUMERS).clusterArn(), "consumers were not moved");
        assertTrue(aliases.read(List.of("other.msk.internal")).isEmpty(), "an alias without controls has no record");

        responses.routingControlStates.put(CONTROLS + "producers-primary", "On");
        assertFalse(aliases.isInSync(changeId), "a control not as the move left it");
    }

    @Test
    void everyEndpointThrottlingIsTransientAndAccessDeniedIsNot() {
        BootstrapAliases aliases = aliases("us-west-2=" + throttled.uri() + ",eu-west-1=" + unreachableEndpoint());
        var transientFailure = assertThrows(TransientDependencyException.class, () -> aliases.read(List.of(PRODUCERS)));
        assertTrue(transientFailure.getMessage().contains("ThrottlingException") && transientFailure.getMessage().contains("eu-west-1"),
                transientFailure.getMessage());

        endpoint.respondWith(request -> FakeAwsEndpoint.Response.error(400, "application/x-amz-json-1.0",
                "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized\"}", "AccessDeniedException"));
        BootstrapAliases denied = aliases("us-east-1=" + endpoint.uri() + ",us-west-2=" + throttled.uri());
        var failure = assertThrows(DependencyFailedException.class, () -> denied.isInSync("arc-routing-control:secondary:" + PRODUCERS));
        assertTrue(failure.getMessage().contains("AccessDeniedException"), failure.getMessage());
        assertTrue(throttled.requests().size() == 1, "a refusal is not tried at another endpoint");
    }

    @Test
    void withoutClusterEndpointsEveryCallFailsNamingTheSetting() {
        var failure = assertThrows(DependencyFailedException.class, () -> aliases("").read(List.of(PRODUCERS)));
        assertTrue(failure.getMessage().contains("ARC_CLUSTER_ENDPOINTS"), failure.getMessage());
    }
}
