package com.mskfailover.orchestrator.domain;

import java.time.Clock;
import java.time.Duration;

/**
 * Watches the primary cluster from the secondary Region, where this stack runs: CloudWatch alarms are regional, so
 * the alarm that starts a failover must be fed from this side. Every run probes the primary's brokers with a short
 * timeout (no MSK API call, so it does not depend on the primary Region's control plane) and writes the result as a
 * CloudWatch embedded-metric-format line: {@code PrimaryReachable} (1 or 0), {@code PrimaryProbeRefused} (1 when the
 * brokers answered but refused the probe's credentials or permissions) and {@code PrimaryProbeMillis}, namespace
 * {@value #NAMESPACE}, dimension {@code PrimaryCluster}. The stack's alarm on PrimaryReachable is one DetectImpairment
 * watches; a refusal is reachable (a misconfiguration, never a reason to fail over) and has an alarm of its own that
 * only notifies.
 */
public final class PrimaryProbe {

    public static final String NAMESPACE = "MskFailover/Orchestrator";

    public record Result(String primaryCluster, boolean reachable, boolean refused, long probeMillis, String detail) {
    }

    private final KafkaInspector kafka;
    private final String primaryClusterArn;
    private final String primaryBootstrapServers;
    private final Duration timeout;
    private final Clock clock;

    public PrimaryProbe(KafkaInspector kafka, String primaryClusterArn, String primaryBootstrapServers, Duration timeout, Clock clock) {
        this.kafka = kafka;
        this.primaryClusterArn = primaryClusterArn;
        this.primaryBootstrapServers = primaryBootstrapServers;
        this.timeout = timeout;
        this.clock = clock;
    }

    public Result probe() {
        long start = clock.millis();
        KafkaInspector.ProbeResult probe = kafka.probe(primaryBootstrapServers, timeout);
        return new Result(clusterName(primaryClusterArn), probe.reachable(), probe.refused(), clock.millis() - start, probe.detail());
    }

    /** The EMF line for a result: Lambda's log delivery turns it into the two metrics, no API call needed. */
    public String metricLine(Result result) {
        return "{\"_aws\":{\"Timestamp\":" + clock.millis() + ",\"CloudWatchMetrics\":[{\"Namespace\":\"" + NAMESPACE + "\","
                + "\"Dimensions\":[[\"PrimaryCluster\"]],\"Metrics\":["
                + "{\"Name\":\"PrimaryReachable\",\"Unit\":\"Count\"},{\"Name\":\"PrimaryProbeRefused\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"PrimaryProbeMillis\",\"Unit\":\"Milliseconds\"}]}]},"
                // A cluster name is [A-Za-z0-9-] (MSK's rule), so it needs no JSON escaping.
                + "\"PrimaryCluster\":\"" + result.primaryCluster() + "\","
                + "\"PrimaryReachable\":" + (result.reachable() ? 1 : 0) + ","
                + "\"PrimaryProbeRefused\":" + (result.refused() ? 1 : 0) + ","
                + "\"PrimaryProbeMillis\":" + result.probeMillis() + "}";
    }

    /** {@code arn:aws:kafka:us-east-1:123456789012:cluster/msk-primary/uuid} -> {@code msk-primary}, the alarm's dimension. */
    public static String clusterName(String clusterArn) {
        String[] parts = clusterArn.split("/");
        if (parts.length < 2) {
            throw new InvalidInputException("PRIMARY_CLUSTER_ARN", "is not an MSK cluster ARN: " + clusterArn);
        }
        return parts[1];
    }
}
