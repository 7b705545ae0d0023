package com.mskfailover.orchestrator;

import com.mskfailover.local.msk.LocalMskReplicator;
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

/**
 * The reverse MSK Replicator port on local-runtime's {@link LocalMskReplicator}: CreateReplicator starts one
 * (identical names, starting at earliest, no offset sync, as the AWS adapter asks for), DeleteReplicator closes it.
 */
public final class LocalMskReplicators implements ReverseMskReplicators {

    private final ClusterDirectory clusters;
    private final Map<String, LocalMskReplicator> byArn = new ConcurrentHashMap<>();
    private final Map<String, Spec> specs = new ConcurrentHashMap<>();

    public LocalMskReplicators(ClusterDirectory clusters) {
        this.clusters = clusters;
    }

    @Override
    public Optional<String> findActive(String replicatorName) {
        return byArn.entrySet().stream().filter(entry -> entry.getValue().name().equals(replicatorName) && entry.getValue().running())
                .map(Map.Entry::getKey).findFirst();
    }

    @Override
    public synchronized String create(Spec spec) {
        String arn = "arn:aws:kafka:us-east-1:123456789012:replicator/" + spec.name() + "/local-" + (byArn.size() + 1);
        byArn.put(arn, LocalMskReplicator.start(new LocalMskReplicator.Config(spec.name(), clusters.bootstrapServers(spec.sourceClusterArn()),
                clusters.bootstrapServers(spec.targetClusterArn()), spec.topics(), LocalMskReplicator.StartingPosition.EARLIEST, List.of())));
        specs.put(arn, spec);
        return arn;
    }

    @Override
    public ReplicatorTasks.TaskState state(String replicatorArn) {
        LocalMskReplicator replicator = byArn.get(replicatorArn);
        if (replicator == null || !replicator.running()) {
            return new ReplicatorTasks.TaskState("STOPPED", replicator == null || replicator.failure() == null
                    ? "deleted" : "failed: " + replicator.failure());
        }
        return new ReplicatorTasks.TaskState("RUNNING", "local MSK Replicator " + replicator.name() + " RUNNING");
    }

    @Override
    public OptionalLong messageLag(String replicatorArn) {
        return OptionalLong.of(byArn.get(replicatorArn).messageLag());
    }

    @Override
    public void delete(String replicatorArn) {
        LocalMskReplicator replicator = byArn.get(replicatorArn);
        if (replicator != null) {
            replicator.close();
        }
    }

    public int created() {
        return byArn.size();
    }

    public Spec specOf(String replicatorArn) {
        return specs.get(replicatorArn);
    }

    public LocalMskReplicator replicator(String replicatorArn) {
        return byArn.get(replicatorArn);
    }

    /** The forward flow's port on a running stand-in (its copies as the throughput figure). */
    public static ForwardReplication forward(LocalMskReplicator replicator) {
        return new ForwardReplication() {
            @Override
            public Status status() {
                return new Status(replicator.running(), replicator.copiedRecords(), "local MSK Replicator " + replicator.name()
                        + ", " + replicator.copiedRecords() + " records copied, " + replicator.skippedRecords() + " skipped");
            }

            @Override
            public Optional<Duration> latestLatency() {
                return Optional.of(Duration.ZERO);
            }
        };
    }
}
