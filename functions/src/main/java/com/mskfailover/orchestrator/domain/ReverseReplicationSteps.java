package com.mskfailover.orchestrator.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Failback's reverse flow steps: start it (secondary -> primary, from earliest, identical names), wait for its lag to
 * reach zero, wait for the application consumers on the secondary to drain with their offsets on the primary, stop it.
 * What depends on the mode (replicator-task or an MSK Replicator) is the {@link ReverseFlow}'s; the drain's checks of
 * the groups and of the primary are the same in both.
 */
public final class ReverseReplicationSteps {

    /** How long the drain's check of the primary waits for an answer. */
    static final java.time.Duration PRIMARY_PROBE_TIMEOUT = java.time.Duration.ofSeconds(5);
    static final String WAITING_FOR_LAG = "the reverse replication lag (secondary -> primary) to reach 0";
    static final String EVERYTHING_AT_THE_LAST_CHECK = "everything the secondary held at the last check is copied (producers still write"
            + " there: the drain's gates copy the rest before consumers move)";

    private final ReverseFlow flow;
    private final KafkaInspector kafka;
    private final ClusterDirectory clusters;
    private final Clock clock;

    /** The reverse flow of the stack: MSK Replicators when the ports have them, else replicator-task on ECS. */
    public static ReverseReplicationSteps of(Ports ports) {
        return new ReverseReplicationSteps(ReverseFlow.of(ports), ports.kafkaInspector(), ports.clusterDirectory(), ports.clock());
    }

    /**
     * @param tasks          replicator-task on ECS; null when the reverse flow is an MSK Replicator
     * @param mskReplicators the reverse flow as an MSK Replicator, or null for replicator-task
     */
    public ReverseReplicationSteps(ReplicatorTasks tasks, ReverseMskReplicators mskReplicators, KafkaInspector kafka,
                                   ClusterDirectory clusters, String kafkaAuth, Clock clock) {
        this(ReverseFlow.of(tasks, mskReplicators, kafka, clusters, kafkaAuth, clock), kafka, clusters, clock);
    }

    public ReverseReplicationSteps(ReverseFlow flow, KafkaInspector kafka, ClusterDirectory clusters, Clock clock) {
        this.flow = flow;
        this.kafka = kafka;
        this.clusters = clusters;
        this.clock = clock;
    }

    public ReverseFlow flow() {
        return flow;
    }

    /** Starts the flow (or finds the one a previous attempt started); its catch-up wait starts now. */
    public ReverseReplication start(Plan plan) {
        return flow.start(plan, PollState.starting(plan.timeouts().replicationCatchUpSeconds(), clock));
    }

    /**
     * One check of the reverse lag; fails if the flow stopped, or past the deadline. The first catch-up is done at lag 0,
     * or once everything the secondary held at the previous check is copied (producers may still write there).
     */
    public ReverseReplication checkLag(Plan plan, ReverseReplication replication) {
        return flow.checkLag(plan, replication);
    }

    static String withProgress(String seen, CatchUpProgress progress) {
        return progress == null ? seen : seen + "; " + progress.describe();
    }

    /**
     * One check of the drain that must precede moving consumers: every application group on the secondary has read
     * every application record there ({@code targets}: per partition, the position after the last one, from
     * {@link SecondaryQuietGate}; the forward flow's copies after it are read on the primary, as the originals), has
     * no consumer connected there any more, the reverse replication has copied every application record, and the
     * groups' final offsets are on the primary (see {@link GroupOffsetHandover}).
     */
    public ConsumerDrain checkConsumersDrained(Plan plan, ReverseReplication replication, ConsumerDrain drain, Map<String, Long> targets,
                                               Instant producersMovedAt) {
        flow.requireDrainable(replication, producersMovedAt);
        // Producers are on the primary by now: if it is gone again, say so at once instead of waiting out the drain.
        String primaryServers = clusters.bootstrapServers(plan.primary().clusterArn());
        KafkaInspector.ProbeResult primaryProbe = kafka.probe(primaryServers, PRIMARY_PROBE_TIMEOUT);
        if (!primaryProbe.reachable()) {
            throw new TransientDependencyException("the primary stopped answering while clients were moved back to it "
                    + "(producers are on it, consumers still on the secondary): " + primaryProbe.detail(), null);
        }
        String secondary = clusters.bootstrapServers(plan.secondary().clusterArn());
        Map<String, KafkaInspector.OffsetRange> ranges = kafka.offsetRanges(secondary, plan.topics());
        List<String> seen = new ArrayList<>();
        List<String> connected = new ArrayList<>();
        boolean readEverything = true;
        // Every group in one request of each kind: a drain over a hundred groups is two round trips, not two hundred.
        Map<String, Map<String, KafkaInspector.CommittedOffset>> committedByGroup = kafka.committedOffsets(secondary, plan.consumerGroups(), plan.topics());
        Map<String, java.util.Optional<String>> toStopByGroup = kafka.consumersToStop(secondary, plan.consumerGroups(), "secondary");
        for (String group : plan.consumerGroups()) {
            Map<String, KafkaInspector.CommittedOffset> committed = committedByGroup.get(group);
            long unread = targets.entrySet().stream()
                    .mapToLong(target -> Math.max(0, target.getValue() - position(committed, target.getKey(), ranges))).sum();
            readEverything &= unread == 0;
            // It starts again on the primary through the consumer alias.
            java.util.Optional<String> toStop = toStopByGroup.get(group);
            toStop.ifPresent(connected::add);
            seen.add(group + " lag " + unread + " to the last application record on the secondary" + toStop.map(stop -> ", " + stop).orElse(""));
        }
        ReverseFlow.Copied copied = flow.copiedEverything(plan, replication, targets, producersMovedAt, readEverything && connected.isEmpty());
        seen.add(copied.seen());
        boolean drained = readEverything && connected.isEmpty() && copied.done();
        if (drained) {
            ReverseFlow.Offsets offsets = flow.offsetsOnPrimary(plan, replication);
            drained = offsets.pending().isEmpty();
            seen.add(offsets.seen());
        }
        PollState poll = drain.poll().afterCheck(drained, String.join("; ", seen),
                "consumers on the secondary to read every application record there and stop, the reverse replication to copy them all "
                        + "and their offsets to be synced onto the primary", clock);
        return new ConsumerDrain(poll, readEverything, connected);
    }

    /** What the reverse flow has not copied yet of the secondary's records before {@code upTo} (per partition); empty when it has them all. */
    public java.util.Optional<String> notCopied(Plan plan, ReverseReplication replication, Map<String, Long> upTo) {
        return flow.notCopied(plan, replication, upTo);
    }

    /** Where a group reads a partition from: its commit, or the log start without one (everything there is unread). */
    static long position(Map<String, KafkaInspector.CommittedOffset> committed, String partition, Map<String, KafkaInspector.OffsetRange> ranges) {
        KafkaInspector.CommittedOffset offset = committed.get(partition);
        KafkaInspector.OffsetRange range = ranges.get(partition);
        return offset != null ? offset.offset() : range == null ? 0 : range.logStart();
    }

    /** The reverse flow's position on the secondary per partition (replicator-task); empty for an MSK Replicator, which keeps none there. */
    public java.util.Optional<Map<String, KafkaInspector.CommittedOffset>> copiedPositions(Plan plan, ReverseReplication replication) {
        return flow.copiedPositions(plan, replication);
    }

    /** Stops the flow once it copied everything producers wrote on the secondary (an MSK Replicator refuses otherwise). */
    public List<ReplicatorTasks.TaskState> stop(Plan plan, ReverseReplication replication) {
        return flow.stop(plan, replication);
    }
}
