package com.mskfailover.orchestrator.domain;

import java.time.Clock;
import java.time.Duration;

/**
 * Watches the primary cluster from the secondary Region, where this stack runs: CloudWatch alarms are regional, so
 * the alarm that starts a failover must be fed from this side. Every run probes the primary's brokers with a short
 * timeout (no MSK API call, so it does not depend on the primary Region's control plane) and writes the result as a
 * CloudWatch embedded-metric-format line: {@code PrimaryReachable} (1 or 0), {@code PrimaryProbeRefused} (1 when the
 * brokers answered but refused the probe's credentials or permissions) and {@code PrimaryProbeMillis}, namespace
 * {@value #NAMESPACE}, dimension {@code PrimaryCluster}. When the brokers answer, it also writes one small record
 * with {@code acks=all} to each partition of the canary topic {@value #CANARY_TOPIC} and reports
 * {@code PrimaryCanaryWritable} (1 or 0; 0 when unreachable too): brokers that answer while a partition has no
 * leader or too few in-sync replicas still fail producers. The stack's alarms on PrimaryReachable and
 * PrimaryCanaryWritable are watched by DetectImpairment; a refusal is reachable (a misconfiguration, never a reason
 * to fail over) and has an alarm of its own that only notifies.
 */
public final class PrimaryProbe {

    public static final String NAMESPACE = "MskFailover/Orchestrator";
    /** The primary's topic the canary writes (template.yaml's kafka-cluster permissions name it). */
    public static final String CANARY_TOPIC = "msk-failover-canary";

    public record Result(String primaryCluster, boolean reachable, boolean refused, boolean canaryWritable, long probeMillis, String detail) {
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
        long probeMillis = clock.millis() - start;
        if (!probe.reachable() || probe.refused()) {
            return new Result(clusterName(primaryClusterArn), probe.reachable(), probe.refused(), false, probeMillis, probe.detail());
        }
        KafkaInspector.CanaryWrite canary = kafka.writeCanary(primaryBootstrapServers, CANARY_TOPIC, timeout);
        return new Result(clusterName(primaryClusterArn), true, canary.outcome() == KafkaInspector.CanaryWrite.Outcome.REFUSED, canary.written(),
                probeMillis, probe.detail() + "; canary: " + canary.detail());
    }

    /** The EMF line for a result: Lambda's log delivery turns it into the two metrics, no API call needed. */
    public String metricLine(Result result) {
        return "{\"_aws\":{\"Timestamp\":" + clock.millis() + ",\"CloudWatchMetrics\":[{\"Namespace\":\"" + NAMESPACE + "\","
                + "\"Dimensions\":[[\"PrimaryCluster\"]],\"Metrics\":["
                + "{\"Name\":\"PrimaryReachable\",\"Unit\":\"Count\"},{\"Name\":\"PrimaryProbeRefused\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"PrimaryCanaryWritable\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"PrimaryProbeMillis\",\"Unit\":\"Milliseconds\"}]}]},"
                // A cluster name is [A-Za-z0-9-] (MSK's rule), so it needs no JSON escaping.
                + "\"PrimaryCluster\":\"" + result.primaryCluster() + "\","
                + "\"PrimaryReachable\":" + (result.reachable() ? 1 : 0) + ","
                + "\"PrimaryProbeRefused\":" + (result.refused() ? 1 : 0) + ","
                + "\"PrimaryCanaryWritable\":" + (result.canaryWritable() ? 1 : 0) + ","
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
