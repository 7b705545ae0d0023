package com.mskfailover.orchestrator.domain;

import com.mskfailover.contract.ReplicatorEnvironment;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reverse flow as replicator-task on ECS: tasks started from earliest with identical names, their position the
 * group REPLICATOR_NAME on the secondary, the groups' offsets synced onto the primary by the tasks themselves (their
 * commit metadata says which commit each reflects, {@link GroupOffsetHandover}), stopped with SIGTERM.
 */
final class ReplicatorTaskReverseFlow implements ReverseFlow {

    private final ReplicatorTasks tasks;
    private final KafkaInspector kafka;
    private final ClusterDirectory clusters;
    private final String kafkaAuth;
    private final Clock clock;

    ReplicatorTaskReverseFlow(ReplicatorTasks tasks, KafkaInspector kafka, ClusterDirectory clusters, String kafkaAuth, Clock clock) {
        this.tasks = tasks;
        this.kafka = kafka;
        this.clusters = clusters;
        this.kafkaAuth = kafkaAuth;
        this.clock = clock;
    }

    @Override
    public String describe(Plan plan) {
        return "replicator-task on ECS";
    }

    @Override
    public List<String> startPrerequisitesMissing(Plan plan) {
        return tasks.startPrerequisitesMissing();
    }

    /**
     * Starts the plan's number of tasks, keeping those a previous attempt started and starting only the missing
     * ones. Two executions that both find the same tasks running (a second failback started at the same moment,
     * or a listing not showing tasks still provisioning) send the same client token, so they start the missing
     * tasks once between them. However many run, the lanes give each partition one writer.
     */
    @Override
    public ReverseReplication start(Plan plan, PollState catchUp) {
        String name = plan.reverseReplicatorName();
        List<String> active = tasks.findActive(name);
        int missing = plan.reverseReplicatorTasks() - active.size();
        if (missing <= 0) {
            return new ReverseReplication(active, name, true, -1, catchUp);
        }
        Map<String, String> environment = replicatorEnvironment(plan);
        List<String> started = tasks.start(name, environment,
                startToken(name, environment, missing, active, tasks.recentlyStopped(name)), missing);
        List<String> all = new ArrayList<>(active);
        all.addAll(started);
        return new ReverseReplication(all, name, !active.isEmpty(), -1, catchUp);
    }

    /**
     * The client token of a start: the same for every start of this flow until a task of it stops (so concurrent
     * starts share one task), then a new one (so a start after a task died or was stopped runs a new task instead
     * of getting the stopped one back). The tasks that stopped lately and the environment decide it.
     */
    static String startToken(String replicatorName, Map<String, String> environment, int count, List<String> running,
                             List<String> recentlyStopped) {
        StringBuilder identity = new StringBuilder(replicatorName).append('\n').append(count).append('\n');
        running.stream().sorted().forEach(task -> identity.append("running ").append(task).append('\n'));
        new java.util.TreeMap<>(environment).forEach((key, value) -> identity.append(key).append('=').append(value).append('\n'));
        recentlyStopped.stream().sorted().forEach(task -> identity.append("stopped ").append(task).append('\n'));
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(identity.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "reverse-" + java.util.HexFormat.of().formatHex(digest, 0, 24);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** replicator-task's environment (docs/replicator.md, "Configuration") for secondary -> primary, from earliest. */
    Map<String, String> replicatorEnvironment(Plan plan) {
        return ReplicatorEnvironment.flow(plan.reverseReplicatorName(), clusters.bootstrapServers(plan.secondary().clusterArn()),
                        clusters.bootstrapServers(plan.primary().clusterArn()))
                .auth(kafkaAuth).topics(plan.topics()).groups(plan.consumerGroups()).fromEarliest()
                // One lane per task: each task copies one share, and the survivors take a stopped task's share over.
                .lanes(plan.reverseReplicatorTasks())
                .toMap();
    }

    @Override
    public ReverseReplication checkLag(Plan plan, ReverseReplication replication) {
        requireRunning(replication);
        // The ends first: records that arrive while the positions are read do not count against a flow that keeps up.
        Map<String, KafkaInspector.OffsetRange> ranges = kafka.offsetRanges(clusters.bootstrapServers(plan.secondary().clusterArn()), plan.topics());
        Map<String, KafkaInspector.CommittedOffset> copied = positions(plan, replication);
        KafkaInspector.GroupLag lag = reverseLag(plan, replication, ranges, copied);
        CatchUpProgress progress = CatchUpProgress.after(replication.progress(), lag.totalLag(), clock.instant());
        Map<String, Long> ends = new java.util.TreeMap<>();
        ranges.forEach((partition, range) -> ends.put(partition, range.logEnd()));
        String seen = ReverseReplicationSteps.withProgress(lag.toString(), progress);
        boolean caughtUp = lag.isZero();
        if (!caughtUp && replication.secondaryEnds() != null) {
            caughtUp = replication.secondaryEnds().entrySet().stream()
                    .allMatch(end -> ReverseReplicationSteps.position(copied, end.getKey(), ranges) >= end.getValue());
            seen += caughtUp ? "; " + ReverseReplicationSteps.EVERYTHING_AT_THE_LAST_CHECK : "";
        }
        PollState next = replication.catchUp().afterCheck(caughtUp, seen, ReverseReplicationSteps.WAITING_FOR_LAG, clock);
        return replication.withProgress(progress).withSecondaryEnds(ends).afterCheck(lag.totalLag(), next);
    }

    @Override
    public void requireDrainable(ReverseReplication replication, Instant producersMovedAt) {
        requireRunning(replication);
    }

    @Override
    public Copied copiedEverything(Plan plan, ReverseReplication replication, Map<String, Long> targets, Instant producersMovedAt,
                                   boolean consumersDone) {
        Optional<String> notCopied = notCopied(plan, replication, targets);
        return new Copied(notCopied.isEmpty(), notCopied.orElse("the reverse flow has copied every application record"));
    }

    @Override
    public Offsets offsetsOnPrimary(Plan plan, ReverseReplication replication) {
        String secondary = clusters.bootstrapServers(plan.secondary().clusterArn());
        String primary = clusters.bootstrapServers(plan.primary().clusterArn());
        List<String> pending = new ArrayList<>();
        var onSecondary = kafka.committedOffsets(secondary, plan.consumerGroups(), plan.topics());
        var onPrimary = kafka.committedOffsets(primary, plan.consumerGroups(), plan.topics());
        for (String group : plan.consumerGroups()) {
            pending.addAll(GroupOffsetHandover.notHandedOver(group, replication.replicatorName(), onSecondary.get(group), onPrimary.get(group)));
        }
        return new Offsets(pending, pending.isEmpty() ? "group offsets synced onto the primary" : "group offsets not on the primary yet: " + pending);
    }

    @Override
    public Optional<String> notCopied(Plan plan, ReverseReplication replication, Map<String, Long> upTo) {
        requireRunning(replication);
        Map<String, KafkaInspector.CommittedOffset> copied = positions(plan, replication);
        Map<String, KafkaInspector.OffsetRange> ranges = kafka.offsetRanges(clusters.bootstrapServers(plan.secondary().clusterArn()), plan.topics());
        List<String> behind = new ArrayList<>();
        upTo.forEach((partition, end) -> {
            long position = ReverseReplicationSteps.position(copied, partition, ranges);
            if (position < end) {
                behind.add(partition + " at " + position + " of " + end);
            }
        });
        return behind.isEmpty() ? Optional.empty() : Optional.of("the reverse flow has not copied every application record yet: " + behind);
    }

    @Override
    public Optional<Map<String, KafkaInspector.CommittedOffset>> copiedPositions(Plan plan, ReverseReplication replication) {
        return Optional.of(positions(plan, replication));
    }

    private Map<String, KafkaInspector.CommittedOffset> positions(Plan plan, ReverseReplication replication) {
        return kafka.committedOffsets(clusters.bootstrapServers(plan.secondary().clusterArn()), replication.replicatorName(), plan.topics());
    }

    @Override
    public List<ReplicatorTasks.TaskState> stop(Plan plan, ReverseReplication replication) {
        replication.taskIds().forEach(taskId -> tasks.stop(taskId, "failback done: consumers moved to the primary"));
        return replication.taskIds().stream().map(tasks::state).toList();
    }

    /** The flow's lag over the secondary's {@code ranges}, from its {@code copied} positions (read after the ranges). */
    private KafkaInspector.GroupLag reverseLag(Plan plan, ReverseReplication replication, Map<String, KafkaInspector.OffsetRange> ranges,
                                               Map<String, KafkaInspector.CommittedOffset> copied) {
        String secondary = clusters.bootstrapServers(plan.secondary().clusterArn());
        long lag = 0;
        int withoutCommit = 0;
        for (var partition : ranges.entrySet()) {
            long from = ReverseReplicationSteps.position(copied, partition.getKey(), ranges);
            withoutCommit += copied.containsKey(partition.getKey()) ? 0 : 1;
            long behind = partition.getValue().logEnd() - from;
            // Once producers are on the primary (a re-run), the forward flow's copies keep arriving on the secondary and
            // are never copied back: only what applications wrote counts, read when little is left.
            lag += behind <= 0 ? 0 : behind > SecondaryQuietGate.SCAN_WINDOW ? behind : kafka.applicationRecords(secondary,
                    partition.getKey(), from, partition.getValue().logEnd(), SecondaryQuietGate.SCAN_WINDOW).applicationRecords().size();
        }
        return new KafkaInspector.GroupLag(replication.replicatorName(), lag, ranges.size(), withoutCommit);
    }

    /**
     * Every task of the flow must run: the others would take a stopped one's lanes over, but a task that stops
     * is a fault an operator must hear of (a re-run starts a replacement and keeps the running ones).
     */
    private void requireRunning(ReverseReplication replication) {
        for (String taskId : replication.taskIds()) {
            ReplicatorTasks.TaskState state = tasks.state(taskId);
            if (state.stopped()) {
                throw new DependencyFailedException("replicator-task " + taskId + " (" + (replication.taskIds().indexOf(taskId) + 1)
                        + " of " + replication.taskIds().size() + ") stopped: " + state.detail());
            }
        }
    }
}
