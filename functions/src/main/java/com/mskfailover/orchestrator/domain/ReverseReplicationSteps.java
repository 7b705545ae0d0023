package com.mskfailover.orchestrator.domain;

import com.mskfailover.contract.ReplicatorEnvironment;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Failback's reverse flow: starts replicator-task secondary -> primary from earliest with identical names,
 * waits for its lag to reach zero, waits for the application consumers on the secondary to drain, stops it.
 * With {@code ReverseReplicationMode=msk-replicator} the flow is an MSK Replicator instead (created, watched through
 * its MessageLag, deleted), and the drain hands the groups' offsets over itself ({@link RecordAlignment}).
 */
public final class ReverseReplicationSteps {

    /** How long the drain's check of the primary waits for an answer. */
    static final java.time.Duration PRIMARY_PROBE_TIMEOUT = java.time.Duration.ofSeconds(5);

    private final ReplicatorTasks tasks;
    private final KafkaInspector kafka;
    private final ClusterDirectory clusters;
    private final String kafkaAuth;
    private final Clock clock;
    /** The reverse MSK Replicator's port; null when the reverse flow is replicator-task. */
    private final ReverseMskReplicators mskReplicators;
    private final LastRecordsCopied lastRecordsCopied;
    private final RecordAlignment alignment;

    /**
     * Records one drain check reads, on both clusters together, to hand one group's partition over (MSK Replicator mode):
     * a longer outage is handed over across checks, each continuing where the last committed.
     */
    static final long HANDOVER_BUDGET = 2_000_000;
    /** How long one drain check spends handing groups over (the Lambda timeout is 90 s); the next check goes on. */
    static final java.time.Duration HANDOVER_TIME = java.time.Duration.ofSeconds(40);

    /** The reverse flow of the stack: MSK Replicators when the ports have them, else replicator-task on ECS. */
    public static ReverseReplicationSteps of(Ports ports) {
        ReverseMskReplicators mskReplicators = ports.reverseMskReplicators();
        return new ReverseReplicationSteps(mskReplicators == null ? ports.replicatorTasks() : null, mskReplicators,
                ports.kafkaInspector(), ports.clusterDirectory(), ports.settings().kafkaAuth(), ports.clock());
    }

    /**
     * @param tasks          replicator-task on ECS; null when the reverse flow is an MSK Replicator
     * @param mskReplicators the reverse flow as an MSK Replicator, or null for replicator-task
     */
    public ReverseReplicationSteps(ReplicatorTasks tasks, ReverseMskReplicators mskReplicators, KafkaInspector kafka,
                                   ClusterDirectory clusters, String kafkaAuth, Clock clock) {
        this.tasks = tasks;
        this.mskReplicators = mskReplicators;
        this.kafka = kafka;
        this.clusters = clusters;
        this.kafkaAuth = kafkaAuth;
        this.clock = clock;
        this.lastRecordsCopied = new LastRecordsCopied(kafka, clusters);
        this.alignment = new RecordAlignment(kafka, HANDOVER_BUDGET, clock);
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
        if (mskReplicators != null) {
            if (!name.matches("[A-Za-z0-9-]{1,128}")) {
                throw new InvalidInputException("reverseReplicatorName", "'" + name + "' cannot name an MSK Replicator: use letters, digits "
                        + "and '-' only (MSK's rule for replicator names; the stack parameter ReverseReplicatorName gives the default)");
            }
            var running = mskReplicators.findActive(name);
            String arn = running.orElseGet(() -> mskReplicators.create(new ReverseMskReplicators.Spec(name,
                    plan.secondary().clusterArn(), plan.primary().clusterArn(), plan.topics(), plan.consumerGroups())));
            return new ReverseReplication(List.of(arn), name, running.isPresent(), -1, catchUp);
        }
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
    public Map<String, String> replicatorEnvironment(Plan plan) {
        return ReplicatorEnvironment.flow(plan.reverseReplicatorName(), clusters.bootstrapServers(plan.secondary().clusterArn()),
                        clusters.bootstrapServers(plan.primary().clusterArn()))
                .auth(kafkaAuth).topics(plan.topics()).groups(plan.consumerGroups()).fromEarliest()
                // One lane per task: each task copies one share, and the survivors take a stopped task's share over.
                .lanes(plan.reverseReplicatorTasks())
                .toMap();
    }

    /**
     * One check of the reverse lag; fails if the task stopped, or past the deadline. An MSK Replicator's lag counts
     * only once it is RUNNING, from a MessageLag datapoint of a minute that began after this execution first saw it
     * RUNNING ({@link MetricDatapoint#newestSince}): a replicator still CREATING, or a figure of an earlier minute (one
     * a deleted replicator of the same name left, one published before it copied anything) is not 0.
     */
    public ReverseReplication checkLag(Plan plan, ReverseReplication replication) {
        String waitingFor = "the reverse replication lag (secondary -> primary) to reach 0";
        if (mskReplicators != null) {
            Optional<String> notRunning = mskNotRunning(replication);
            if (notRunning.isPresent()) {
                return replication.runningSince(null).afterCheck(-1, replication.catchUp().afterCheck(false, notRunning.get(), waitingFor, clock));
            }
            String runningSince = replication.runningSince() != null ? replication.runningSince() : clock.instant().toString();
            MskLag lag = mskLag(replication, Instant.parse(runningSince), "when this execution first saw the replicator RUNNING");
            CatchUpProgress progress = CatchUpProgress.after(replication.progress(), lag.records(), clock.instant());
            // Only while fresh figures say it is behind: then MessageLag keeps above 0 as long as producers write there.
            Map<String, Long> ends = lag.records() > 0 ? secondaryEnds(plan) : null;
            String seen = withProgress(lag.seen(), progress);
            boolean caughtUp = lag.records() == 0;
            if (lag.records() > 0 && replication.secondaryEnds() != null) {
                // Producers still writing there keep MessageLag above 0 in every minute: what counts is that what was
                // there at the last check is copied (the drain's gates later make the end exact).
                List<String> notCopied = lastRecordsCopied.notOnThePrimary(plan, replication.secondaryEnds());
                caughtUp = notCopied.isEmpty();
                seen += caughtUp ? "; " + everythingAtTheLastCheck(replication) : "";
            }
            return replication.runningSince(runningSince).withProgress(progress).withSecondaryEnds(ends).afterCheck(lag.records(),
                    replication.catchUp().afterCheck(caughtUp, seen, waitingFor, clock));
        }
        requireRunning(replication);
        // The ends first: records that arrive while the positions are read do not count against a flow that keeps up.
        Map<String, KafkaInspector.OffsetRange> ranges = kafka.offsetRanges(clusters.bootstrapServers(plan.secondary().clusterArn()), plan.topics());
        Map<String, KafkaInspector.CommittedOffset> copied = copiedPositions(plan, replication).orElseThrow();
        KafkaInspector.GroupLag lag = reverseLag(plan, replication, ranges, copied);
        CatchUpProgress progress = CatchUpProgress.after(replication.progress(), lag.totalLag(), clock.instant());
        Map<String, Long> ends = new java.util.TreeMap<>();
        ranges.forEach((partition, range) -> ends.put(partition, range.logEnd()));
        String seen = withProgress(lag.toString(), progress);
        boolean caughtUp = lag.isZero();
        if (!caughtUp && replication.secondaryEnds() != null) {
            caughtUp = replication.secondaryEnds().entrySet().stream()
                    .allMatch(end -> position(copied, end.getKey(), ranges) >= end.getValue());
            seen += caughtUp ? "; " + everythingAtTheLastCheck(replication) : "";
        }
        PollState next = replication.catchUp().afterCheck(caughtUp, seen, waitingFor, clock);
        return replication.withProgress(progress).withSecondaryEnds(ends).afterCheck(lag.totalLag(), next);
    }

    private Map<String, Long> secondaryEnds(Plan plan) {
        Map<String, Long> ends = new java.util.TreeMap<>();
        kafka.offsetRanges(clusters.bootstrapServers(plan.secondary().clusterArn()), plan.topics())
                .forEach((partition, range) -> ends.put(partition, range.logEnd()));
        return ends;
    }

    private static String everythingAtTheLastCheck(ReverseReplication replication) {
        return "everything the secondary held at the last check is copied (producers still write there: the drain's gates copy the rest"
                + " before consumers move)";
    }

    private static String withProgress(String seen, CatchUpProgress progress) {
        return progress == null ? seen : seen + "; " + progress.describe();
    }

    /** The reverse MessageLag as one figure: -1 while no datapoint may speak for the time after {@code since}. */
    private record MskLag(long records, String seen) {
    }

    private MskLag mskLag(ReverseReplication replication, Instant since, String sinceWhat) {
        String name = "MSK Replicator " + replication.replicatorName() + " MessageLag";
        return MetricDatapoint.newestSince(mskReplicators.messageLag(replication.taskIds().getFirst()), since)
                .map(figure -> new MskLag((long) figure.value(), name + " " + (long) figure.value() + " (Maximum of the minute from "
                        + figure.periodStart() + ")"))
                .orElseGet(() -> new MskLag(-1, name + ": no datapoint yet of a minute that began at or after " + since + " (" + sinceWhat + ")"));
    }

    /**
     * Why the reverse MSK Replicator does not copy for sure yet (CREATING, UPDATING), or empty when it is RUNNING;
     * fails when it is FAILED, DELETING or gone, with the reason MSK gives.
     */
    private Optional<String> mskNotRunning(ReverseReplication replication) {
        String arn = replication.taskIds().getFirst();
        ReplicatorTasks.TaskState state = mskReplicators.state(arn);
        if (state.stopped()) {
            throw new DependencyFailedException("MSK Replicator " + arn + " stopped: " + state.detail());
        }
        return "RUNNING".equals(state.status()) ? Optional.empty() : Optional.of(state.detail() + ": not running yet");
    }

    /**
     * One check of the drain that must precede moving consumers: every application group on the secondary has read
     * every application record there ({@code targets}: per partition, the position after the last one, from
     * {@link SecondaryQuietGate}; the forward flow's copies after it are read on the primary, as the originals), has
     * no consumer connected there any more, the reverse replication has copied every application record, and it has
     * synced the groups' final offsets onto the primary (see {@link GroupOffsetHandover}).
     */
    public ConsumerDrain checkConsumersDrained(Plan plan, ReverseReplication replication, ConsumerDrain drain, Map<String, Long> targets,
                                               Instant producersMovedAt) {
        if (mskReplicators != null && producersMovedAt == null) {
            throw new InvalidInputException("producersMovedAt", "is missing: the drain with an MSK Replicator counts MessageLag only "
                    + "from after the producers moved (the state machine passes $.producerMove.inSyncAt)");
        }
        if (mskReplicators == null) {
            requireRunning(replication);
        }
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
        for (String group : plan.consumerGroups()) {
            Map<String, KafkaInspector.CommittedOffset> committed = kafka.committedOffsets(secondary, group, plan.topics());
            long unread = targets.entrySet().stream()
                    .mapToLong(target -> Math.max(0, target.getValue() - position(committed, target.getKey(), ranges))).sum();
            readEverything &= unread == 0;
            // It starts again on the primary through the consumer alias.
            java.util.Optional<String> toStop = kafka.consumersToStop(secondary, group, "secondary");
            toStop.ifPresent(connected::add);
            seen.add(group + " lag " + unread + " to the last application record on the secondary" + toStop.map(stop -> ", " + stop).orElse(""));
        }
        boolean copiedEverything;
        if (mskReplicators != null) {
            // MessageLag 0 in a minute after the producers moved, then (the reads are costlier) the secondary's last own
            // record of every partition found on the primary.
            Optional<String> notRunning = mskNotRunning(replication);
            MskLag reverse = notRunning.map(why -> new MskLag(-1, why))
                    .orElseGet(() -> mskLag(replication, producersMovedAt, "when the producer aliases were seen INSYNC on the primary"));
            copiedEverything = reverse.records() == 0;
            seen.add("replication " + reverse.seen());
            if (copiedEverything && readEverything && connected.isEmpty()) {
                List<String> notCopied = lastRecordsCopied.notOnThePrimary(plan);
                copiedEverything = notCopied.isEmpty();
                seen.add(notCopied.isEmpty() ? "the secondary's last own record of every partition is on the primary"
                        : "not copied yet: " + notCopied);
            }
        } else {
            java.util.Optional<String> notCopied = notCopied(plan, replication, targets);
            seen.add(notCopied.orElse("the reverse flow has copied every application record"));
            copiedEverything = notCopied.isEmpty();
        }
        boolean drained = readEverything && connected.isEmpty() && copiedEverything;
        if (drained && mskReplicators != null) {
            List<String> pending = new ArrayList<>();
            List<String> handedOver = new ArrayList<>();
            Instant handoverDeadline = clock.instant().plus(HANDOVER_TIME);
            for (String group : plan.consumerGroups()) {
                handOver(plan, group, handoverDeadline, pending, handedOver);
            }
            drained = pending.isEmpty();
            seen.add(pending.isEmpty() ? "group offsets handed over onto the primary"
                    + (handedOver.isEmpty() ? " (already there)" : ": " + handedOver) : "not handed over: " + pending);
        } else if (drained) {
            String primary = clusters.bootstrapServers(plan.primary().clusterArn());
            List<String> pending = new ArrayList<>();
            for (String group : plan.consumerGroups()) {
                pending.addAll(GroupOffsetHandover.notHandedOver(group, replication.replicatorName(),
                        kafka.committedOffsets(secondary, group, plan.topics()), kafka.committedOffsets(primary, group, plan.topics())));
            }
            drained = pending.isEmpty();
            seen.add(pending.isEmpty() ? "group offsets synced onto the primary" : "group offsets not on the primary yet: " + pending);
        }
        PollState poll = drain.poll().afterCheck(drained, String.join("; ", seen),
                "consumers on the secondary to read every application record there and stop, the reverse replication to copy them all "
                        + "and their offsets to be synced onto the primary", clock);
        return new ConsumerDrain(poll, readEverything, connected);
    }

    /**
     * What the reverse flow has not copied yet of the secondary's records before {@code upTo} (per partition); empty
     * when it has them all. replicator-task: its position, the group REPLICATOR_NAME on the secondary; an MSK
     * Replicator: the secondary's last own record of every partition found on the primary ({@link LastRecordsCopied}).
     */
    public java.util.Optional<String> notCopied(Plan plan, ReverseReplication replication, Map<String, Long> upTo) {
        if (mskReplicators != null) {
            // No position of its own to compare: the secondary's last own record of every partition, looked for on the primary.
            Optional<String> notRunning = mskNotRunning(replication);
            if (notRunning.isPresent()) {
                return notRunning;
            }
            List<String> missing = lastRecordsCopied.notOnThePrimary(plan);
            return missing.isEmpty() ? Optional.empty() : Optional.of("the reverse flow has not copied every application record yet: " + missing);
        }
        requireRunning(replication);
        Map<String, KafkaInspector.CommittedOffset> copied = copiedPositions(plan, replication).orElseThrow();
        Map<String, KafkaInspector.OffsetRange> ranges = kafka.offsetRanges(clusters.bootstrapServers(plan.secondary().clusterArn()), plan.topics());
        List<String> behind = new ArrayList<>();
        upTo.forEach((partition, end) -> {
            long position = position(copied, partition, ranges);
            if (position < end) {
                behind.add(partition + " at " + position + " of " + end);
            }
        });
        return behind.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of("the reverse flow has not copied every application record yet: " + behind);
    }

    /** Where a group reads a partition from: its commit, or the log start without one (everything there is unread). */
    static long position(Map<String, KafkaInspector.CommittedOffset> committed, String partition, Map<String, KafkaInspector.OffsetRange> ranges) {
        KafkaInspector.CommittedOffset offset = committed.get(partition);
        KafkaInspector.OffsetRange range = ranges.get(partition);
        return offset != null ? offset.offset() : range == null ? 0 : range.logStart();
    }

    /** The reverse flow's position on the secondary per partition (replicator-task); empty for an MSK Replicator, which keeps none there. */
    public java.util.Optional<Map<String, KafkaInspector.CommittedOffset>> copiedPositions(Plan plan, ReverseReplication replication) {
        return mskReplicators != null ? java.util.Optional.empty() : java.util.Optional.of(kafka.committedOffsets(
                clusters.bootstrapServers(plan.secondary().clusterArn()), replication.replicatorName(), plan.topics()));
    }

    /**
     * The MSK Replicator mode's handover of one group: per partition it read on the secondary, the position on the
     * primary after everything it read there and on the primary before ({@link RecordAlignment}, from its commit on the
     * primary), committed there when ahead of that commit (never moved backwards). A long outage is handed over across
     * checks: each commits how far it got and the next goes on from there. The group must have no member on the primary yet.
     */
    private void handOver(Plan plan, String group, Instant deadline, List<String> pending, List<String> handedOver) {
        String primary = clusters.bootstrapServers(plan.primary().clusterArn());
        String secondary = clusters.bootstrapServers(plan.secondary().clusterArn());
        List<String> onPrimary = kafka.activeMembers(primary, group);
        if (!onPrimary.isEmpty()) {
            pending.add("group " + group + " already has " + onPrimary.size() + " active member(s) on the primary " + onPrimary
                    + ": its offsets can be handed over only while no consumer of it runs; stop them until the failback moved the consumers"
                    + " (a member from before the primary went down counts until its session times out, session.timeout.ms, 45 s by default)");
            return;
        }
        Map<String, KafkaInspector.CommittedOffset> secondaryOffsets = kafka.committedOffsets(secondary, group, plan.topics());
        Map<String, KafkaInspector.CommittedOffset> primaryOffsets = kafka.committedOffsets(primary, group, plan.topics());
        Map<String, KafkaInspector.OffsetRange> secondaryRanges = kafka.offsetRanges(secondary, plan.topics());
        Map<String, KafkaInspector.OffsetRange> primaryRanges = kafka.offsetRanges(primary, plan.topics());
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

    /**
     * Stops every task of the flow, or deletes the reverse MSK Replicator (the MSK guide's failback step), but only
     * once the secondary's last own record of every partition of the plan is on the primary: otherwise it refuses,
     * naming the partitions, and the replicator keeps running.
     */
    public List<ReplicatorTasks.TaskState> stop(Plan plan, ReverseReplication replication) {
        if (mskReplicators != null) {
            List<String> notCopied = lastRecordsCopied.notOnThePrimary(plan);
            if (!notCopied.isEmpty()) {
                throw new NotReadyException("refusing to delete MSK Replicator " + replication.replicatorName() + " ("
                        + replication.taskIds().getFirst() + "): it has not copied everything producers wrote on the secondary: "
                        + String.join("; ", notCopied) + ". It keeps running; see the runbook (Failback with MSK Replicator, the delete check)");
            }
            replication.taskIds().forEach(mskReplicators::delete);
            return replication.taskIds().stream().map(mskReplicators::state).toList();
        }
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
            long from = position(copied, partition.getKey(), ranges);
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
