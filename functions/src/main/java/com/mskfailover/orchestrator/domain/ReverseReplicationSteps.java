package com.mskfailover.orchestrator.domain;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Failback's reverse flow: starts replicator-task secondary -> primary from earliest with identical names,
 * waits for its lag to reach zero, waits for the application consumers on the secondary to drain, stops it.
 */
public final class ReverseReplicationSteps {

    /** How long the drain's check of the primary waits for an answer. */
    static final java.time.Duration PRIMARY_PROBE_TIMEOUT = java.time.Duration.ofSeconds(5);

    private final ReplicatorTasks tasks;
    private final KafkaInspector kafka;
    private final ClusterDirectory clusters;
    private final String kafkaAuth;
    private final Clock clock;

    public ReverseReplicationSteps(ReplicatorTasks tasks, KafkaInspector kafka, ClusterDirectory clusters, String kafkaAuth, Clock clock) {
        this.tasks = tasks;
        this.kafka = kafka;
        this.clusters = clusters;
        this.kafkaAuth = kafkaAuth;
        this.clock = clock;
    }

    /**
     * Starts the plan's number of tasks, keeping those a previous attempt started and starting only the missing
     * ones. Two executions that both find the same tasks running (a second failback started at the same moment,
     * or a listing not showing tasks still provisioning) send the same client token, so they start the missing
     * tasks once between them. However many run, the lanes give each partition one writer.
     */
    public ReverseReplication start(Plan plan) {
        String name = plan.reverseReplicatorName();
        PollState catchUp = PollState.starting(plan.timeouts().replicationCatchUpSeconds(), clock);
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

    /** The replicator-task environment contract of DESIGN.md for secondary -> primary, from earliest. */
    public Map<String, String> replicatorEnvironment(Plan plan) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SOURCE_BOOTSTRAP_SERVERS", clusters.bootstrapServers(plan.secondary().clusterArn()));
        env.put("TARGET_BOOTSTRAP_SERVERS", clusters.bootstrapServers(plan.primary().clusterArn()));
        env.put("SOURCE_AUTH", kafkaAuth);
        env.put("TARGET_AUTH", kafkaAuth);
        env.put("TOPICS", exactNames(plan.topics()));
        if (!plan.consumerGroups().isEmpty()) {
            env.put("GROUPS", exactNames(plan.consumerGroups()));
        }
        env.put("STARTING_POSITION", "earliest");
        env.put("REPLICATOR_NAME", plan.reverseReplicatorName());
        // One lane per task: each task copies one share, and the survivors take a stopped task's share over.
        env.put("LANES", Integer.toString(plan.reverseReplicatorTasks()));
        return env;
    }

    /** One check of the reverse lag; fails if the task stopped, or past the deadline. */
    public ReverseReplication checkLag(Plan plan, ReverseReplication replication) {
        requireRunning(replication);
        KafkaInspector.GroupLag lag = reverseLag(plan, replication);
        PollState next = replication.catchUp().afterCheck(lag.isZero(), lag.toString(),
                "the reverse replication lag (secondary -> primary) to reach 0", clock);
        return replication.afterCheck(lag.totalLag(), next);
    }

    /**
     * One check of the drain that must precede moving consumers: every application group on the secondary has
     * read everything, the reverse replication has copied everything, and it has synced the groups' final offsets
     * onto the primary (see {@link GroupOffsetHandover}).
     */
    public PollState checkConsumersDrained(Plan plan, ReverseReplication replication, PollState drain) {
        requireRunning(replication);
        // Producers are on the primary by now: if it is gone again, say so at once instead of waiting out the drain.
        String primaryServers = clusters.bootstrapServers(plan.primary().clusterArn());
        KafkaInspector.ProbeResult primaryProbe = kafka.probe(primaryServers, PRIMARY_PROBE_TIMEOUT);
        if (!primaryProbe.reachable()) {
            throw new TransientDependencyException("the primary stopped answering while clients were moved back to it "
                    + "(producers are on it, consumers still on the secondary): " + primaryProbe.detail(), null);
        }
        String secondary = clusters.bootstrapServers(plan.secondary().clusterArn());
        List<String> seen = new ArrayList<>();
        boolean drained = true;
        for (String group : plan.consumerGroups()) {
            KafkaInspector.GroupLag lag = kafka.groupLag(secondary, group, plan.topics());
            // A consumer still connected to the secondary would go on reading and committing there after the
            // handover: it must be stopped (it starts again on the primary through the consumer alias).
            List<String> members = kafka.activeMembers(secondary, group);
            drained &= lag.isZero() && members.isEmpty();
            seen.add(lag + (members.isEmpty() ? "" : ", group " + group + " still has " + members.size()
                    + " active member(s) on the secondary " + members + ": stop its consumers there"));
        }
        KafkaInspector.GroupLag reverse = reverseLag(plan, replication);
        drained &= reverse.isZero();
        seen.add("replication " + reverse);
        if (drained) {
            String primary = clusters.bootstrapServers(plan.primary().clusterArn());
            List<String> pending = new ArrayList<>();
            for (String group : plan.consumerGroups()) {
                pending.addAll(GroupOffsetHandover.notHandedOver(group, replication.replicatorName(),
                        kafka.committedOffsets(secondary, group, plan.topics()), kafka.committedOffsets(primary, group, plan.topics())));
            }
            drained = pending.isEmpty();
            seen.add(pending.isEmpty() ? "group offsets synced onto the primary" : "group offsets not on the primary yet: " + pending);
        }
        return drain.afterCheck(drained, String.join("; ", seen),
                "consumers on the secondary to drain, the reverse replication lag to be 0 and their offsets to be synced onto the primary",
                clock);
    }

    public List<ReplicatorTasks.TaskState> stop(ReverseReplication replication) {
        replication.taskIds().forEach(taskId -> tasks.stop(taskId, "failback done: consumers moved to the primary"));
        return replication.taskIds().stream().map(tasks::state).toList();
    }

    private KafkaInspector.GroupLag reverseLag(Plan plan, ReverseReplication replication) {
        String secondary = clusters.bootstrapServers(plan.secondary().clusterArn());
        return kafka.groupLag(secondary, replication.replicatorName(), plan.topics());
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

    private static String exactNames(List<String> names) {
        return "^(" + names.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")$";
    }
}
