package com.mskfailover.orchestrator.domain;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a consumer group resumes, one partition at a time, on the cluster it moves to (the target), computed from the
 * records themselves: what MSK Replicator mode needs, since a reverse MSK Replicator is created without offset sync and
 * the forward one's sync stops once producers write to its target.
 *
 * <p>Every record of one cluster has its counterpart on the other: an application's record (an original) has its
 * copy, which carries MSK Replicator's header, and a copy has its original. A replicator copies a partition in order,
 * so the target's originals appear in the same order among the source's copies, and the target's copies in the same
 * order as the source's originals. The walk reads the target from a position before which the group has read
 * everything, matches each record with the next record of the other kind on the source (one cursor per kind, each
 * placed once through the time index), and stops at the first record whose counterpart the group has not read (at or
 * past its commit on the source) or that has none there (never copied): the group resumes there. So it never resumes
 * past a record it did not read. A record the replicator copied twice (it is at-least-once) is matched against what it
 * matched just before, so a duplicate the group read once does not stop the walk.
 *
 * <p>Cost: a chunk of fingerprints in memory per cursor, whatever the length; the records from the start to where the
 * group resumes are read once on the target and at most twice on the source. A budget of records read per call and a
 * deadline keep one check within memory and the Lambda timeout: past either the walk ends early
 * ({@link Resume#complete()} false) at a position before which the group read everything, which the caller commits and
 * the next check continues from.
 */
public final class RecordAlignment {

    /** Records read per fetch. */
    /**
     * Records one handover check reads, on both clusters together, for one group's partition: a longer outage is
     * handed over across checks, each continuing where the last committed.
     */
    static final long BUDGET_PER_CHECK = 2_000_000;
    /** How long one check spends handing groups over (the Lambda timeout is 90 s); the next check goes on. */
    static final java.time.Duration TIME_PER_CHECK = java.time.Duration.ofSeconds(40);
    static final int CHUNK = 20_000;
    /** How many matched records back a duplicate copy is recognised: more than a replicator re-sends after a crash. */
    static final int DUPLICATE_HORIZON = 50_000;

    /**
     * @param position    where the group resumes on the target (everything before it was read)
     * @param complete    false when the budget ran out first: the walk goes on from {@code position} at the next call
     * @param recordsRead records read on both clusters for this answer
     */
    public record Resume(long position, boolean complete, long recordsRead) {

        /** What a walk cut short tells the operators: how far the handover of a group's partition got on the target. */
        public String progress(String groupPartition, long targetEnd, String target) {
            return groupPartition + ": handed over up to " + position + " of " + targetEnd + " on the " + target + " so far ("
                    + recordsRead + " records compared in this check; the next goes on from there)";
        }
    }

    private final KafkaInspector kafka;
    private final long budget;
    private final java.time.Clock clock;

    /** @param budget records read per call, on both clusters together, before it ends early */
    public RecordAlignment(KafkaInspector kafka, long budget, java.time.Clock clock) {
        this.kafka = kafka;
        this.budget = budget;
        this.clock = clock;
    }

    /**
     * @param from     a position on the target before which the group has read everything (its own commit there)
     * @param readUpTo the group's commit on the source: it read every record before it there
     * @param deadline no read starts after it (the walk ends early)
     */
    public Resume resume(String target, String source, String partition, long from, long targetEnd, long readUpTo,
                         java.time.Instant deadline) {
        Walk walk = new Walk(partition, deadline);
        long position = from;
        try {
            Cursor onTarget = walk.cursor(target, from, targetEnd, null);
            // [0]: the source's originals (counterparts of the target's copies); [1]: the source's copies.
            Cursor[] onSource = new Cursor[2];
            Recent[] matched = {new Recent(), new Recent()};
            KafkaInspector.RecordFingerprint record;
            while ((record = onTarget.take()) != null) {
                int kind = record.copiedByMskReplicator() ? 0 : 1;
                if (onSource[kind] == null) {
                    onSource[kind] = walk.counterpart(target, record, source, readUpTo);
                    if (onSource[kind] == null) {
                        return new Resume(position, true, walk.read);
                    }
                }
                if (!onSource[kind].matches(record, matched[kind]) && !matched[kind].contains(record.digest())) {
                    return new Resume(position, true, walk.read);
                }
                position = record.offset() + 1;
            }
            return new Resume(position, true, walk.read);
        } catch (BudgetSpent spent) {
            return new Resume(position, false, walk.read);
        }
    }

    /**
     * Where the counterpart of the source's last record before {@code readUpTo} is on the target, plus one: every copy
     * on the target before it is of a record the group read. Empty when the group read nothing there or the target has
     * no counterpart of it.
     */
    public java.util.OptionalLong afterCounterpartOfLastRead(String source, String target, String partition, long sourceStart,
                                                             long readUpTo, long targetEnd, java.time.Instant deadline) {
        Walk walk = new Walk(partition, deadline);
        KafkaInspector.RecordFingerprint last = null;
        for (long from = readUpTo; last == null && from > sourceStart; from = Math.max(sourceStart, from - CHUNK)) {
            List<KafkaInspector.RecordFingerprint> chunk = kafka.fingerprints(source, partition, Math.max(sourceStart, from - CHUNK), from, CHUNK);
            last = chunk.isEmpty() ? null : chunk.getLast();
        }
        if (last == null) {
            return java.util.OptionalLong.empty();
        }
        try {
            Cursor there = walk.counterpart(source, last, target, targetEnd);
            return there == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(there.take().offset() + 1);
        } catch (BudgetSpent spent) {
            return java.util.OptionalLong.empty();
        }
    }

    private static final class BudgetSpent extends RuntimeException {
        BudgetSpent() {
            super(null, null, false, false);
        }
    }

    /** Digests of the last records matched, with how often each occurs among them. */
    private static final class Recent {
        private final ArrayDeque<Long> order = new ArrayDeque<>();
        private final Map<Long, Integer> counts = new HashMap<>();

        void add(long digest) {
            order.addLast(digest);
            counts.merge(digest, 1, Integer::sum);
            if (order.size() > DUPLICATE_HORIZON) {
                counts.computeIfPresent(order.removeFirst(), (digest0, count) -> count == 1 ? null : count - 1);
            }
        }

        boolean contains(long digest) {
            return counts.containsKey(digest);
        }
    }

    private final class Walk {
        private final String partition;
        private final java.time.Instant deadline;
        private long read;

        Walk(String partition, java.time.Instant deadline) {
            this.partition = partition;
            this.deadline = deadline;
        }

        boolean spent() {
            return read >= budget || clock.instant().isAfter(deadline);
        }

        Cursor cursor(String cluster, long from, long end, Boolean copies) {
            return new Cursor(this, cluster, from, end, copies);
        }

        /**
         * A cursor of the other cluster's records of the counterpart's kind, placed on the counterpart of {@code record};
         * null when there is none before {@code otherEnd}. Both clusters are looked up at the record's timestamp (a copy
         * keeps it): every record of that timestamp is at or after the offset the time index gives, so the counterpart
         * is the n-th record of its kind and digest from there when the record is the n-th of its own.
         */
        Cursor counterpart(String cluster, KafkaInspector.RecordFingerprint record, String other, long otherEnd) {
            Map<String, Long> at = Map.of(partition, record.timestamp());
            Cursor same = cursor(cluster, kafka.firstOffsetsAtOrAfter(cluster, at).get(partition), record.offset() + 1, record.copiedByMskReplicator());
            int ordinal = 0;
            for (KafkaInspector.RecordFingerprint earlier; (earlier = same.take()) != null; ) {
                ordinal += earlier.digest() == record.digest() ? 1 : 0;
            }
            Cursor there = cursor(other, kafka.firstOffsetsAtOrAfter(other, at).get(partition), otherEnd, !record.copiedByMskReplicator());
            for (KafkaInspector.RecordFingerprint candidate; (candidate = there.peek()) != null; there.take()) {
                if (candidate.digest() == record.digest() && --ordinal <= 0) {
                    return there;
                }
            }
            return null;
        }
    }

    /** The records of one partition of one cluster in offset order, of one kind (copies or originals) or both, a chunk at a time. */
    private final class Cursor {
        private final Walk walk;
        private final String cluster;
        private final long end;
        private final Boolean copies;
        private long next;
        private List<KafkaInspector.RecordFingerprint> chunk = List.of();
        private int index;

        Cursor(Walk walk, String cluster, long from, long end, Boolean copies) {
            this.walk = walk;
            this.cluster = cluster;
            this.next = from;
            this.end = end;
            this.copies = copies;
        }

        KafkaInspector.RecordFingerprint peek() {
            while (true) {
                while (index < chunk.size()) {
                    KafkaInspector.RecordFingerprint record = chunk.get(index);
                    if (copies == null || record.copiedByMskReplicator() == copies) {
                        return record;
                    }
                    index++;
                }
                if (next >= end) {
                    return null;
                }
                if (walk.spent()) {
                    throw new BudgetSpent();
                }
                chunk = kafka.fingerprints(cluster, walk.partition, next, end, CHUNK);
                index = 0;
                walk.read += chunk.size();
                next = chunk.isEmpty() ? end : chunk.getLast().offset() + 1;
            }
        }

        KafkaInspector.RecordFingerprint take() {
            KafkaInspector.RecordFingerprint record = peek();
            index += record == null ? 0 : 1;
            return record;
        }

        /**
         * Whether the next record here is {@code record}'s counterpart (taken then), passing over duplicates of records
         * matched just before (a replicator's re-sent copies); a counterpart at or past the end counts as none.
         */
        boolean matches(KafkaInspector.RecordFingerprint record, Recent matched) {
            KafkaInspector.RecordFingerprint candidate = peek();
            while (candidate != null && candidate.digest() != record.digest() && matched.contains(candidate.digest())) {
                take();
                candidate = peek();
            }
            if (candidate == null || candidate.digest() != record.digest()) {
                return false;
            }
            take();
            matched.add(record.digest());
            return true;
        }
    }
}
