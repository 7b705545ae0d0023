package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.ForwardReplication;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.kafka.KafkaClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The forward flow as an MSK Replicator in this (the target) Region: its state from kafka:DescribeReplicator and
 * its figures from CloudWatch (AWS/Kafka): ReplicatorThroughput (bytes/s) and ReplicationLatency (ms).
 */
public final class MskReplicatorForwardReplication implements ForwardReplication {

    private final KafkaClient kafka;
    private final CloudWatchReplicatorMetrics metrics;
    private final String replicatorArn;

    public MskReplicatorForwardReplication(KafkaClient kafka, CloudWatchClient cloudWatch, String replicatorArn, Clock clock) {
        this.kafka = kafka;
        this.metrics = new CloudWatchReplicatorMetrics(cloudWatch, "AWS/Kafka", clock);
        this.replicatorArn = replicatorArn;
    }

    @Override
    public Status status() {
        var replicator = describe();
        String state = replicator.replicatorStateAsString();
        double throughput = metrics.latest(replicator.replicatorName(), "ReplicatorThroughput", "Average").orElse(0.0);
        return new Status("RUNNING".equals(state), throughput, "MSK Replicator " + replicator.replicatorName() + " " + state
                + ", ReplicatorThroughput " + throughput + " bytes/s");
    }

    /** MessageLag: "monitor until it reaches 0, which means the replicator caught up" (MSK Replicator's metrics reference). */
    @Override
    public OptionalLong messageLag(Instant since) {
        return metrics.latestSince(describe().replicatorName(), "MessageLag", "Maximum", since)
                .map(lag -> OptionalLong.of(lag.longValue())).orElse(OptionalLong.empty());
    }

    @Override
    public Optional<String> offsetSyncMarker() {
        return Optional.empty();
    }

    @Override
    public java.util.List<com.mskfailover.orchestrator.domain.MetricDatapoint> latencyBefore(Instant until, Duration lookback) {
        return metrics.latencyBefore(describe().replicatorName(), until, lookback);
    }

    private software.amazon.awssdk.services.kafka.model.DescribeReplicatorResponse describe() {
        return AwsErrors.call("describing replicator " + replicatorArn, () -> kafka.describeReplicator(request -> request.replicatorArn(replicatorArn)));
    }
}
