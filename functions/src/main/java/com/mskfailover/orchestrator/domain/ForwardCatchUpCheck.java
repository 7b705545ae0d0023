package com.mskfailover.orchestrator.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The planned failover's wait between moving the producers and moving the consumers (the MSK documentation's planned
 * failover): done once the primary takes no more records (its log ends unchanged between two checks, so the producers
 * really left it, whatever their restart and the alias TTL took), the forward flow has copied everything it holds
 * (lag 0 in a figure taken after the primary went quiet), and the consumers have stopped on the primary (no live member
 * of the plan's groups there) with their last commits on the secondary: replicator-task syncs them (and marks its
 * syncs); with MSK Replicator, whose offset sync stops once producers write to the secondary, the check hands them over
 * itself from the records ({@link RecordAlignment}). Only then are consumers moved: they find on the secondary every
 * record they had not read, and resume after what they read, never past a record they did not.
 */
public final class ForwardCatchUpCheck {

    /**
     * One check's state, carried by the state machine between checks.
     *
     * @param primaryLogEnds the primary's log end offsets at the last check ({@code topic-partition}), null before the first
     * @param checkedAt      when they were read
     * @param quietSince     since when the primary has taken no record, null while it still does
     * @param operationStartedAt when the execution started (before the producers moved)
     */
    public record CatchUp(PollState poll, Map<String, Long> primaryLogEnds, String checkedAt, String quietSince, String operationStartedAt) {
    }

    /**
     * How far before the operation started a record written on the secondary may carry its producer's timestamp (clock
     * skew): the MSK Replicator handover reads the secondary from there at least, so no record written there after the
     * producers moved is passed over.
     */
    static final java.time.Duration CLOCK_SKEW = java.time.Duration.ofMinutes(1);

    private final KafkaInspector kafka;
    private final ClusterDirectory clusters;
    private final ForwardReplication forwardReplication;
    private final Clock clock;
    private final RecordAlignment alignment;

    public ForwardCatchUpCheck(KafkaInspector kafka, ClusterDirectory clusters, ForwardReplication forwardReplication, Clock clock) {
        this.kafka = kafka;
        this.clusters = clusters;
        this.forwardReplication = forwardReplication;
        this.clock = clock;
        this.alignment = new RecordAlignment(kafka, RecordAlignment.BUDGET_PER_CHECK, clock);
    }

    public CatchUp check(Plan plan, CatchUp previous) {
        Instant now = clock.instant();
        Map<String, Long> logEnds = new TreeMap<>();
        kafka.offsetRanges(clusters.bootstrapServers(plan.primary().clusterArn()), plan.topics())
                .forEach((partition, range) -> logEnds.put(partition, range.logEnd()));
        String waitingFor = "the producers to leave the primary, the forward replication to copy all it holds (lag 0) and the consumers to stop there";
        WritesQuiet before = new WritesQuiet(previous.primaryLogEnds(), previous.checkedAt(), previous.quietSince());
        WritesQuiet look = before.next(logEnds, now);
        if (!look.quiet()) {
            String seen = look.writesSince(before) < 0 ? "first look at the primary's log ends"
                    : "the primary still takes records: " + look.writesSince(before)
                    + " since the last check (producers not restarted on the new alias yet, or still within its TTL)";
            return new CatchUp(previous.poll().afterCheck(false, seen, waitingFor, clock), logEnds, now.toString(), null, previous.operationStartedAt());
        }
        String quietSince = look.quietSince();
        OptionalLong lag = forwardReplication.messageLag(Instant.parse(quietSince));
        boolean caughtUp = lag.isPresent() && lag.getAsLong() == 0;
        String seen = "the primary quiet since " + quietSince + "; forward lag "
                + (lag.isPresent() ? lag.getAsLong() + " records" : "not reported since then yet");
        if (caughtUp) {
            List<String> handedOver = new ArrayList<>();
            List<String> consumers = consumersNotHandedOver(plan, previous.operationStartedAt(), handedOver);
            caughtUp = consumers.isEmpty();
            seen += consumers.isEmpty() ? "; the consumer groups stopped on the primary" + (forwardReplication.offsetSyncMarker().isPresent()
                    ? ", their offsets synced onto the secondary" : ", their offsets handed over onto the secondary"
                    + (handedOver.isEmpty() ? " (already there)" : ": " + handedOver)) : "; " + String.join("; ", consumers);
        }
        return new CatchUp(previous.poll().afterCheck(caughtUp, seen, waitingFor, clock),
                logEnds, now.toString(), quietSince, previous.operationStartedAt());
    }

    /** What keeps the consumers from moving: live members on the primary, or last commits not on the secondary yet. */
    private List<String> consumersNotHandedOver(Plan plan, String operationStartedAt, List<String> handedOver) {
        String primary = clusters.bootstrapServers(plan.primary().clusterArn());
        List<String> pending = new ArrayList<>();
        String secondary = clusters.bootstrapServers(plan.secondary().clusterArn());
        Instant deadline = clock.instant().plus(RecordAlignment.TIME_PER_CHECK);
        // Every group in one request of each kind, read once per check.
        Map<String, java.util.Optional<String>> toStopOnPrimary = kafka.consumersToStop(primary, plan.consumerGroups(), "primary");
        Map<String, Map<String, KafkaInspector.CommittedOffset>> onPrimary = kafka.committedOffsets(primary, plan.consumerGroups(), plan.topics());
        Map<String, Map<String, KafkaInspector.CommittedOffset>> onSecondary = kafka.committedOffsets(secondary, plan.consumerGroups(), plan.topics());
        Handover handover = forwardReplication.offsetSyncMarker().isPresent() ? null : new Handover(primary, secondary, onPrimary, onSecondary,
                kafka.consumersToStop(secondary, plan.consumerGroups(), "secondary"), kafka.offsetRanges(primary, plan.topics()),
                kafka.offsetRanges(secondary, plan.topics()));
        for (String group : plan.consumerGroups()) {
            // It starts again on the secondary through the consumer alias.
            java.util.Optional<String> toStop = toStopOnPrimary.get(group);
            if (toStop.isPresent()) {
                pending.add(toStop.get());
                continue;
            }
            forwardReplication.offsetSyncMarker().ifPresent(marker -> pending.addAll(GroupOffsetHandover.notHandedOver(group, marker,
                    onPrimary.get(group), onSecondary.get(group))));
            if (handover != null) {
                handOver(handover, group, operationStartedAt, deadline, pending, handedOver);
            }
        }
        return pending;
    }

    /**
     * The MSK Replicator mode's handover of one stopped group onto the secondary, per partition it committed on the
     * primary: the position after everything it read ({@link RecordAlignment}), committed on the secondary with
     * {@link GroupOffsetHandover#handoverMetadata} (backwards too: the replicator's own sync may stand past a record
     * written on the secondary since the producers moved, which the group never read). The walk starts where no unread
     * record can be before it: the earlier of just after the copy of the last record the group read and the first
     * record written on the secondary since the operation started; a walk the budget cut short goes on from its commit.
     */
    /** What one check read of both clusters for the handover of every group (MSK Replicator mode). */
    private record Handover(String primary, String secondary, Map<String, Map<String, KafkaInspector.CommittedOffset>> primaryCommits,
                            Map<String, Map<String, KafkaInspector.CommittedOffset>> secondaryCommits,
                            Map<String, java.util.Optional<String>> toStopOnSecondary,
                            Map<String, KafkaInspector.OffsetRange> primaryRanges, Map<String, KafkaInspector.OffsetRange> secondaryRanges) {
    }

    private void handOver(Handover both, String group, String operationStartedAt, Instant deadline, List<String> pending, List<String> handedOver) {
        String primary = both.primary();
        String secondary = both.secondary();
        java.util.Optional<String> moved = both.toStopOnSecondary().get(group);
        if (moved.isPresent()) {
            pending.add(moved.get() + " (its offsets are handed over before the failover moves the consumers)");
            return;
        }
        Map<String, KafkaInspector.CommittedOffset> onPrimary = both.primaryCommits().get(group);
        Map<String, KafkaInspector.CommittedOffset> onSecondary = both.secondaryCommits().get(group);
        Map<String, KafkaInspector.OffsetRange> primaryRanges = both.primaryRanges();
        Map<String, KafkaInspector.OffsetRange> secondaryRanges = both.secondaryRanges();
        if (operationStartedAt == null) {
            // Without it no bound says where records written on the secondary since the producers moved begin.
            pending.add("group " + group + ": the wait's state lacks the execution's start time (StartForwardCatchUpWait passes"
                    + " $$.Execution.StartTime as operationStartedAt): start the planned failover again");
            return;
        }
        Instant started = Instant.parse(operationStartedAt);
        Map<String, Long> sinceStart = new TreeMap<>();
        secondaryRanges.keySet().forEach(partition -> sinceStart.put(partition, started.minus(CLOCK_SKEW).toEpochMilli()));
        Map<String, Long> writtenSinceStart = sinceStart.isEmpty() ? Map.of() : kafka.firstOffsetsAtOrAfter(secondary, sinceStart);
        Map<String, KafkaInspector.CommittedOffset> commits = new TreeMap<>();
        onPrimary.forEach((partition, read) -> {
            KafkaInspector.OffsetRange source = primaryRanges.get(partition);
            KafkaInspector.OffsetRange target = secondaryRanges.get(partition);
            if (source == null || target == null) {
                pending.add(group + " " + partition + ": the partition is missing on the " + (target == null ? "secondary" : "primary"));
                return;
            }
            if (read.offset() <= source.logStart()) {
                return; // nothing it read is left: it starts on the secondary as on the primary, by its offset reset policy
            }
            KafkaInspector.CommittedOffset current = onSecondary.get(partition);
            String metadata = GroupOffsetHandover.handoverMetadata(read.offset());
            long from;
            if (current != null && current.metadata().equals(metadata)) {
                from = current.offset();
            } else {
                java.util.OptionalLong afterLastRead = alignment.afterCounterpartOfLastRead(primary, secondary, partition, source.logStart(),
                        read.offset(), target.logEnd(), deadline);
                if (afterLastRead.isEmpty()) {
                    pending.add(group + " " + partition + ": the copy of the last record it read on the primary (before " + read.offset()
                            + ") is not on the secondary");
                    return;
                }
                from = Math.min(afterLastRead.getAsLong(), writtenSinceStart.getOrDefault(partition, target.logEnd()));
            }
            RecordAlignment.Resume resume = alignment.resume(secondary, primary, partition, Math.max(from, target.logStart()), target.logEnd(),
                    read.offset(), deadline);
            if (current == null || current.offset() != resume.position() || !current.metadata().equals(metadata)) {
                commits.put(partition, new KafkaInspector.CommittedOffset(resume.position(), metadata));
                handedOver.add(group + " " + partition + " " + (current == null ? "none" : current.offset()) + " -> " + resume.position());
            }
            if (!resume.complete()) {
                pending.add(resume.progress(group + " " + partition, target.logEnd(), "secondary"));
            }
        });
        if (!commits.isEmpty()) {
            kafka.commitOffsets(secondary, group, commits);
        }
    }
}
