package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.DependencyFailedException;
import com.mskfailover.orchestrator.domain.TransientDependencyException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.route53recoverycluster.Route53RecoveryClusterClient;
import software.amazon.awssdk.services.route53recoverycluster.model.RoutingControlState;
import software.amazon.awssdk.services.route53recoverycluster.model.UpdateRoutingControlStateEntry;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The two calls of Route 53 ARC's routing control DATA plane (the SDK's route53recoverycluster) this stack needs, over
 * the ARC cluster's Regional endpoints.
 *
 * <p>An ARC cluster has five Regional endpoints, any of which may be down in the very outage we fail over for, so
 * each call tries them in turn (one SDK client per endpoint, without retries of its own) and gives up, as a transient
 * failure, only when none answered.
 */
final class RoutingControlClusterClient {

    /** One of the cluster's Regional endpoints (as the cluster's ClusterEndpoints list names them). */
    record ClusterEndpoint(String region, URI uri) {
    }

    /** An endpoint and the SDK client that calls it (signed for its Region). */
    record Endpoint(ClusterEndpoint where, Route53RecoveryClusterClient client) {
    }

    /** Errors after which another endpoint (or a later retry) may well succeed; the API's own advice for these. */
    private static final Set<String> TRY_ANOTHER_ENDPOINT = Set.of("ThrottlingException", "EndpointTemporarilyUnavailableException",
            "InternalServerException", "ConflictException");

    private final List<Endpoint> endpoints;
    private final Duration callBudget;

    /**
     * @param callBudget for one call over all the endpoints it tries: past it the call gives up (transient) without
     *                   trying the rest, so that a call stays well inside the function's own timeout
     */
    RoutingControlClusterClient(List<Endpoint> endpoints, Duration callBudget) {
        this.endpoints = List.copyOf(endpoints);
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
        List<UpdateRoutingControlStateEntry> entries = new ArrayList<>();
        onByControlArn.forEach((arn, on) -> entries.add(UpdateRoutingControlStateEntry.builder()
                .routingControlArn(arn).routingControlState(on ? RoutingControlState.ON : RoutingControlState.OFF).build()));
        call(client -> client.updateRoutingControlStates(request -> request.updateRoutingControlStateEntries(entries)),
                "setting routing controls " + onByControlArn);
    }

    /** GetRoutingControlState: whether the control is On. */
    boolean isOn(String controlArn) {
        RoutingControlState state = call(client -> client.getRoutingControlState(request -> request.routingControlArn(controlArn)),
                "reading routing control " + controlArn).routingControlState();
        return switch (state) {
            case ON -> true;
            case OFF -> false;
            default -> throw new DependencyFailedException("routing control " + controlArn + " has an unknown state: " + state);
        };
    }

    private <T> T call(Function<Route53RecoveryClusterClient, T> operation, String what) {
        if (endpoints.isEmpty()) {
            throw new DependencyFailedException(what + " failed: no ARC cluster endpoint configured (ARC_CLUSTER_ENDPOINTS; see docs/aliases.md, "
                    + "\"Alias switch without the Route 53 control plane\")");
        }
        Map<String, String> failures = new LinkedHashMap<>();
        long giveUpAt = System.nanoTime() + callBudget.toNanos();
        for (Endpoint endpoint : endpoints) {
            if (!failures.isEmpty() && System.nanoTime() - giveUpAt > 0) {
                failures.put("(others)", "not tried: the call's " + callBudget.toSeconds() + " s were spent");
                break;
            }
            try {
                return operation.apply(endpoint.client());
            } catch (AwsServiceException e) {
                String error = e.awsErrorDetails().errorCode();
                String message = error + " (HTTP " + e.statusCode() + "): " + e.awsErrorDetails().errorMessage();
                if (e.statusCode() < 500 && !TRY_ANOTHER_ENDPOINT.contains(error)) {
                    throw new DependencyFailedException(what + " failed at " + endpoint.where().uri() + ": " + message);
                }
                failures.put(endpoint.where().region(), message);
            } catch (AbortedException e) {
                Thread.currentThread().interrupt();
                throw new TransientDependencyException(what + " interrupted", e);
            } catch (SdkClientException e) {
                failures.put(endpoint.where().region(), e.toString());
            }
        }
        throw new TransientDependencyException(what + " failed at every ARC cluster endpoint: " + failures, null);
    }
}
