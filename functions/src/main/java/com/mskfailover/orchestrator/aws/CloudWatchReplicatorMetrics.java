package com.mskfailover.orchestrator.aws;

import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A replicator's latest figures in CloudWatch, over the last five minutes, dimension ReplicatorName: MSK Replicator
 * publishes in AWS/Kafka; replicator-task's embedded metrics land in the namespace the stack names. Both publish
 * in the target Region, this one, so they stay readable while the primary Region is impaired.
 */
final class CloudWatchReplicatorMetrics {

    private static final Duration WINDOW = Duration.ofMinutes(5);

    private final CloudWatchClient cloudWatch;
    private final String namespace;
    private final Clock clock;

    CloudWatchReplicatorMetrics(CloudWatchClient cloudWatch, String namespace, Clock clock) {
        this.cloudWatch = cloudWatch;
        this.namespace = namespace;
        this.clock = clock;
    }

    /** The newest datapoint of the metric (GetMetricData returns newest first), if any in the window. */
    Optional<Double> latest(String replicatorName, String metric, String stat) {
        return latestSince(replicatorName, metric, stat, Instant.EPOCH);
    }

    /** The newest datapoint of the metric in the window whose minute starts at or after {@code since}, if any. */
    Optional<Double> latestSince(String replicatorName, String metric, String stat, Instant since) {
        Instant end = clock.instant();
        GetMetricDataResponse response = AwsErrors.call("reading " + metric + " of " + replicatorName, () -> cloudWatch.getMetricData(request -> request
                .startTime(end.minus(WINDOW)).endTime(end)
                .metricDataQueries(query -> query.id("m").returnData(true).metricStat(metricStat -> metricStat
                        .stat(stat).period(60)
                        .metric(m -> m.namespace(namespace).metricName(metric)
                                .dimensions(d -> d.name("ReplicatorName").value(replicatorName)))))));
        return response.metricDataResults().stream()
                .filter(result -> "m".equals(result.id()))
                .filter(result -> !result.values().isEmpty())
                // A figure older than since says nothing about what happened after it (EPOCH: any age will do).
                .filter(result -> since.equals(Instant.EPOCH)
                        || (!result.timestamps().isEmpty() && !result.timestamps().getFirst().isBefore(since)))
                .map(result -> result.values().getFirst())
                .findFirst();
    }

    Optional<Duration> latestLatency(String replicatorName) {
        return latest(replicatorName, "ReplicationLatency", "Maximum").map(millis -> Duration.ofMillis(millis.longValue()));
    }
}
