package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.kafka.ReplicatorGroupForwardReplication;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The forward flow as a replicator-task: whether it runs from its consumer group on the primary (the lag contract),
 * its latency from the ReplicationLatency it publishes to CloudWatch in this Region (readable during an outage).
 */
public final class ReplicatorTaskForwardReplication implements ForwardReplication {

    private final ReplicatorGroupForwardReplication group;
    private final CloudWatchReplicatorMetrics metrics;
    private final String replicatorName;

    public ReplicatorTaskForwardReplication(ReplicatorGroupForwardReplication group, CloudWatchClient cloudWatch, String metricsNamespace,
                                            String replicatorName, Clock clock) {
        this.group = group;
        this.metrics = new CloudWatchReplicatorMetrics(cloudWatch, metricsNamespace, clock);
        this.replicatorName = replicatorName;
    }

    @Override
    public Status status() {
        return group.status();
    }

    @Override
    public OptionalLong messageLag(Instant since) {
        return group.messageLag(since);
    }

    @Override
    public Optional<String> offsetSyncMarker() {
        return group.offsetSyncMarker();
    }

    @Override
    public java.util.List<com.mskfailover.orchestrator.domain.MetricDatapoint> latencyBefore(Instant until, Duration lookback) {
        return metrics.latencyBefore(replicatorName, until, lookback);
    }
}
