package com.mskfailover.orchestrator.local;

import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.local.msk.LocalMskReplicator;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.domain.MetricDatapoint;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.ReverseMskReplicators;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The reverse MSK Replicator port on a local stand-in (local-testkit's LocalMskReplicator, which the tests and the
 * drill start through {@link Starter}): CreateReplicator starts one (identical names, starting at earliest, no offset
 * sync, as the AWS adapter asks for), DescribeReplicator answers its state (CREATING for a while, then RUNNING),
 * MessageLag is read from its CloudWatch stand-in as GetMetricData gives it (per-period Maximum, timestamped, late),
 * DeleteReplicator closes it.
 */
public final class LocalReverseMskReplicators implements ReverseMskReplicators {

    /** How many periods back a MessageLag read looks, as the CloudWatch adapter reads the last five minutes. */
    private static final int METRIC_WINDOW_PERIODS = 5;

    /**
     * A running stand-in, as the control plane sees it: its state (CREATING, RUNNING, FAILED, DELETED), its
     * MessageLag datapoints as CloudWatch has them, its figures; {@code failure} is empty while it runs.
     */
    public record StandIn(String name, Supplier<String> state, Supplier<List<MetricDatapoint>> messageLag,
                          Supplier<List<MetricDatapoint>> throughput, LongSupplier copied,
                          LongSupplier skipped, Supplier<Optional<Duration>> latency, Supplier<String> failure, Runnable delete) {

        public static StandIn of(LocalMskReplicator replicator) {
            return new StandIn(replicator.name(), replicator::state, () -> datapoints(replicator, "MessageLag"),
                    () -> datapoints(replicator, "ReplicatorThroughput"), replicator::copiedRecords, replicator::skippedRecords,
                    () -> Optional.of(Duration.ofMillis(replicator.replicationLatencyMillis())).filter(d -> !d.isNegative()),
                    replicator::failureText, replicator::close);
        }

        /** The stand-in's readable datapoints of a metric, newest first, as the CloudWatch adapter gets them. */
        private static List<MetricDatapoint> datapoints(LocalMskReplicator replicator, String metric) {
            return replicator.metrics().maximum(replicator.name(), metric, METRIC_WINDOW_PERIODS).stream()
                    .map(datapoint -> new MetricDatapoint(datapoint.periodStart(), datapoint.maximum())).toList();
        }

        boolean active() {
            return ACTIVE.contains(state.get());
        }
    }

    private static final java.util.Set<String> ACTIVE = java.util.Set.of("CREATING", "RUNNING", "UPDATING");

    /** Starts a stand-in copying the topics from source to target (bootstrap strings), from their earliest offsets. */
    public interface Starter {
        StandIn start(String name, String sourceBootstrapServers, String targetBootstrapServers, List<String> topics);
    }

    private final ClusterDirectory clusters;
    private final Starter starter;
    private final Map<String, StandIn> byArn = new ConcurrentHashMap<>();
    private final Map<String, Spec> specs = new ConcurrentHashMap<>();

    public LocalReverseMskReplicators(ClusterDirectory clusters, Starter starter) {
        this.clusters = clusters;
        this.starter = starter;
    }

    @Override
    public Optional<String> findActive(String replicatorName) {
        return byArn.entrySet().stream().filter(entry -> entry.getValue().name().equals(replicatorName) && entry.getValue().active())
                .map(Map.Entry::getKey).findFirst();
    }

    @Override
    public synchronized String create(Spec spec) {
        String arn = "arn:aws:kafka:us-east-1:123456789012:replicator/" + spec.name() + "/local-" + (byArn.size() + 1);
        byArn.put(arn, starter.start(spec.name(), clusters.bootstrapServers(spec.sourceClusterArn()),
                clusters.bootstrapServers(spec.targetClusterArn()), spec.topics()));
        specs.put(arn, spec);
        return arn;
    }

    @Override
    public ReplicatorTasks.TaskState state(String replicatorArn) {
        StandIn replicator = byArn.get(replicatorArn);
        if (replicator == null) {
            return new ReplicatorTasks.TaskState("STOPPED", "MSK Replicator " + replicatorArn + " does not exist (deleted)");
        }
        String state = replicator.state().get();
        String failure = replicator.failure().get();
        String detail = "local MSK Replicator " + replicator.name() + " " + state + (failure.isEmpty() ? "" : ": " + failure);
        return new ReplicatorTasks.TaskState(replicator.active() ? state : "STOPPED", detail);
    }

    @Override
    public List<MetricDatapoint> messageLag(String replicatorArn) {
        return byArn.get(replicatorArn).messageLag().get();
    }

    private volatile List<String> sourceClusterGaps = List.of();

    /** What the source cluster lacks for a cross-Region replicator (a test's fault: no cluster policy, multi-VPC off). */
    public LocalReverseMskReplicators sourceClusterLacks(List<String> gaps) {
        this.sourceClusterGaps = List.copyOf(gaps);
        return this;
    }

    @Override
    public List<String> sourceClusterPrerequisitesMissing(String sourceClusterArn) {
        return sourceClusterGaps;
    }

    @Override
    public void delete(String replicatorArn) {
        StandIn replicator = byArn.get(replicatorArn);
        if (replicator != null) {
            replicator.delete().run();
        }
    }

    public int created() {
        return byArn.size();
    }

    public Spec specOf(String replicatorArn) {
        return specs.get(replicatorArn);
    }

    /**
     * A stand-in's latency as CloudWatch would give it to the RPO check: the Maximum of the minute that ended just before
     * {@code until} (none when the stand-in has no figure).
     */
    public static List<MetricDatapoint> latencyAsAMinuteBefore(java.time.Instant until, Optional<Duration> latency) {
        return latency.map(value -> List.of(new MetricDatapoint(until.minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MINUTES),
                value.toMillis()))).orElse(List.of());
    }

    /** The forward flow's port on a running stand-in: its copies as the throughput figure, its last copy's latency. */
    public static ForwardReplication forward(StandIn replicator) {
        return new ForwardReplication() {
            @Override
            public Status status() {
                // As the AWS adapter reads ReplicatorThroughput: its latest readable datapoint, 0 without one.
                double throughput = replicator.throughput().get().stream().findFirst().map(MetricDatapoint::value).orElse(0.0);
                return new Status("RUNNING".equals(replicator.state().get()), throughput, "local MSK Replicator " + replicator.name()
                        + ", ReplicatorThroughput " + throughput + " records/s, " + replicator.copied().getAsLong() + " records copied, "
                        + replicator.skipped().getAsLong() + " skipped (__mskmr)");
            }

            @Override
            public java.util.List<MetricDatapoint> latencyBefore(java.time.Instant until, Duration lookback) {
                return latencyAsAMinuteBefore(until, replicator.latency().get());
            }

            /** MessageLag as the CloudWatch adapter reads it: the stand-in's datapoints, under the same rule. */
            @Override
            public java.util.OptionalLong messageLag(java.time.Instant since) {
                return MetricDatapoint.newestSince(replicator.messageLag().get(), since)
                        .map(datapoint -> java.util.OptionalLong.of((long) datapoint.value())).orElse(java.util.OptionalLong.empty());
            }

            @Override
            public java.util.Optional<String> offsetSyncMarker() {
                return java.util.Optional.empty();
            }
        };
    }
}
