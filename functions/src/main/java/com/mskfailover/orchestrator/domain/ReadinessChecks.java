package com.mskfailover.orchestrator.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The preconditions of a move: checked before anything changes, so a refusal leaves everything as it was. */
public final class ReadinessChecks {

    /** What was checked and found, for the execution history and the notification. */
    public record Readiness(String clusterArn, String bootstrapServers, List<String> checks) {
    }

    private final ClusterDirectory clusters;
    private final KafkaInspector kafka;
    private final Duration probeTimeout;

    public ReadinessChecks(ClusterDirectory clusters, KafkaInspector kafka, Duration probeTimeout) {
        this.clusters = clusters;
        this.kafka = kafka;
        this.probeTimeout = probeTimeout;
    }

    /**
     * Failover: the secondary answers, has every topic, and (if an RPO is set) replication was recent enough.
     *
     * @param forwardReplication the flow whose latency is held against the RPO (only this check reads it)
     */
    public Readiness checkSecondaryReady(Plan plan, ForwardReplication forwardReplication) {
        List<String> checks = new ArrayList<>();
        String bootstrap = reachableWithTopics(plan.secondary(), plan, "secondary", checks);
        if (plan.maxReplicationLatencySeconds() > 0) {
            Optional<Duration> latency = forwardReplication.latestLatency();
            if (latency.isEmpty()) {
                throw new NotReadyException("secondary not ready: no recent replication latency figure to check the RPO of "
                        + plan.maxReplicationLatencySeconds() + " s against; start with maxReplicationLatencySeconds 0 to fail over anyway");
            }
            if (latency.get().toSeconds() > plan.maxReplicationLatencySeconds()) {
                throw new NotReadyException("secondary not ready: replication latency " + latency.get().toSeconds()
                        + " s exceeds the RPO of " + plan.maxReplicationLatencySeconds() + " s");
            }
            checks.add("replication latency " + latency.get().toMillis() + " ms within RPO " + plan.maxReplicationLatencySeconds() + " s");
        } else {
            checks.add("RPO check skipped (maxReplicationLatencySeconds 0)");
        }
        return new Readiness(plan.secondary().clusterArn(), bootstrap, checks);
    }

    /** Failback: the recovered primary answers and has every topic (replicator-task copies into identical names). */
    public Readiness checkPrimaryHealthy(Plan plan) {
        List<String> checks = new ArrayList<>();
        String bootstrap = reachableWithTopics(plan.primary(), plan, "primary", checks);
        return new Readiness(plan.primary().clusterArn(), bootstrap, checks);
    }

    private String reachableWithTopics(ClusterRef cluster, Plan plan, String role, List<String> checks) {
        String bootstrap = clusters.bootstrapServers(cluster.clusterArn());
        KafkaInspector.ProbeResult probe = kafka.probe(bootstrap, probeTimeout);
        if (probe.refused()) {
            throw new DependencyFailedException(role + " cluster " + cluster.clusterArn() + " refused the orchestrator: " + probe.detail());
        }
        if (!probe.reachable()) {
            throw new NotReadyException(role + " not ready: cluster " + cluster.clusterArn() + " did not answer within "
                    + probeTimeout.toSeconds() + " s: " + probe.detail());
        }
        checks.add(role + " reachable: " + probe.detail());
        Set<String> missing = kafka.missingTopics(bootstrap, plan.topics());
        if (!missing.isEmpty()) {
            throw new NotReadyException(role + " not ready: topics missing on " + cluster.clusterArn() + ": " + missing.stream().sorted().toList());
        }
        checks.add(role + " has topics " + plan.topics());
        return bootstrap;
    }
}
