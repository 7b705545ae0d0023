package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.PrimaryProbe;
import com.mskfailover.orchestrator.domain.PrimaryRegionHealth;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The primary cluster as Amazon MSK reports it in the primary's Region (AWS/Kafka, DEFAULT monitoring level, one
 * datapoint a minute): {@code OfflinePartitionsCount} and {@code ActiveControllerCount} (dimension Cluster Name) and
 * {@code UnderMinIsrPartitionCount} (Cluster Name, Broker ID: the largest over the brokers), read with a CloudWatch
 * client for that Region, over the public API endpoint rather than the peering between the Regions. And, in this
 * stack's Region, whether ProbePrimary's PrimaryReachable was ever 1 (the automatic trigger's arming).
 */
public final class CloudWatchPrimaryRegionHealth implements PrimaryRegionHealth {

    /** MSK publishes every minute, a minute or two late: five minutes hold the newest datapoints. */
    static final Duration WINDOW = Duration.ofMinutes(5);
    /** How far back the arming looks: CloudWatch keeps hourly aggregates for 455 days. */
    static final Duration ARMING_HISTORY = Duration.ofDays(455);

    private final CloudWatchClient primaryRegion;
    private final CloudWatchClient thisRegion;
    private final String clusterName;
    private final Clock clock;

    public CloudWatchPrimaryRegionHealth(CloudWatchClient primaryRegion, CloudWatchClient thisRegion, String primaryClusterArn, Clock clock) {
        this.primaryRegion = primaryRegion;
        this.thisRegion = thisRegion;
        this.clusterName = PrimaryProbe.clusterName(primaryClusterArn);
        this.clock = clock;
    }

    @Override
    public Report report() {
        Instant end = clock.instant();
        GetMetricDataResponse response;
        try {
            response = AwsErrors.call("reading the primary cluster's AWS/Kafka metrics in its Region", () -> primaryRegion.getMetricData(request -> request
                    .startTime(end.minus(WINDOW)).endTime(end)
                    .metricDataQueries(clusterMetric("offline", "OfflinePartitionsCount", "Maximum"),
                            clusterMetric("controllers", "ActiveControllerCount", "Maximum"),
                            MetricDataQuery.builder().id("underminisr").returnData(true).period(60)
                                    .expression("MAX(SEARCH('{AWS/Kafka,\"Broker ID\",\"Cluster Name\"} MetricName=\"UnderMinIsrPartitionCount\" \"Cluster Name\"=\""
                                            + clusterName + "\"', 'Maximum', 60))")
                                    .build())));
        } catch (RuntimeException e) {
            if (e.getCause() instanceof AwsServiceException answered && answered.statusCode() < 500) {
                // It answered (a refusal or throttling): not the Region down, an error the re-check retries.
                throw e;
            }
            return new Report(Report.Status.UNREADABLE, "the primary Region's CloudWatch did not answer: " + e.getMessage());
        }
        Map<String, Optional<Double>> newest = response.metricDataResults().stream()
                .collect(Collectors.toMap(MetricDataResult::id, result -> result.values().stream().findFirst(), (a, b) -> a));
        Function<String, Optional<Double>> value = id -> newest.getOrDefault(id, Optional.empty());
        Optional<Double> offline = value.apply("offline");
        Optional<Double> controllers = value.apply("controllers");
        Optional<Double> underMinIsr = value.apply("underminisr");
        String figures = "OfflinePartitionsCount " + shown(offline) + ", ActiveControllerCount " + shown(controllers)
                + ", UnderMinIsrPartitionCount " + shown(underMinIsr) + " (newest of the last " + WINDOW.toMinutes() + " minutes, cluster " + clusterName + ")";
        if (offline.isEmpty() && controllers.isEmpty()) {
            return new Report(Report.Status.SILENT, "no datapoint: " + figures);
        }
        boolean impaired = offline.orElse(0.0) > 0 || underMinIsr.orElse(0.0) > 0 || controllers.map(count -> count < 1).orElse(false);
        return new Report(impaired ? Report.Status.IMPAIRED : Report.Status.HEALTHY, figures);
    }

    @Override
    public boolean probeHasSeenPrimaryReachable() {
        Instant end = clock.instant();
        GetMetricDataResponse response = AwsErrors.call("reading PrimaryReachable's history", () -> thisRegion.getMetricData(request -> request
                .startTime(end.minus(ARMING_HISTORY)).endTime(end)
                .metricDataQueries(query -> query.id("m").returnData(true).metricStat(stat -> stat
                        .stat("Maximum").period((int) Duration.ofDays(1).toSeconds())
                        .metric(metric -> metric.namespace(PrimaryProbe.NAMESPACE).metricName("PrimaryReachable")
                                .dimensions(dimension -> dimension.name("PrimaryCluster").value(clusterName)))))));
        return response.metricDataResults().stream().filter(result -> "m".equals(result.id()))
                .flatMap(result -> result.values().stream()).anyMatch(reachable -> reachable >= 1);
    }

    private MetricDataQuery clusterMetric(String id, String metricName, String stat) {
        return MetricDataQuery.builder().id(id).returnData(true).metricStat(metricStat -> metricStat.stat(stat).period(60)
                .metric(metric -> metric.namespace("AWS/Kafka").metricName(metricName)
                        .dimensions(dimension -> dimension.name("Cluster Name").value(clusterName)))).build();
    }

    private static String shown(Optional<Double> value) {
        return value.map(number -> String.valueOf(number.longValue())).orElse("none");
    }
}
