package com.mskfailover.replicator;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A running replication flow from one cluster to another with identical topic names. Start it with
 * {@link #start(ReplicatorConfig)}; {@link #close()} flushes what was sent, commits the source position
 * and stops.
 *
 * <pre>{@code
 * try (Replicator replicator = Replicator.start(ReplicatorConfig.fromEnvironment(Map.of(
 *         "SOURCE_BOOTSTRAP_SERVERS", secondary, "TARGET_BOOTSTRAP_SERVERS", primary,
 *         "SOURCE_AUTH", "none", "TARGET_AUTH", "none", "REPLICATOR_NAME", "failback")))) {
 *     ...
 * }
 * }</pre>
 */
public final class Replicator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

    private final ReplicatorConfig config;
    private final Admin source;
    private final Admin target;
    private final ReplicationMetrics metrics;
    private final String sourceClusterId;
    private final String targetClusterId;
    private final OffsetTranslation translation;
    /** The lanes this task copies now, each with its copier. */
    private final Map<Integer, RecordCopier> copiers = new ConcurrentHashMap<>();
    private final LaneMembership membership;
    private final ScheduledExecutorService scheduler;
    private final TopicSync topicSync;
    private final OffsetRecovery offsetRecovery;
    private final PartitionStalls stalls = new PartitionStalls();
    private final CompletableFuture<RuntimeException> failure = new CompletableFuture<>();
    private boolean closing;
    /** Topic sync's latest answer: what the lag and the stalled-partition count cover. */
    private volatile TopicSync.Result topics = new TopicSync.Result(Map.of(), Set.of(), Map.of());

    private Replicator(ReplicatorConfig config, Admin source, Admin target, String sourceClusterId,
                       String targetClusterId, PrintStream metricsOut) {
        this.config = config;
        this.source = source;
        this.target = target;
        this.metrics = new ReplicationMetrics(config.replicatorName(), metricsOut, Clock.systemUTC());
        this.sourceClusterId = sourceClusterId;
        this.targetClusterId = targetClusterId;
        this.translation = new OffsetTranslation();
        this.membership = new LaneMembership(config, this::copyLanes);
        this.offsetRecovery = new OffsetRecovery(config, sourceClusterId, targetClusterId, translation);
        Thread recoveryThread = new Thread(offsetRecovery, config.replicatorName() + "-offset-recovery");
        recoveryThread.setDaemon(true);
        recoveryThread.start();
        this.topicSync = new TopicSync(source, target, config);
        GroupOffsetSync groupSync = new GroupOffsetSync(source, target, config, translation, this::replicatedUpTo);
        this.scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, config.replicatorName() + "-sync");
            thread.setDaemon(true);
            return thread;
        });
        scheduleQuietly("topic sync", () -> replicate(topicSync.sync()), config.topicSyncInterval());
        scheduleQuietly("group offset sync", groupSync::sync, config.groupSyncInterval());
        scheduleQuietly("metrics", this::emitMetrics, config.metricsInterval());
    }

    /**
     * The first topic sync; then the lanes. Alone in its group, the task starts copying every lane at once
     * instead of waiting for the group's first assignment (the broker delays it by
     * {@code group.initial.rebalance.delay.ms}, 3 s by default): were another task starting at the same
     * moment, the transactional ids would fence one of the two writers of each lane until the group decides.
     */
    private Replicator syncTopicsAndJoin() throws Exception {
        TopicSync.Result result = topicSync.sync();
        LOG.info("replicator {}: {} partitions to replicate", config.replicatorName(), result.replicable().size());
        replicate(result);
        if (aloneInGroup()) {
            copyLanes(LaneAssignment.Share.of(allLanes()));
        }
        Thread thread = new Thread(membership, config.replicatorName() + "-lanes");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private boolean aloneInGroup() {
        String group = LaneMembership.groupId(config.replicatorName());
        try {
            return source.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(30, TimeUnit.SECONDS).members().isEmpty();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                return true; // no such group yet (Kafka 4's group coordinator says so): no member either
            }
            LOG.warn("replicator {}: could not describe group {} ({}): waiting for the group to give this task its lanes",
                    config.replicatorName(), group, e.toString());
            return false;
        } catch (Exception e) {
            LOG.warn("replicator {}: could not describe group {} ({}): waiting for the group to give this task its lanes",
                    config.replicatorName(), group, e.toString());
            return false;
        }
    }

    private Set<Integer> allLanes() {
        return IntStream.range(0, config.lanes()).boxed().collect(Collectors.toSet());
    }

    private void replicate(TopicSync.Result result) {
        topics = result;
        copiers.values().forEach(copier -> copier.replicate(result.replicable()));
    }

    /**
     * The lanes the group gives this task: lanes it lost stop (committing what they copied) before lanes it
     * gained start. Called on the membership thread, or once at start.
     */
    private synchronized void copyLanes(LaneAssignment.Share share) {
        if (!share.refusal().isEmpty()) {
            LOG.error("replicator {}: the group gives this task no lane: {}", config.replicatorName(), share.refusal());
        }
        if (closing) {
            return;
        }
        for (Integer lane : Set.copyOf(copiers.keySet())) {
            if (!share.lanes().contains(lane)) {
                stopLane(lane, config.stopTimeout());
            }
        }
        for (Integer lane : share.lanes()) {
            copiers.computeIfAbsent(lane, this::startLane);
        }
        LOG.info("replicator {}: this task copies lanes {} of {}", config.replicatorName(), new TreeSet<>(copiers.keySet()), config.lanes());
    }

    private RecordCopier startLane(int lane) {
        RecordCopier[] self = new RecordCopier[1];
        RecordCopier copier = new RecordCopier(config, lane, sourceClusterId, targetClusterId, target, translation, metrics,
                stalls, failure::complete, () -> takenOver(lane, self[0]));
        self[0] = copier;
        copier.replicate(topics.replicable());
        Thread thread = new Thread(copier, config.replicatorName() + "-copier-" + lane);
        // A copier stuck flushing to an unreachable target must not keep the JVM alive after close().
        thread.setDaemon(true);
        thread.start();
        return copier;
    }

    private void stopLane(int lane, Duration timeout) {
        RecordCopier copier = copiers.remove(lane);
        if (copier == null) {
            return;
        }
        copier.requestStop();
        try {
            if (!copier.awaitStopped(timeout)) {
                LOG.warn("replicator {}: lane {} did not commit within {}; its next writer aborts its open transaction",
                        config.replicatorName(), lane, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        copier.forgetPartitions();
    }

    /** On the copier's thread, which ends: another task writes this lane now; the group settles who holds it. */
    private void takenOver(int lane, RecordCopier copier) {
        if (copiers.remove(lane, copier)) {
            copier.forgetPartitions();
        }
        membership.requestRejoin();
    }

    /**
     * Completes with the reason if the replicator had to stop by itself (another writer took over its
     * transactional ids, or it may not write transactionally); {@link Main} then exits non-zero.
     */
    public CompletableFuture<RuntimeException> failure() {
        return failure;
    }

    /** Starts replicating with metrics on stdout. */
    public static Replicator start(ReplicatorConfig config) {
        return start(config, System.out);
    }

    /**
     * Connects to both clusters, creates missing topics on the target and starts copying. Fails (and
     * writes nothing) if a cluster cannot be reached or both sides are the same cluster.
     */
    public static Replicator start(ReplicatorConfig config, PrintStream metricsOut) {
        Admin source = Admin.create(adminConfig(config.sourceClientProperties(), config.replicatorName() + "-source-admin"));
        Admin target = Admin.create(adminConfig(config.targetClientProperties(), config.replicatorName() + "-target-admin"));
        String sourceClusterId;
        String targetClusterId;
        try {
            // Both requests in flight at once: start-up time is the first record's latency.
            KafkaFuture<String> sourceCluster = source.describeCluster().clusterId();
            KafkaFuture<String> targetCluster = target.describeCluster().clusterId();
            sourceClusterId = sourceCluster.get(60, TimeUnit.SECONDS);
            targetClusterId = targetCluster.get(60, TimeUnit.SECONDS);
            if (sourceClusterId.equals(targetClusterId)) {
                throw new InvalidConfigurationException("SOURCE_BOOTSTRAP_SERVERS and TARGET_BOOTSTRAP_SERVERS reach the same cluster ("
                        + sourceClusterId + "): point TARGET_BOOTSTRAP_SERVERS at the other cluster");
            }
            LOG.info("replicator {} starting: cluster {} -> cluster {}", config.replicatorName(), sourceClusterId, targetClusterId);
        } catch (RuntimeException e) {
            source.close();
            target.close();
            throw e;
        } catch (Exception e) {
            source.close();
            target.close();
            throw new IllegalStateException("replicator " + config.replicatorName() + " could not start: " + e, e);
        }
        Replicator replicator = new Replicator(config, source, target, sourceClusterId, targetClusterId, metricsOut);
        try {
            return replicator.syncTopicsAndJoin();
        } catch (Exception e) {
            replicator.close();
            throw new IllegalStateException("replicator " + config.replicatorName() + " could not sync topics: " + e, e);
        }
    }

    public ReplicatorConfig config() {
        return config;
    }

    /** Source partitions being replicated and, for each, the offset before which everything is on the target. */
    public Map<TopicPartition, Long> replicatedUpTo() {
        Map<TopicPartition, Long> upTo = new HashMap<>();
        copiers.values().forEach(copier -> upTo.putAll(copier.replicatedUpTo()));
        return upTo;
    }

    public long recordsCopied() {
        return metrics.recordsCopied();
    }

    public long recordsSkipped() {
        return metrics.recordsSkipped();
    }

    /** Nothing before the first commit: a lag of 0 would claim a position not known yet. */
    private void emitMetrics() throws Exception {
        int selectedTopics = topicSync.selectedTopics();
        if (selectedTopics == 0) {
            metrics.emitNothingSelected();
        } else if (!replicatedUpTo().isEmpty()) {
            OptionalLong oldestWaiting = copiers.values().stream().map(RecordCopier::oldestWaiting)
                    .filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).min();
            metrics.emit(messageLag(), stalledPartitions(), oldestWaiting, selectedTopics);
        }
    }

    /** Partitions stopped at a record, and partitions of topics that topic sync cannot replicate, in this task's lanes. */
    int stalledPartitions() {
        TopicSync.Result current = topics;
        long notReplicable = inMyLanes(current.wanted()).stream()
                .filter(partition -> current.failing().containsKey(partition.topic())).count();
        return stalls.count() + (int) notReplicable;
    }

    private Set<TopicPartition> inMyLanes(Set<TopicPartition> partitions) {
        Set<Integer> lanes = copiers.keySet();
        return partitions.stream().filter(partition -> lanes.contains(RecordCopier.laneOf(partition, config.lanes())))
                .collect(Collectors.toSet());
    }

    /**
     * Sum over every partition of this task's lanes that the filters select of source log end offset minus
     * the replicated position (none yet: the whole partition), so a partition that cannot be replicated
     * keeps the lag above 0. The other tasks report their lanes.
     */
    long messageLag() throws Exception {
        Map<TopicPartition, Long> upTo = replicatedUpTo();
        Set<TopicPartition> partitions = inMyLanes(topics.wanted());
        partitions.addAll(upTo.keySet());
        if (partitions.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, OffsetSpec> request = partitions.stream()
                .collect(Collectors.toMap(partition -> partition, partition -> OffsetSpec.latest()));
        var ends = source.listOffsets(request).all().get(5, TimeUnit.SECONDS);
        return partitions.stream()
                .mapToLong(partition -> Math.max(0, ends.get(partition).offset() - upTo.getOrDefault(partition, 0L)))
                .sum();
    }

    private void scheduleQuietly(String what, ThrowingRunnable task, Duration interval) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (Exception e) {
                if (scheduler.isShutdown()) {
                    return; // interrupted by close()
                }
                // A cluster may be briefly unreachable; the next round tries again.
                LOG.warn("{} failed, retrying in {}: {}", what, interval, e.toString());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * Commits what was copied, emits final metrics and stops, within {@code STOP_TIMEOUT_MS} whatever the
     * clusters do (ECS kills the task at its stopTimeout). Stopping early loses nothing: an open
     * transaction is aborted by the next writer, which resumes from the checkpoint.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + config.stopTimeout().toNanos();
        scheduler.shutdownNow();
        offsetRecovery.stop();
        try {
            synchronized (this) {
                closing = true;
            }
            copiers.values().forEach(RecordCopier::requestStop);
            for (RecordCopier copier : copiers.values()) {
                if (!copier.awaitStopped(remaining(deadline, 0.65))) {
                    LOG.warn("replicator {}: a copier did not commit within the stop timeout; its open transaction will be aborted",
                            config.replicatorName());
                    break;
                }
            }
            // Only now, with every lane committed: the other tasks take the lanes over from the checkpoints.
            membership.stop(remaining(deadline, 0.75));
            scheduler.awaitTermination(remaining(deadline, 0.8).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (remaining(deadline, 1).toMillis() > 3_000) {
                emitMetrics();
            }
        } catch (Exception e) {
            LOG.warn("final metrics not emitted: {}", e.toString());
        }
        source.close(Duration.ofSeconds(1));
        target.close(Duration.ofSeconds(1));
        LOG.info("replicator {} stopped", config.replicatorName());
    }

    /** What is left of {@code share} of the stop timeout that ends at {@code deadline}. */
    private Duration remaining(long deadline, double share) {
        long start = deadline - config.stopTimeout().toNanos();
        long until = start + (long) (config.stopTimeout().toNanos() * share);
        return Duration.ofNanos(Math.max(0, until - System.nanoTime()));
    }

    private static Map<String, Object> adminConfig(Map<String, Object> clientProperties, String clientId) {
        Map<String, Object> admin = new HashMap<>();
        clientProperties.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                admin.put(key, value);
            }
        });
        admin.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return admin;
    }
}
