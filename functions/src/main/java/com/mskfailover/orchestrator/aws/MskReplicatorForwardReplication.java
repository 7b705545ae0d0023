package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.ForwardReplication;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.kafka.KafkaClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The forward flow as an MSK Replicator in this (the target) Region: its state from kafka:DescribeReplicator and
 * its figures from CloudWatch (namespace AWS/Kafka, dimension ReplicatorName): ReplicatorThroughput (bytes/s)
 * and ReplicationLatency (ms), over the last five minutes.
 */
public final class MskReplicatorForwardReplication implements ForwardReplication {

    private static final Duration WINDOW = Duration.ofMinutes(5);

    private final KafkaClient kafka;
    private final CloudWatchClient cloudWatch;
    private final String replicatorArn;
    private final Clock clock;

    public MskReplicatorForwardReplication(KafkaClient kafka, CloudWatchClient cloudWatch, String replicatorArn, Clock clock) {
        this.kafka = kafka;
        this.cloudWatch = cloudWatch;
        this.replicatorArn = replicatorArn;
        this.clock = clock;
    }

    @Override
    public Status status() {
        var replicator = AwsErrors.call("describing replicator " + replicatorArn,
                () -> kafka.describeReplicator(request -> request.replicatorArn(replicatorArn)));
        String state = replicator.replicatorStateAsString();
        double throughput = latest(replicator.replicatorName(), "ReplicatorThroughput", "Average").orElse(0.0);
        return new Status("RUNNING".equals(state), throughput, "MSK Replicator " + replicator.replicatorName() + " " + state
                + ", ReplicatorThroughput " + throughput + " bytes/s");
    }

    @Override
    public Optional<Duration> latestLatency() {
        String name = AwsErrors.call("describing replicator " + replicatorArn,
                () -> kafka.describeReplicator(request -> request.replicatorArn(replicatorArn))).replicatorName();
        return latest(name, "ReplicationLatency", "Maximum").map(millis -> Duration.ofMillis(millis.longValue()));
    }

    private Optional<Double> latest(String replicatorName, String metric, String stat) {
        Instant end = clock.instant();
        GetMetricDataResponse response = AwsErrors.call("reading " + metric + " of " + replicatorName, () -> cloudWatch.getMetricData(request -> request
                .startTime(end.minus(WINDOW)).endTime(end)
                .metricDataQueries(query -> query.id("m").returnData(true).metricStat(metricStat -> metricStat
                        .stat(stat).period(60)
                        .metric(m -> m.namespace("AWS/Kafka").metricName(metric)
                                .dimensions(d -> d.name("ReplicatorName").value(replicatorName)))))));
        return response.metricDataResults().stream()
                .filter(result -> "m".equals(result.id()))
                .map(MetricDataResult::values)
                .filter(values -> !values.isEmpty())
                .map(values -> values.getFirst())
                .findFirst();
    }
}
