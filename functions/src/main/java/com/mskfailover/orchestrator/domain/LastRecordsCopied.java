package com.mskfailover.orchestrator.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether the reverse MSK Replicator has copied, in every partition of the plan, the secondary's last record that
 * originated there (not a forward copy: those carry {@code __mskmr}) onto the primary: the check that comes before
 * consumers move and before the reverse flow is deleted, because MessageLag is a delayed per-minute figure and
 * the records themselves are not. The counterpart is found as {@link GroupOffsetHandover} matches records: a copy
 * keeps key, value and timestamp; the primary is read from the first offset of that timestamp (its time index), so a
 * check reads the records written on the primary since then, not the outage.
 */
public final class LastRecordsCopied {

    /** Records one read asks for. */
    static final int CHUNK = 20_000;
    /** Most records read per partition and cluster by one check (each read is bounded by the Kafka call timeout). */
    static final int SEARCH_LIMIT = 200_000;

    private final KafkaInspector kafka;
    private final ClusterDirectory clusters;

    public LastRecordsCopied(KafkaInspector kafka, ClusterDirectory clusters) {
        this.kafka = kafka;
        this.clusters = clusters;
    }

    /** The partitions whose secondary last original record is not on the primary (what was seen, per partition); empty when all are. */
    public List<String> notOnThePrimary(Plan plan) {
        String primary = clusters.bootstrapServers(plan.primary().clusterArn());
        String secondary = clusters.bootstrapServers(plan.secondary().clusterArn());
        Map<String, KafkaInspector.OffsetRange> secondaryRanges = kafka.offsetRanges(secondary, plan.topics());
        Map<String, KafkaInspector.OffsetRange> primaryRanges = kafka.offsetRanges(primary, plan.topics());
        List<String> missing = new ArrayList<>();
        secondaryRanges.forEach((partition, secondaryRange) -> {
            KafkaInspector.OffsetRange primaryRange = primaryRanges.get(partition);
            LastOriginal last = lastOriginal(secondary, partition, secondaryRange);
            if (last.record().isEmpty()) {
                if (!last.searchedToLogStart()) {
                    missing.add(partition + ": none of the secondary's last " + SEARCH_LIMIT + " records originated there (all forward "
                            + "copies), so its last own record could not be checked");
                }
                return;
            }
            KafkaInspector.RecordFingerprint record = last.record().get();
            if (primaryRange == null) {
                missing.add(partition + ": the partition is missing on the primary");
            } else {
                searchPrimary(primary, partition, primaryRange, record).ifPresent(searched -> missing.add(partition
                        + ": the secondary's last own record (offset " + record.offset() + ", timestamp "
                        + java.time.Instant.ofEpochMilli(record.timestamp()) + ") is not on the primary (" + searched + ")"));
            }
        });
        return missing;
    }

    private record LastOriginal(Optional<KafkaInspector.RecordFingerprint> record, boolean searchedToLogStart) {
    }

    /** The newest record of the partition without {@code __mskmr}, read backwards from the log end in chunks. */
    private LastOriginal lastOriginal(String secondary, String partition, KafkaInspector.OffsetRange range) {
        long to = range.logEnd();
        long read = 0;
        while (to > range.logStart() && read < SEARCH_LIMIT) {
            long from = Math.max(range.logStart(), to - CHUNK);
            List<KafkaInspector.RecordFingerprint> chunk = kafka.fingerprints(secondary, partition, from, to, CHUNK);
            for (int i = chunk.size() - 1; i >= 0; i--) {
                if (!chunk.get(i).copiedByMskReplicator()) {
                    return new LastOriginal(Optional.of(chunk.get(i)), false);
                }
            }
            read += to - from;
            to = from;
        }
        return new LastOriginal(Optional.empty(), to <= range.logStart());
    }

    /**
     * Looks for the record's copy on the primary from the first offset of its timestamp on (a copy keeps it); empty
     * when found, else which offsets were read.
     */
    private Optional<String> searchPrimary(String primary, String partition, KafkaInspector.OffsetRange range, KafkaInspector.RecordFingerprint record) {
        long start = Math.max(range.logStart(), kafka.firstOffsetAtOrAfter(primary, partition, record.timestamp()));
        long limit = Math.min(range.logEnd(), start + SEARCH_LIMIT);
        for (long from = start; from < limit; from += CHUNK) {
            if (kafka.fingerprints(primary, partition, from, Math.min(limit, from + CHUNK), CHUNK).stream()
                    .anyMatch(copy -> copy.digest() == record.digest())) {
                return Optional.empty();
            }
        }
        return Optional.of("read its offsets " + start + " to " + limit + (limit < range.logEnd() ? " of " + range.logEnd() + ", the most one check reads" : ", its end"));
    }
}
