package com.mskfailover.orchestrator.local;

import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.ReverseMskReplicators;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The reverse MSK Replicator port on a local stand-in (local-testkit's LocalMskReplicator, which the tests and the
 * drill start through {@link Starter}): CreateReplicator starts one (identical names, starting at earliest, no offset
 * sync, as the AWS adapter asks for), DeleteReplicator closes it.
 */
public final class LocalReverseMskReplicators implements ReverseMskReplicators {

    /** A running stand-in, as the control plane sees it (its figures; {@code failure} is empty while it runs). */
    public record StandIn(String name, BooleanSupplier running, LongSupplier messageLag, LongSupplier copied, LongSupplier skipped,
                          Supplier<Optional<Duration>> latency, Supplier<String> failure, Runnable delete) {
    }

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
        return byArn.entrySet().stream().filter(entry -> entry.getValue().name().equals(replicatorName) && entry.getValue().running().getAsBoolean())
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
        if (replicator == null || !replicator.running().getAsBoolean()) {
            String failure = replicator == null ? "" : replicator.failure().get();
            return new ReplicatorTasks.TaskState("STOPPED", failure.isEmpty() ? "deleted" : "FAILED: " + failure);
        }
        return new ReplicatorTasks.TaskState("RUNNING", "local MSK Replicator " + replicator.name() + " RUNNING");
    }

    @Override
    public OptionalLong messageLag(String replicatorArn) {
        return OptionalLong.of(byArn.get(replicatorArn).messageLag().getAsLong());
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

    /** The forward flow's port on a running stand-in: its copies as the throughput figure, its last copy's latency. */
    public static ForwardReplication forward(StandIn replicator) {
        return new ForwardReplication() {
            @Override
            public Status status() {
                return new Status(replicator.running().getAsBoolean(), replicator.copied().getAsLong(), "local MSK Replicator " + replicator.name()
                        + ", " + replicator.copied().getAsLong() + " records copied, " + replicator.skipped().getAsLong() + " skipped (__mskmr)");
            }

            @Override
            public Optional<Duration> latestLatency() {
                return replicator.latency().get();
            }

            /** Read from the stand-in now, as a fresh MessageLag datapoint would be. */
            @Override
            public java.util.OptionalLong messageLag(java.time.Instant since) {
                return java.util.OptionalLong.of(replicator.messageLag().getAsLong());
            }

            @Override
            public java.util.Optional<String> offsetSyncMarker() {
                return java.util.Optional.empty();
            }
        };
    }
}
