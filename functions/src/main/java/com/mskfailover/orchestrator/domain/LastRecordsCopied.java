package com.mskfailover.orchestrator.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether the reverse MSK Replicator has copied, in every partition of the plan, the secondary's last record that
 * originated there (not a forward copy: those carry {@code __mskmr}) onto the primary: the check that comes before
 * consumers move and before the reverse flow is deleted, because MessageLag is a delayed per-minute figure and
 * the records themselves are not. The counterpart is found as {@link GroupOffsetHandover} matches records: a copy
 * keeps key, value and timestamp; the primary is read from the first offset of that timestamp (its time index), so a
 * check reads the records written on the primary since then, not the outage. Every partition is read in the same
 * read, first a few records from where the answer usually is, then more for those still undecided.
 */
public final class LastRecordsCopied {

    /** Records per partition of the first read; each further read asks for {@link #GROWTH} times as many. */
    static final int FIRST_READ = 500;
    static final int GROWTH = 8;
    /** Most records read per partition and cluster by one check (each read is bounded by the Kafka call timeout). */
    static final int SEARCH_LIMIT = 200_000;

    private final KafkaInspector kafka;
    private final ClusterDirectory clusters;

    public LastRecordsCopied(KafkaInspector kafka, ClusterDirectory clusters) {
        this.kafka = kafka;
        this.clusters = clusters;
    }

    /** The partitions whose secondary last own record is not on the primary (what was seen, per partition); empty when all are. */
    public List<String> notOnThePrimary(Plan plan) {
        return notOnThePrimary(plan, Map.of());
    }

    /**
     * As {@link #notOnThePrimary(Plan)}, for the secondary's last own record below {@code upTo} (per partition; a partition
     * not named: its log end): whether everything written there before that point is copied.
     */
    public List<String> notOnThePrimary(Plan plan, Map<String, Long> upTo) {
        String primary = clusters.bootstrapServers(plan.primary().clusterArn());
        String secondary = clusters.bootstrapServers(plan.secondary().clusterArn());
        Map<String, KafkaInspector.OffsetRange> primaryRanges = kafka.offsetRanges(primary, plan.topics());
        List<String> missing = new ArrayList<>();
        Map<String, KafkaInspector.OffsetRange> secondaryRanges = new TreeMap<>();
        kafka.offsetRanges(secondary, plan.topics()).forEach((partition, range) -> secondaryRanges.put(partition,
                new KafkaInspector.OffsetRange(range.logStart(), Math.min(range.logEnd(), upTo.getOrDefault(partition, range.logEnd())))));
        Map<String, KafkaInspector.RecordFingerprint> lastOwn = lastOwnRecords(secondary, secondaryRanges, missing);
        lastOwn.keySet().stream().filter(partition -> !primaryRanges.containsKey(partition))
                .forEach(partition -> missing.add(partition + ": the partition is missing on the primary"));
        lastOwn.keySet().retainAll(primaryRanges.keySet());
        missing.addAll(notCopied(primary, primaryRanges, lastOwn));
        return missing.stream().sorted().toList();
    }

    /**
     * Per partition, its newest record without {@code __mskmr}, read backwards from the log end; a partition that
     * holds only forward copies is absent, one undecided after {@link #SEARCH_LIMIT} records is reported as missing.
     */
    private Map<String, KafkaInspector.RecordFingerprint> lastOwnRecords(String secondary, Map<String, KafkaInspector.OffsetRange> ranges,
                                                                          List<String> missing) {
        Map<String, KafkaInspector.RecordFingerprint> found = new TreeMap<>();
        Map<String, Long> readDownTo = new TreeMap<>();
        ranges.forEach((partition, range) -> readDownTo.put(partition, range.logEnd()));
        for (int size = FIRST_READ; ; size = Math.min(size * GROWTH, SEARCH_LIMIT)) {
            int chunk = size;
            Map<String, KafkaInspector.OffsetRange> toRead = new TreeMap<>();
            readDownTo.forEach((partition, end) -> {
                KafkaInspector.OffsetRange range = ranges.get(partition);
                if (range.logEnd() - end >= SEARCH_LIMIT) {
                    missing.add(partition + ": none of the secondary's last " + SEARCH_LIMIT + " records originated there (all forward "
                            + "copies), so its last own record could not be checked");
                } else if (end > range.logStart()) { // else read to its start: only forward copies
                    toRead.put(partition, new KafkaInspector.OffsetRange(Math.max(range.logStart(), end - chunk), end));
                }
            });
            readDownTo.clear();
            if (toRead.isEmpty()) {
                return found;
            }
            kafka.fingerprints(secondary, toRead, chunk).forEach((partition, records) -> {
                for (int i = records.size() - 1; i >= 0; i--) {
                    if (!records.get(i).copiedByMskReplicator()) {
                        found.put(partition, records.get(i));
                        return;
                    }
                }
                readDownTo.put(partition, toRead.get(partition).logStart());
            });
        }
    }

    /** The partitions whose record has no copy on the primary from the first offset of its timestamp on, with what was read. */
    private List<String> notCopied(String primary, Map<String, KafkaInspector.OffsetRange> ranges, Map<String, KafkaInspector.RecordFingerprint> records) {
        List<String> missing = new ArrayList<>();
        if (records.isEmpty()) {
            return missing;
        }
        Map<String, Long> timestamps = new TreeMap<>();
        records.forEach((partition, record) -> timestamps.put(partition, record.timestamp()));
        Map<String, Long> firstOffsets = kafka.firstOffsetsAtOrAfter(primary, timestamps);
        Map<String, Long> readFrom = new TreeMap<>();
        firstOffsets.forEach((partition, offset) -> readFrom.put(partition, Math.max(ranges.get(partition).logStart(), offset)));
        for (int chunk = FIRST_READ; !readFrom.isEmpty(); chunk = Math.min(chunk * GROWTH, SEARCH_LIMIT)) {
            Map<String, KafkaInspector.OffsetRange> toRead = new TreeMap<>();
            for (var from : readFrom.entrySet()) {
                String partition = from.getKey();
                long limit = Math.min(ranges.get(partition).logEnd(), firstOffsets.get(partition) + SEARCH_LIMIT);
                if (from.getValue() < limit) {
                    toRead.put(partition, new KafkaInspector.OffsetRange(from.getValue(), Math.min(limit, from.getValue() + chunk)));
                } else {
                    KafkaInspector.RecordFingerprint record = records.get(partition);
                    missing.add(partition + ": the secondary's last own record (offset " + record.offset() + ", timestamp "
                            + Instant.ofEpochMilli(record.timestamp()) + ") is not on the primary (read its offsets " + firstOffsets.get(partition)
                            + " to " + limit + (limit < ranges.get(partition).logEnd() ? " of " + ranges.get(partition).logEnd()
                            + ", the most one check reads" : ", its end") + ")");
                }
            }
            readFrom.clear();
            kafka.fingerprints(primary, toRead, chunk).forEach((partition, read) -> {
                long digest = records.get(partition).digest();
                if (read.stream().noneMatch(copy -> copy.digest() == digest)) {
                    readFrom.put(partition, toRead.get(partition).logEnd());
                }
            });
        }
        return missing;
    }
}
