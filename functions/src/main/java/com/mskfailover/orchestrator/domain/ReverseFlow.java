package com.mskfailover.orchestrator.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The failback's reverse flow (secondary -> primary), one implementation per {@code ReverseReplicationMode}, chosen
 * once ({@link #of}): replicator-task on ECS ({@link ReplicatorTaskReverseFlow}) or an MSK Replicator
 * ({@link MskReplicatorReverseFlow}). {@link ReverseReplicationSteps} runs the failback's steps on it; what differs
 * between the modes (how the flow starts, its lag, what it copied, how the groups' offsets reach the primary, how it
 * stops, what it needs first) is here.
 */
public interface ReverseFlow {

    /** The reverse flow of these ports' mode: an MSK Replicator when they have one, else replicator-task. */
    static ReverseFlow of(Ports ports) {
        ReverseMskReplicators mskReplicators = ports.reverseMskReplicators();
        return of(mskReplicators == null ? ports.replicatorTasks() : null, mskReplicators, ports.kafkaInspector(), ports.clusterDirectory(),
                ports.settings().kafkaAuth(), ports.clock());
    }

    /**
     * @param tasks          replicator-task on ECS (used when {@code mskReplicators} is null)
     * @param mskReplicators the reverse flow as an MSK Replicator, or null for replicator-task
     */
    static ReverseFlow of(ReplicatorTasks tasks, ReverseMskReplicators mskReplicators, KafkaInspector kafka, ClusterDirectory clusters,
                          String kafkaAuth, Clock clock) {
        return mskReplicators != null ? new MskReplicatorReverseFlow(mskReplicators, kafka, clusters, clock)
                : new ReplicatorTaskReverseFlow(tasks, kafka, clusters, kafkaAuth, clock);
    }

    /** For operators: what the flow is ("replicator-task on ECS", "an MSK Replicator from <secondary>"). */
    String describe(Plan plan);

    /** What a start would need and lacks now, each with its fix; empty when it could start (the preflight asks). */
    List<String> startPrerequisitesMissing(Plan plan);

    /** Starts the flow, or finds the one a previous attempt started. */
    ReverseReplication start(Plan plan, PollState catchUp);

    /** One check of the reverse lag, the flow's progress and whether it caught up (see {@link ReverseReplicationSteps#checkLag}). */
    ReverseReplication checkLag(Plan plan, ReverseReplication replication);

    /**
     * Before the drain reads anything: an InvalidInputException when the mode needs {@code producersMovedAt} and it is
     * missing, a DependencyFailedException when the flow stopped.
     */
    void requireDrainable(ReverseReplication replication, Instant producersMovedAt);

    /**
     * Whether the flow has copied every application record the drain waits for ({@code targets}: per partition of the
     * secondary, the position after the last one); {@code consumersDone}: the groups read everything and left (an MSK
     * Replicator's costlier check runs only then).
     */
    Copied copiedEverything(Plan plan, ReverseReplication replication, Map<String, Long> targets, Instant producersMovedAt,
                            boolean consumersDone);

    /** A drain check's finding on what the flow copied: done, and the line for the check's report. */
    record Copied(boolean done, String seen) {
    }

    /**
     * Once the groups drained: their offsets on the primary, synced by the flow (replicator-task) or handed over by
     * this check (an MSK Replicator, which syncs none). {@code pending} empty when every group's are there.
     */
    Offsets offsetsOnPrimary(Plan plan, ReverseReplication replication);

    record Offsets(List<String> pending, String seen) {
    }

    /** What the flow has not copied yet of the secondary's records before {@code upTo} (per partition); empty when it has them all. */
    Optional<String> notCopied(Plan plan, ReverseReplication replication, Map<String, Long> upTo);

    /** The flow's position on the secondary per partition (replicator-task's group); empty for a flow that keeps none there. */
    Optional<Map<String, KafkaInspector.CommittedOffset>> copiedPositions(Plan plan, ReverseReplication replication);

    /** Stops the flow once it copied everything producers wrote on the secondary; the states it was left in. */
    List<ReplicatorTasks.TaskState> stop(Plan plan, ReverseReplication replication);
}
