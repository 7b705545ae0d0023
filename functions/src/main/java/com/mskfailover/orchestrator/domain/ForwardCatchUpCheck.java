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
 * of the plan's groups there) with their last commits synced onto the secondary (where the flow marks its syncs:
 * replicator-task). Only then are consumers moved: they find on the secondary every record they had not read, and
 * resume exactly after what they read.
 */
public final class ForwardCatchUpCheck {

    /**
     * One check's state, carried by the state machine between checks.
     *
     * @param primaryLogEnds the primary's log end offsets at the last check ({@code topic-partition}), null before the first
     * @param checkedAt      when they were read
     * @param quietSince     since when the primary has taken no record, null while it still does
     */
    public record CatchUp(PollState poll, Map<String, Long> primaryLogEnds, String checkedAt, String quietSince) {
    }

    private final KafkaInspector kafka;
    private final ClusterDirectory clusters;
    private final ForwardReplication forwardReplication;
    private final Clock clock;

    public ForwardCatchUpCheck(KafkaInspector kafka, ClusterDirectory clusters, ForwardReplication forwardReplication, Clock clock) {
        this.kafka = kafka;
        this.clusters = clusters;
        this.forwardReplication = forwardReplication;
        this.clock = clock;
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
            return new CatchUp(previous.poll().afterCheck(false, seen, waitingFor, clock), logEnds, now.toString(), null);
        }
        String quietSince = look.quietSince();
        OptionalLong lag = forwardReplication.messageLag(Instant.parse(quietSince));
        boolean caughtUp = lag.isPresent() && lag.getAsLong() == 0;
        String seen = "the primary quiet since " + quietSince + "; forward lag "
                + (lag.isPresent() ? lag.getAsLong() + " records" : "not reported since then yet");
        if (caughtUp) {
            List<String> consumers = consumersNotHandedOver(plan);
            caughtUp = consumers.isEmpty();
            seen += consumers.isEmpty() ? "; the consumer groups stopped on the primary" + (forwardReplication.offsetSyncMarker().isPresent()
                    ? ", their offsets synced onto the secondary" : "") : "; " + String.join("; ", consumers);
        }
        return new CatchUp(previous.poll().afterCheck(caughtUp, seen, waitingFor, clock),
                logEnds, now.toString(), quietSince);
    }

    /** What keeps the consumers from moving: live members on the primary, or last commits not synced onto the secondary. */
    private List<String> consumersNotHandedOver(Plan plan) {
        String primary = clusters.bootstrapServers(plan.primary().clusterArn());
        List<String> pending = new ArrayList<>();
        for (String group : plan.consumerGroups()) {
            // It starts again on the secondary through the consumer alias.
            java.util.Optional<String> toStop = kafka.consumersToStop(primary, group, "primary");
            if (toStop.isPresent()) {
                pending.add(toStop.get());
                continue;
            }
            forwardReplication.offsetSyncMarker().ifPresent(marker -> pending.addAll(GroupOffsetHandover.notHandedOver(group, marker,
                    kafka.committedOffsets(primary, group, plan.topics()),
                    kafka.committedOffsets(clusters.bootstrapServers(plan.secondary().clusterArn()), group, plan.topics()))));
        }
        return pending;
    }
}
