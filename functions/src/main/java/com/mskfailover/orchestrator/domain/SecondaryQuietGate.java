package com.mskfailover.orchestrator.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The failback's gate on the secondary, before consumers move and again before the reverse flow stops: the
 * applications have stopped writing there, and the reverse flow has copied to the primary every record they wrote.
 *
 * <p>The forward flow keeps writing copies of the primary's new records into the secondary, so its log ends never
 * settle while producers live on the primary. The gate reads every new record of the secondary instead and counts only
 * those an application produced ({@link KafkaInspector#applicationRecords}: a copy carries replicator-task's provenance
 * header describing it, or MSK Replicator's): per partition, the position after the last application record. The
 * secondary is quiet when those positions are the same at two checks in a row ({@link WritesQuiet}, the planned
 * failover's decision); they are then what the consumers must have read there before they move (the drain's targets),
 * never the live end. Records written while the scan lags the log end count as arriving.
 *
 * <p>Whoever still writes is named: per partition, the producer ids whose last write (Admin describeProducers, asked
 * before the log ends are read, so that write is among the records read) is the timestamp of an application record.
 */
public final class SecondaryQuietGate {

    /** Most records per partition one check reads; the gate is not quiet before its scan reached the log end. */
    static final int SCAN_WINDOW = 20_000;

    /**
     * The gate's state between its checks.
     *
     * @param scannedTo        per partition, where the next check goes on reading; null before the first check
     * @param applicationEnds  per partition, the position after the last application record seen (the drain's targets)
     * @param writers          who wrote application records at the last check (partition, producer id, last write)
     */
    public record SecondaryQuiet(PollState poll, Map<String, Long> scannedTo, Map<String, Long> applicationEnds, String checkedAt,
                                 String quietSince, List<String> writers) {
        public SecondaryQuiet {
            writers = writers == null ? List.of() : List.copyOf(writers);
        }
    }

    private final KafkaInspector kafka;
    private final ClusterDirectory clusters;
    private final ReverseReplicationSteps reverse;
    private final Clock clock;

    public SecondaryQuietGate(KafkaInspector kafka, ClusterDirectory clusters, ReverseReplicationSteps reverse, Clock clock) {
        this.kafka = kafka;
        this.clusters = clusters;
        this.reverse = reverse;
        this.clock = clock;
    }

    public SecondaryQuiet check(Plan plan, ReverseReplication replication, SecondaryQuiet previous) {
        Instant now = clock.instant();
        String secondary = clusters.bootstrapServers(plan.secondary().clusterArn());
        // Before the log ends are read: each producer's last write is then among the records this check reads.
        List<KafkaInspector.ProducerWrite> producers = kafka.producers(secondary, kafka.offsetRanges(secondary, plan.topics()).keySet());
        Map<String, KafkaInspector.OffsetRange> ranges = kafka.offsetRanges(secondary, plan.topics());
        Map<String, Long> from = previous.scannedTo() != null ? previous.scannedTo() : unreadFrom(plan, replication, secondary, ranges);
        Map<String, Long> scannedTo = new TreeMap<>();
        Map<String, Long> applicationEnds = new TreeMap<>();
        Map<String, Set<Long>> writeTimes = new TreeMap<>();
        List<String> arrived = new ArrayList<>();
        List<String> scanBehind = new ArrayList<>();
        long copies = 0;
        for (var partition : ranges.entrySet()) {
            String name = partition.getKey();
            KafkaInspector.OffsetRange range = partition.getValue();
            long start = Math.max(range.logStart(), from.getOrDefault(name, range.logStart()));
            KafkaInspector.WriteScan scan = kafka.applicationRecords(secondary, name, start, range.logEnd(), SCAN_WINDOW);
            scannedTo.put(name, scan.scannedTo());
            copies += scan.copies();
            if (scan.scannedTo() < range.logEnd()) {
                scanBehind.add(name + " read to " + scan.scannedTo() + " of " + range.logEnd());
            }
            long end = previous.applicationEnds() == null ? start : previous.applicationEnds().getOrDefault(name, start);
            List<KafkaInspector.ApplicationRecord> written = scan.applicationRecords();
            if (!written.isEmpty()) {
                KafkaInspector.ApplicationRecord last = written.getLast();
                end = last.offset() + 1;
                writeTimes.put(name, written.stream().map(KafkaInspector.ApplicationRecord::timestamp).collect(Collectors.toSet()));
                arrived.add(name + ": " + written.size() + " application record(s), the last at offset " + last.offset() + " written "
                        + Instant.ofEpochMilli(last.timestamp()));
            }
            applicationEnds.put(name, end);
        }
        WritesQuiet before = new WritesQuiet(previous.applicationEnds(), previous.checkedAt(), previous.quietSince());
        WritesQuiet look = before.next(applicationEnds, now);
        if (!scanBehind.isEmpty()) {
            look = new WritesQuiet(applicationEnds, now.toString(), null);
        }
        List<String> writers = writers(producers, writeTimes);
        String copiesSeen = copies + " cop" + (copies == 1 ? "y" : "ies") + " of the forward flow read, which do not count";
        String seen;
        boolean done = false;
        if (!scanBehind.isEmpty()) {
            seen = "still reading the secondary's records to tell copies from application records: " + scanBehind
                    + (arrived.isEmpty() ? "" : "; " + String.join("; ", arrived));
        } else if (!look.quiet()) {
            seen = (before.positions() == null ? "first look at the secondary: " : "applications still write to the secondary: ")
                    + (arrived.isEmpty() ? "no application record since the consumers' positions" : String.join("; ", arrived))
                    + (writers.isEmpty() ? "" : "; written by " + String.join(", ", writers)) + " (" + copiesSeen + ")";
        } else {
            Optional<String> notCopied = reverse.notCopied(plan, replication, applicationEnds);
            done = notCopied.isEmpty();
            seen = "no application record on the secondary since " + look.quietSince() + " (" + copiesSeen + "); "
                    + notCopied.orElse("the reverse flow has copied every application record to the primary") + "; application records end at " + applicationEnds;
        }
        PollState poll = previous.poll().afterCheck(done, seen, "the applications to stop writing to the secondary (no application record "
                + "arriving between two checks; restart every producer still connected there) and the reverse flow to copy what they wrote", clock);
        return new SecondaryQuiet(poll, scannedTo, applicationEnds, now.toString(), look.quietSince(), writers);
    }

    /**
     * Where the first check starts reading: the first record that not every plan group has read and the reverse flow
     * has not copied. Everything before it needs neither reading nor copying, whoever wrote it.
     */
    private Map<String, Long> unreadFrom(Plan plan, ReverseReplication replication, String secondary,
                                         Map<String, KafkaInspector.OffsetRange> ranges) {
        List<Map<String, KafkaInspector.CommittedOffset>> positions = new ArrayList<>();
        positions.addAll(kafka.committedOffsets(secondary, plan.consumerGroups(), plan.topics()).values());
        reverse.copiedPositions(plan, replication).ifPresent(positions::add);
        Map<String, Long> from = new TreeMap<>();
        ranges.forEach((partition, range) -> from.put(partition, positions.stream()
                .mapToLong(committed -> ReverseReplicationSteps.position(committed, partition, ranges)).min().orElse(range.logStart())));
        return from;
    }

    /** Per partition with new application records, the producers whose last write is one of them. */
    private static List<String> writers(List<KafkaInspector.ProducerWrite> producers, Map<String, Set<Long>> writeTimes) {
        return producers.stream()
                .filter(producer -> writeTimes.getOrDefault(producer.partition(), Set.of()).contains(producer.lastTimestamp()))
                .map(producer -> producer.partition() + " producer id " + producer.producerId() + " (last write "
                        + Instant.ofEpochMilli(producer.lastTimestamp()) + ")")
                .sorted()
                .toList();
    }
}
