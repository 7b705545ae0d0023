package com.mskfailover.orchestrator.kafka;

import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.domain.KafkaInspector;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@link ForwardReplication} when the forward flow is a replicator-task: its source position is the consumer
 * group REPLICATOR_NAME on the primary (the lag contract). Running means it has committed on every partition
 * and is within {@code maxLagRecords} of the end. A group's lag cannot tell a rate: records waiting within that bound
 * count as moving (their number per second), and a caught-up replicator reports 0, since nothing moves: the forward
 * check then passes on its lag of 0, and fails where throughput is required. No latency figure is readable from here
 * when the primary is down.
 */
public final class ReplicatorGroupForwardReplication implements ForwardReplication {

    private final KafkaInspector kafka;
    private final ClusterDirectory clusters;
    private final String primaryClusterArn;
    private final String forwardReplicatorName;
    private final List<String> topics;
    private final long maxLagRecords;

    public ReplicatorGroupForwardReplication(KafkaInspector kafka, ClusterDirectory clusters, String primaryClusterArn,
                                             String forwardReplicatorName, List<String> topics, long maxLagRecords) {
        this.kafka = kafka;
        this.clusters = clusters;
        this.primaryClusterArn = primaryClusterArn;
        this.forwardReplicatorName = forwardReplicatorName;
        this.topics = List.copyOf(topics);
        this.maxLagRecords = maxLagRecords;
    }

    @Override
    public Status status() {
        String primary = clusters.bootstrapServers(primaryClusterArn);
        KafkaInspector.GroupLag lag = kafka.groupLag(primary, forwardReplicatorName, topics);
        boolean running = lag.partitionsWithoutCommit() == 0 && lag.totalLag() <= maxLagRecords;
        // A nominal rate when caught up would pass requireForwardThroughput on a flow that moves nothing.
        double throughput = running ? lag.totalLag() : 0;
        return new Status(running, throughput, "forward " + lag);
    }

    /** Read from the primary now, so any {@code since} is met; empty while a partition has no commit of the flow yet. */
    @Override
    public OptionalLong messageLag(Instant since) {
        KafkaInspector.GroupLag lag = kafka.groupLag(clusters.bootstrapServers(primaryClusterArn), forwardReplicatorName, topics);
        return lag.partitionsWithoutCommit() == 0 ? OptionalLong.of(lag.totalLag()) : OptionalLong.empty();
    }

    @Override
    public Optional<String> offsetSyncMarker() {
        return Optional.of(forwardReplicatorName);
    }

    @Override
    public java.util.List<com.mskfailover.orchestrator.domain.MetricDatapoint> latencyBefore(Instant until, Duration lookback) {
        return java.util.List.of();
    }
}
