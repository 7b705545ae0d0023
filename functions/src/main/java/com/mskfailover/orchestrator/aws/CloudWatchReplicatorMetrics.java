package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.MetricDatapoint;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

    /** The newest datapoint of the metric (GetMetricData returns newest first), if any in the window, of any age. */
    Optional<Double> latest(String replicatorName, String metric, String stat) {
        return datapoints(replicatorName, metric, stat).stream().findFirst().map(MetricDatapoint::value);
    }

    /** The newest datapoint of the metric in the window, counted only if its minute starts at or after {@code since}. */
    Optional<Double> latestSince(String replicatorName, String metric, String stat, Instant since) {
        return MetricDatapoint.newestSince(datapoints(replicatorName, metric, stat), since).map(MetricDatapoint::value);
    }

    /** The metric's 1-minute datapoints of the window with their minutes' starts (null where CloudWatch gave none), newest first. */
    List<MetricDatapoint> datapoints(String replicatorName, String metric, String stat) {
        Instant end = clock.instant();
        return datapoints(replicatorName, metric, stat, end.minus(WINDOW), end);
    }

    private List<MetricDatapoint> datapoints(String replicatorName, String metric, String stat, Instant start, Instant end) {
        GetMetricDataResponse response = AwsErrors.call("reading " + metric + " of " + replicatorName, () -> cloudWatch.getMetricData(request -> request
                .startTime(start).endTime(end)
                .metricDataQueries(query -> query.id("m").returnData(true).metricStat(metricStat -> metricStat
                        .stat(stat).period(60)
                        .metric(m -> m.namespace(namespace).metricName(metric)
                                .dimensions(d -> d.name("ReplicatorName").value(replicatorName)))))));
        List<MetricDatapoint> datapoints = new ArrayList<>();
        response.metricDataResults().stream().filter(result -> "m".equals(result.id())).forEach(result -> {
            for (int i = 0; i < result.values().size(); i++) {
                datapoints.add(new MetricDatapoint(i < result.timestamps().size() ? result.timestamps().get(i) : null, result.values().get(i)));
            }
        });
        return datapoints;
    }

    /** ReplicationLatency's 1-minute Maximum over {@code [until - lookback, until]}. */
    List<MetricDatapoint> latencyBefore(String replicatorName, Instant until, Duration lookback) {
        return datapoints(replicatorName, "ReplicationLatency", "Maximum", until.minus(lookback), until);
    }
}
