package com.mskfailover.orchestrator.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.orchestrator.domain.DependencyFailedException;
import com.mskfailover.orchestrator.domain.TransientDependencyException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The two calls of Route 53 ARC's routing control DATA plane (service route53-recovery-cluster) this stack needs,
 * written out because the SDK's route53recoverycluster module is not available to this build: JSON 1.0 protocol,
 * {@code X-Amz-Target: ToggleCustomerAPI.<operation>}, SigV4 with the SDK's own signer for the endpoint's Region.
 *
 * <p>An ARC cluster has five Regional endpoints, any of which may be down in the very outage we fail over for, so
 * each call tries them in turn and gives up (as a transient failure) only when none answered.
 */
final class RoutingControlClusterClient {

    /** One of the cluster's Regional endpoints (as the cluster's ClusterEndpoints list names them). */
    record ClusterEndpoint(String region, URI uri) {
    }

    static final String SIGNING_NAME = "route53-recovery-cluster";
    private static final String TARGET_PREFIX = "ToggleCustomerAPI.";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.0";
    /** Errors after which another endpoint (or a later retry) may well succeed; the API's own advice for these. */
    private static final Set<String> TRY_ANOTHER_ENDPOINT = Set.of("ThrottlingException", "EndpointTemporarilyUnavailableException",
            "InternalServerException", "ConflictException");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ClusterEndpoint> endpoints;
    private final Supplier<AwsCredentialsIdentity> credentials;
    private final HttpClient http;
    private final Duration timeout;
    private final Duration callBudget;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    /**
     * @param timeout    for one endpoint
     * @param callBudget for one call over all the endpoints it tries: past it the call gives up (transient) without
     *                   trying the rest, so that a call stays well inside the function's own timeout
     */
    RoutingControlClusterClient(List<ClusterEndpoint> endpoints, Supplier<AwsCredentialsIdentity> credentials, Duration timeout, Duration callBudget) {
        this.endpoints = List.copyOf(endpoints);
        this.credentials = credentials;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.timeout = timeout;
        this.callBudget = callBudget;
    }

    /** Parses {@code region=https://...,region=https://...} (the ARC_CLUSTER_ENDPOINTS form). */
    static List<ClusterEndpoint> parseEndpoints(String regionEqualsUrlList) {
        List<ClusterEndpoint> parsed = new ArrayList<>();
        for (String entry : regionEqualsUrlList.split(",")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("ARC cluster endpoint must be region=url: " + trimmed);
            }
            parsed.add(new ClusterEndpoint(trimmed.substring(0, equals).strip(), URI.create(trimmed.substring(equals + 1).strip())));
        }
        return parsed;
    }

    /** UpdateRoutingControlStates: every entry in ONE request, which ARC applies together. */
    void updateStates(Map<String, Boolean> onByControlArn) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode entries = body.putArray("UpdateRoutingControlStateEntries");
        onByControlArn.forEach((arn, on) -> entries.addObject().put("RoutingControlArn", arn).put("RoutingControlState", on ? "On" : "Off"));
        call("UpdateRoutingControlStates", body, "setting routing controls " + onByControlArn);
    }

    /** GetRoutingControlState: whether the control is On. */
    boolean isOn(String controlArn) {
        ObjectNode body = JSON.createObjectNode().put("RoutingControlArn", controlArn);
        String state = call("GetRoutingControlState", body, "reading routing control " + controlArn).path("RoutingControlState").asText();
        return switch (state) {
            case "On" -> true;
            case "Off" -> false;
            default -> throw new DependencyFailedException("routing control " + controlArn + " has an unknown state: " + state);
        };
    }

    private JsonNode call(String operation, ObjectNode body, String what) {
        if (endpoints.isEmpty()) {
            throw new DependencyFailedException(what + " failed: no ARC cluster endpoint configured (ARC_CLUSTER_ENDPOINTS; see docs/aliases.md, "
                    + "\"Alias switch without the Route 53 control plane\")");
        }
        byte[] payload = body.toString().getBytes(StandardCharsets.UTF_8);
        Map<String, String> failures = new LinkedHashMap<>();
        long giveUpAt = System.nanoTime() + callBudget.toNanos();
        for (ClusterEndpoint endpoint : endpoints) {
            if (!failures.isEmpty() && System.nanoTime() - giveUpAt > 0) {
                failures.put("(others)", "not tried: the call's " + callBudget.toSeconds() + " s were spent");
                break;
            }
            try {
                HttpResponse<String> response = http.send(signed(endpoint, operation, payload), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
                }
                String error = errorCode(response);
                String message = error + " (HTTP " + response.statusCode() + "): " + response.body();
                if (response.statusCode() < 500 && !TRY_ANOTHER_ENDPOINT.contains(error)) {
                    throw new DependencyFailedException(what + " failed at " + endpoint.uri() + ": " + message);
                }
                failures.put(endpoint.region(), message);
            } catch (IOException e) {
                failures.put(endpoint.region(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransientDependencyException(what + " interrupted", e);
            }
        }
        throw new TransientDependencyException(what + " failed at every ARC cluster endpoint: " + failures, null);
    }

    private HttpRequest signed(ClusterEndpoint endpoint, String operation, byte[] payload) {
        // The cluster names its endpoints with a path (https://<id>.route53-recovery-cluster.<region>.amazonaws.com/v1):
        // the operation is POSTed to that URL as it is, as the SDKs do with an endpoint override and request URI "/".
        URI uri = endpoint.uri().getRawPath().isEmpty() ? endpoint.uri().resolve("/") : endpoint.uri();
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri)
                .putHeader("Content-Type", CONTENT_TYPE)
                .putHeader("X-Amz-Target", TARGET_PREFIX + operation)
                .build();
        SdkHttpRequest signed = signer.sign(request -> request
                .identity(credentials.get())
                .request(unsigned)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(payload))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
                .putProperty(AwsV4HttpSigner.REGION_NAME, endpoint.region())).request();
        HttpRequest.Builder request = HttpRequest.newBuilder(signed.getUri()).timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        // The JDK client sets Host (from the same URI the signature covers) and Content-Length itself and refuses them here.
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(value -> request.header(name, value));
            }
        });
        return request.build();
    }

    /** The error's short name: x-amzn-ErrorType or the body's __type, without namespace ("...#X") or suffix ("X:..."). */
    private static String errorCode(HttpResponse<String> response) {
        String type = response.headers().firstValue("x-amzn-ErrorType").orElse(null);
        if (type == null) {
            try {
                type = JSON.readTree(response.body()).path("__type").asText("unknown");
            } catch (IOException notJson) {
                type = "unknown";
            }
        }
        type = type.substring(type.lastIndexOf('#') + 1);
        int colon = type.indexOf(':');
        return colon < 0 ? type : type.substring(0, colon);
    }
}
