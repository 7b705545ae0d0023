package com.mskfailover.orchestrator.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reverse flow as an MSK Replicator ({@code ReverseReplicationMode=msk-replicator}, the MSK guide's failback):
 * created in the primary's Region, watched through its MessageLag (only figures of minutes that began after the moment
 * that matters: CloudWatch's figures arrive late and a deleted replicator of the same name leaves some), what it copied
 * found on the primary record by record ({@link LastRecordsCopied}), the groups' offsets handed over by the drain
 * itself, exactly ({@link RecordAlignment}: MSK Replicator syncs none), deleted once everything is there.
 */
final class MskReplicatorReverseFlow implements ReverseFlow {

    private final ReverseMskReplicators replicators;
    private final KafkaInspector kafka;
    private final ClusterDirectory clusters;
    private final Clock clock;
    private final LastRecordsCopied lastRecordsCopied;
    private final RecordAlignment alignment;

    MskReplicatorReverseFlow(ReverseMskReplicators replicators, KafkaInspector kafka, ClusterDirectory clusters, Clock clock) {
        this.replicators = replicators;
        this.kafka = kafka;
        this.clusters = clusters;
        this.clock = clock;
        this.lastRecordsCopied = new LastRecordsCopied(kafka, clusters);
        this.alignment = new RecordAlignment(kafka, RecordAlignment.BUDGET_PER_CHECK, clock);
    }

    @Override
    public String describe(Plan plan) {
        return "an MSK Replicator from " + plan.secondary().clusterArn();
    }

    @Override
    public List<String> startPrerequisitesMissing(Plan plan) {
        return replicators.sourceClusterPrerequisitesMissing(plan.secondary().clusterArn());
    }

    @Override
    public ReverseReplication start(Plan plan, PollState catchUp) {
        String name = plan.reverseReplicatorName();
        if (!name.matches("[A-Za-z0-9-]{1,128}")) {
            throw new InvalidInputException("reverseReplicatorName", "'" + name + "' cannot name an MSK Replicator: use letters, digits "
                    + "and '-' only (MSK's rule for replicator names; the stack parameter ReverseReplicatorName gives the default)");
        }
        var running = replicators.findActive(name);
        String arn = running.orElseGet(() -> replicators.create(new ReverseMskReplicators.Spec(name,
                plan.secondary().clusterArn(), plan.primary().clusterArn(), plan.topics(), plan.consumerGroups())));
        return new ReverseReplication(List.of(arn), name, running.isPresent(), -1, catchUp);
    }

    /**
     * Its lag counts only once it is RUNNING, from a MessageLag datapoint of a minute that began after this execution
     * first saw it RUNNING ({@link MetricDatapoint#newestSince}): a replicator still CREATING, or a figure of an earlier
     * minute (one a deleted replicator of the same name left, one published before it copied anything) is not 0.
     */
    @Override
    public ReverseReplication checkLag(Plan plan, ReverseReplication replication) {
        Optional<String> notRunning = notRunning(replication);
        if (notRunning.isPresent()) {
            return replication.runningSince(null).afterCheck(-1, replication.catchUp().afterCheck(false, notRunning.get(),
                    ReverseReplicationSteps.WAITING_FOR_LAG, clock));
        }
        String runningSince = replication.runningSince() != null ? replication.runningSince() : clock.instant().toString();
        Lag lag = lag(replication, Instant.parse(runningSince), "when this execution first saw the replicator RUNNING");
        CatchUpProgress progress = CatchUpProgress.after(replication.progress(), lag.records(), clock.instant());
        // Only while fresh figures say it is behind: then MessageLag keeps above 0 as long as producers write there.
        Map<String, Long> ends = lag.records() > 0 ? secondaryEnds(plan) : null;
        String seen = ReverseReplicationSteps.withProgress(lag.seen(), progress);
        boolean caughtUp = lag.records() == 0;
        if (lag.records() > 0 && replication.secondaryEnds() != null) {
            // Producers still writing there keep MessageLag above 0 in every minute: what counts is that what was
            // there at the last check is copied (the drain's gates later make the end exact).
            List<String> notCopied = lastRecordsCopied.notOnThePrimary(plan, replication.secondaryEnds());
            caughtUp = notCopied.isEmpty();
            seen += caughtUp ? "; " + ReverseReplicationSteps.EVERYTHING_AT_THE_LAST_CHECK : "";
        }
        return replication.runningSince(runningSince).withProgress(progress).withSecondaryEnds(ends).afterCheck(lag.records(),
                replication.catchUp().afterCheck(caughtUp, seen, ReverseReplicationSteps.WAITING_FOR_LAG, clock));
    }

    private Map<String, Long> secondaryEnds(Plan plan) {
        Map<String, Long> ends = new java.util.TreeMap<>();
        kafka.offsetRanges(clusters.bootstrapServers(plan.secondary().clusterArn()), plan.topics())
                .forEach((partition, range) -> ends.put(partition, range.logEnd()));
        return ends;
    }

    @Override
    public void requireDrainable(ReverseReplication replication, Instant producersMovedAt) {
        if (producersMovedAt == null) {
            throw new InvalidInputException("producersMovedAt", "is missing: the drain with an MSK Replicator counts MessageLag only "
                    + "from after the producers moved (the state machine passes $.producerMove.inSyncAt)");
        }
    }

    /**
     * MessageLag 0 in a minute after the producers moved, then (the reads are costlier, so only once the consumers are
     * done) the secondary's last own record of every partition found on the primary.
     */
    @Override
    public Copied copiedEverything(Plan plan, ReverseReplication replication, Map<String, Long> targets, Instant producersMovedAt,
                                   boolean consumersDone) {
        Optional<String> notRunning = notRunning(replication);
        Lag reverse = notRunning.map(why -> new Lag(-1, why))
                .orElseGet(() -> lag(replication, producersMovedAt, "when the producer aliases were seen INSYNC on the primary"));
        String seen = "replication " + reverse.seen();
        if (reverse.records() != 0 || !consumersDone) {
            return new Copied(false, seen);
        }
        List<String> notCopied = lastRecordsCopied.notOnThePrimary(plan);
        return new Copied(notCopied.isEmpty(), seen + "; " + (notCopied.isEmpty() ? "the secondary's last own record of every partition is on the primary"
                : "not copied yet: " + notCopied));
    }

    @Override
    public Offsets offsetsOnPrimary(Plan plan, ReverseReplication replication) {
        List<String> pending = new ArrayList<>();
        List<String> handedOver = new ArrayList<>();
        Instant handoverDeadline = clock.instant().plus(RecordAlignment.TIME_PER_CHECK);
        // Read once for every group: the ranges of both clusters, the groups' commits and members (one request each).
        String primary = clusters.bootstrapServers(plan.primary().clusterArn());
        String secondary = clusters.bootstrapServers(plan.secondary().clusterArn());
        Clusters both = new Clusters(primary, secondary, kafka.offsetRanges(primary, plan.topics()), kafka.offsetRanges(secondary, plan.topics()),
                kafka.committedOffsets(primary, plan.consumerGroups(), plan.topics()), kafka.committedOffsets(secondary, plan.consumerGroups(), plan.topics()),
                kafka.activeMembers(primary, plan.consumerGroups()));
        for (String group : plan.consumerGroups()) {
            handOver(both, group, handoverDeadline, pending, handedOver);
        }
        return new Offsets(pending, pending.isEmpty() ? "group offsets handed over onto the primary"
                + (handedOver.isEmpty() ? " (already there)" : ": " + handedOver) : "not handed over: " + pending);
    }

    /**
     * The handover of one group: per partition it read on the secondary, the position on the primary after everything
     * it read there and on the primary before ({@link RecordAlignment}, from its commit on the primary), committed there
     * when ahead of that commit (never moved backwards). A long outage is handed over across checks: each commits how
     * far it got and the next goes on from there. The group must have no member on the primary yet.
     */
    /** What one drain check read of both clusters for the handover of every group. */
    private record Clusters(String primary, String secondary, Map<String, KafkaInspector.OffsetRange> primaryRanges,
                            Map<String, KafkaInspector.OffsetRange> secondaryRanges,
                            Map<String, Map<String, KafkaInspector.CommittedOffset>> primaryOffsets,
                            Map<String, Map<String, KafkaInspector.CommittedOffset>> secondaryOffsets,
                            Map<String, List<String>> membersOnPrimary) {
    }

    private void handOver(Clusters both, String group, Instant deadline, List<String> pending, List<String> handedOver) {
        String primary = both.primary();
        String secondary = both.secondary();
        List<String> onPrimary = both.membersOnPrimary().get(group);
        if (!onPrimary.isEmpty()) {
            pending.add("group " + group + " already has " + onPrimary.size() + " active member(s) on the primary " + onPrimary
                    + ": its offsets can be handed over only while no consumer of it runs; stop them until the failback moved the consumers"
                    + " (a member from before the primary went down counts until its session times out, session.timeout.ms, 45 s by default)");
            return;
        }
        Map<String, KafkaInspector.CommittedOffset> secondaryOffsets = both.secondaryOffsets().get(group);
        Map<String, KafkaInspector.CommittedOffset> primaryOffsets = both.primaryOffsets().get(group);
        Map<String, KafkaInspector.OffsetRange> secondaryRanges = both.secondaryRanges();
        Map<String, KafkaInspector.OffsetRange> primaryRanges = both.primaryRanges();
        Map<String, KafkaInspector.CommittedOffset> commits = new java.util.TreeMap<>();
        secondaryOffsets.forEach((partition, read) -> {
            KafkaInspector.OffsetRange primaryRange = primaryRanges.get(partition);
            if (primaryRange == null || !secondaryRanges.containsKey(partition)) {
                pending.add(group + " " + partition + ": the partition is missing on the " + (primaryRange == null ? "primary" : "secondary"));
                return;
            }
            KafkaInspector.CommittedOffset current = primaryOffsets.get(partition);
            long from = current == null ? primaryRange.logStart() : Math.max(primaryRange.logStart(), current.offset());
            RecordAlignment.Resume resume = alignment.resume(primary, secondary, partition, from, primaryRange.logEnd(), read.offset(), deadline);
            if (current == null || current.offset() < resume.position()) {
                commits.put(partition, new KafkaInspector.CommittedOffset(resume.position(), GroupOffsetHandover.handoverMetadata(read.offset())));
                handedOver.add(group + " " + partition + " " + (current == null ? "none" : current.offset()) + " -> " + resume.position());
            }
            if (!resume.complete()) {
                pending.add(resume.progress(group + " " + partition, primaryRange.logEnd(), "primary"));
            }
        });
        if (!commits.isEmpty()) {
            kafka.commitOffsets(primary, group, commits);
        }
    }

    /** No position of its own to compare: the secondary's last own record of every partition, looked for on the primary. */
    @Override
    public Optional<String> notCopied(Plan plan, ReverseReplication replication, Map<String, Long> upTo) {
        Optional<String> notRunning = notRunning(replication);
        if (notRunning.isPresent()) {
            return notRunning;
        }
        List<String> missing = lastRecordsCopied.notOnThePrimary(plan);
        return missing.isEmpty() ? Optional.empty() : Optional.of("the reverse flow has not copied every application record yet: " + missing);
    }

    @Override
    public Optional<Map<String, KafkaInspector.CommittedOffset>> copiedPositions(Plan plan, ReverseReplication replication) {
        return Optional.empty();
    }

    /**
     * Deletes the replicator (the MSK guide's failback step), but only once the secondary's last own record of every
     * partition of the plan is on the primary: otherwise it refuses, naming the partitions, and it keeps running.
     */
    @Override
    public List<ReplicatorTasks.TaskState> stop(Plan plan, ReverseReplication replication) {
        List<String> notCopied = lastRecordsCopied.notOnThePrimary(plan);
        if (!notCopied.isEmpty()) {
            throw new NotReadyException("refusing to delete MSK Replicator " + replication.replicatorName() + " ("
                    + replication.taskIds().getFirst() + "): it has not copied everything producers wrote on the secondary: "
                    + String.join("; ", notCopied) + ". It keeps running; see the runbook (Failback with MSK Replicator, the delete check)");
        }
        replication.taskIds().forEach(replicators::delete);
        return replication.taskIds().stream().map(replicators::state).toList();
    }

    /** The reverse MessageLag as one figure: -1 while no datapoint may speak for the time after {@code since}. */
    private record Lag(long records, String seen) {
    }

    private Lag lag(ReverseReplication replication, Instant since, String sinceWhat) {
        String name = "MSK Replicator " + replication.replicatorName() + " MessageLag";
        return MetricDatapoint.newestSince(replicators.messageLag(replication.taskIds().getFirst()), since)
                .map(figure -> new Lag((long) figure.value(), name + " " + (long) figure.value() + " (Maximum of the minute from "
                        + figure.periodStart() + ")"))
                .orElseGet(() -> new Lag(-1, name + ": no datapoint yet of a minute that began at or after " + since + " (" + sinceWhat + ")"));
    }

    /**
     * Why the replicator does not copy for sure yet (CREATING, UPDATING), or empty when it is RUNNING; fails when it is
     * FAILED, DELETING or gone, with the reason MSK gives.
     */
    private Optional<String> notRunning(ReverseReplication replication) {
        String arn = replication.taskIds().getFirst();
        ReplicatorTasks.TaskState state = replicators.state(arn);
        if (state.stopped()) {
            throw new DependencyFailedException("MSK Replicator " + arn + " stopped: " + state.detail());
        }
        return "RUNNING".equals(state.status()) ? Optional.empty() : Optional.of(state.detail() + ": not running yet");
    }
}
