package com.mskfailover.replicator;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffsetTranslationTest {

    private static final TopicPartition PARTITION = new TopicPartition("customer", 0);

    @Test
    void aConsumerResumesJustAfterTheCopyOfTheLastRecordItRead() {
        OffsetTranslation translation = new OffsetTranslation();
        // Source 0..4 copied to target 10..14 in one transaction (marker 15), then 5 -> 16 in the next.
        for (long offset = 0; offset < 5; offset++) {
            translation.copied(PARTITION, offset, 10 + offset);
        }
        translation.endOfTransaction(PARTITION);
        translation.copied(PARTITION, 5, 16);
        translation.endOfTransaction(PARTITION);
        assertEquals(OptionalLong.of(13), translation.translate(PARTITION, 3, 6));
        assertEquals(OptionalLong.of(16), translation.translate(PARTITION, 5, 6), "after the marker, which the next copy shows empty");
        assertEquals(OptionalLong.of(17), translation.translate(PARTITION, 6, 6));
        assertEquals(OptionalLong.of(10), translation.translate(PARTITION, 0, 6), "nothing read: before the first copy");
    }

    @Test
    void waitsForRecordsNotReplicatedYet() {
        OffsetTranslation translation = new OffsetTranslation();
        translation.copied(PARTITION, 0, 0);
        assertEquals(OptionalLong.empty(), translation.translate(PARTITION, 3, 1));
        assertEquals(OptionalLong.empty(), translation.translate(new TopicPartition("other", 0), 1, 1));
    }

    @Test
    void skippedRecordsWithAnUnknownPlaceAreReadLikeTheOthers() {
        OffsetTranslation translation = new OffsetTranslation();
        translation.copied(PARTITION, 0, 0);
        translation.copied(PARTITION, 1, 1);
        // Source 2 and 3 were skipped (MSK Replicator records): nothing of the flow on the target stands for them.
        assertEquals(OptionalLong.of(2), translation.translate(PARTITION, 4, 4));
    }

    /**
     * Issue 10 point 3: a transaction holds copies 0..4 (acknowledged at 100..104, possibly after the copier
     * already saw the next record) and then a record skipped with an unknown place (5). Applied after commit,
     * in any order, commit 5 and commit 6 translate to 105, never to nothing.
     */
    @Test
    void aSkippedRecordAfterLaterAcknowledgedCopiesTranslatesExactly() {
        for (boolean reversed : new boolean[] {false, true}) {
            OffsetTranslation translation = new OffsetTranslation();
            List<long[]> acknowledgements = new ArrayList<>();
            for (long offset = 0; offset < 5; offset++) {
                acknowledgements.add(new long[] {offset, 100 + offset});
            }
            if (reversed) {
                Collections.reverse(acknowledgements);
            }
            acknowledgements.forEach(ack -> translation.copied(PARTITION, ack[0], ack[1]));
            translation.endOfTransaction(PARTITION);
            assertEquals(OptionalLong.of(105), translation.translate(PARTITION, 5, 6), "reversed " + reversed);
            assertEquals(OptionalLong.of(105), translation.translate(PARTITION, 6, 6), "reversed " + reversed);
            assertEquals(OptionalLong.of(103), translation.translate(PARTITION, 3, 6), "reversed " + reversed);
        }
    }

    /**
     * Issue 10 point 2: primary [o0,o1,o2,L0,L1,N0,N1], secondary [o0,o1,o2,N0,N1,L0,L1] (failback with an
     * unreplicated primary tail L, and N written on the secondary during the failover).
     */
    @Test
    void neverPastARecordTheGroupDidNotReadWhenTheMappingIsNotMonotonic() {
        // Forward flow primary -> secondary: a group that read primary 0..4 (o0..L1) never read N0, N1 (secondary 3, 4).
        OffsetTranslation forward = new OffsetTranslation();
        for (long offset = 0; offset < 3; offset++) {
            forward.copied(PARTITION, offset, offset);
        }
        forward.endOfTransaction(PARTITION);
        forward.copied(PARTITION, 3, 5); // L0
        forward.copied(PARTITION, 4, 6); // L1
        forward.endOfTransaction(PARTITION);
        assertEquals(OptionalLong.of(3), forward.translate(PARTITION, 5, 5), "N0, N1 not known yet: a hole is not read");
        forward.original(PARTITION, 5, 3); // the primary's copy of N0 (written by the failback flow) is skipped
        forward.original(PARTITION, 6, 4);
        assertEquals(OptionalLong.of(3), forward.translate(PARTITION, 5, 7), "N0 and N1 are re-read, never skipped");
        assertEquals(OptionalLong.of(7), forward.translate(PARTITION, 7, 7), "read everything");
        assertEquals(OptionalLong.of(2), forward.translate(PARTITION, 2, 7));

        // Failback flow secondary -> primary: a group that read secondary 0..4 (o0..N1) never read L0, L1 (primary 3, 4).
        OffsetTranslation failback = new OffsetTranslation();
        for (long offset = 0; offset < 3; offset++) {
            failback.original(PARTITION, offset, offset);
        }
        failback.copied(PARTITION, 3, 5);
        failback.copied(PARTITION, 4, 6);
        failback.endOfTransaction(PARTITION);
        failback.original(PARTITION, 5, 3);
        failback.original(PARTITION, 6, 4);
        assertEquals(OptionalLong.of(3), failback.translate(PARTITION, 5, 7));
        assertEquals(OptionalLong.of(7), failback.translate(PARTITION, 7, 7));
    }

    /**
     * Property: over random interleavings of copies, records the target writes itself (replicated back to the
     * source at a random later point, or never), transaction markers and aborted records, the translation equals
     * the reference (just after the last record read before the first one not read), and is never past a record
     * the group did not read. Facts arrive as the copier and the read-back deliver them.
     */
    @Test
    void randomInterleavingsTranslateToTheLargestOffsetBeforeWhichEverythingWasRead() {
        Random random = new Random(20260517);
        for (int round = 0; round < 2_000; round++) {
            Scenario scenario = Scenario.random(random, 20 + random.nextInt(200));
            OffsetTranslation translation = scenario.feed(random);
            for (long committed = 0; committed <= scenario.sourceLength; committed++) {
                assertEquals(scenario.reference(committed), translation.translate(PARTITION, committed, scenario.sourceLength),
                        "round " + round + " commit " + committed + ": " + scenario);
            }
        }
    }

    /**
     * Bounded state: a partition with a gap after every record (Kafka Streams exactly-once output) keeps at most
     * MAX_SEGMENTS segments, translates recent commits exactly and older ones conservatively (never past them).
     */
    @Test
    void stateIsBoundedRecentCommitsStayExactOldOnesConservative() {
        TargetPartitionOffsets offsets = new TargetPartitionOffsets();
        int records = 100_000;
        for (long source = 0; source < records; source++) {
            offsets.copied(source, 3 * source); // every record its own run: markers and foreign writes between
            offsets.noRecords(3 * source + 1, 3 * source + 3);
        }
        assertTrue(offsets.segmentCount() <= TargetPartitionOffsets.MAX_SEGMENTS, "segments " + offsets.segmentCount());
        for (long committed = records - 50; committed <= records; committed++) {
            // Just after the copy of the last record read, and past the two empty offsets after it.
            assertEquals(3 * committed, offsets.translate(committed).getAsLong(), "recent commit " + committed);
        }
        long previous = -1;
        for (long committed = 1; committed < records; committed += 997) {
            long translated = offsets.translate(committed).getAsLong();
            assertTrue(translated <= 3 * committed, "commit " + committed + " -> " + translated + " would skip");
            assertTrue(translated >= previous, "monotonic in the commit");
            previous = translated;
        }
        assertTrue(offsets.translate(records - 1000).getAsLong() > 3L * (records - 2000), "recent-ish commits stay close");
    }

    @Test
    void afterARestartTheWindowReadBackTranslatesAndOlderCommitsGetTheLogStart() {
        TargetPartitionOffsets offsets = new TargetPartitionOffsets();
        // The target holds copies of source 0..999 at 0..999 (log start 0); only 500..999 were read back.
        offsets.window(500, 0);
        for (long offset = 500; offset < 1000; offset++) {
            offsets.counterpart(offset, offset);
        }
        assertEquals(OptionalLong.of(800), offsets.translate(800));
        assertEquals(OptionalLong.of(0), offsets.translate(300), "older than the window: the log start, re-read never skip");
        assertEquals(OptionalLong.of(0), offsets.translate(500), "its last record read is before the window");
    }

    /**
     * One target partition and its source partition, simulated step by step: producers on both sides, the
     * copier (in transactions: its marker lands after its copies and whatever else was written meanwhile),
     * the failback flow copying target records to the source (later, or never), aborted records of others.
     */
    private record Scenario(List<long[]> target, long sourceLength, List<long[]> facts) {

        static final int COPY = 0;
        static final int FOREIGN = 1;
        static final int NO_RECORD = 2;
        static final long END_OF_TRANSACTION = -1;

        /** target: per offset {kind, source offset (a foreign record's copy on the source, -1 if none)}. */
        static Scenario random(Random random, int steps) {
            List<long[]> target = new ArrayList<>();
            List<long[]> source = new ArrayList<>(); // per source offset: the target offset of its original, or -1
            List<long[]> facts = new ArrayList<>(); // {source, target, 0 copy / 1 original} or END_OF_TRANSACTION
            List<Integer> notCopiedBack = new ArrayList<>();
            int copierPosition = 0;
            boolean copiesInTransaction = false;
            for (int i = random.nextInt(3) == 0 ? random.nextInt(4) : 0; i > 0; i--) {
                target.add(new long[] {FOREIGN, -1}); // the target's own records from before replication
            }
            for (int step = 0; step <= steps; step++) {
                int choice = step == steps ? 99 : random.nextInt(20);
                if (choice < 6) {
                    source.add(new long[] {-1}); // produced on the source
                } else if (choice < 8) {
                    target.add(new long[] {FOREIGN, -1}); // produced on the target
                    if (random.nextInt(4) > 0) {
                        notCopiedBack.add(target.size() - 1);
                    }
                } else if (choice < 10 && !notCopiedBack.isEmpty()) {
                    int original = notCopiedBack.remove(random.nextInt(notCopiedBack.size()));
                    source.add(new long[] {original}); // the failback flow copies it to the source
                    target.get(original)[1] = source.size() - 1;
                } else if (choice == 10) {
                    target.add(new long[] {NO_RECORD, -1}); // another producer's aborted record or marker
                } else if (choice < 17 || choice == 99) {
                    // The copier: a few records, then (always at the end) a commit.
                    int batch = choice == 99 ? Integer.MAX_VALUE : 1 + random.nextInt(3);
                    for (; batch > 0 && copierPosition < source.size(); batch--, copierPosition++) {
                        long original = source.get(copierPosition)[0];
                        if (original >= 0) {
                            facts.add(new long[] {copierPosition, original, 1}); // skipped: came from the target
                        } else {
                            target.add(new long[] {COPY, copierPosition});
                            facts.add(new long[] {copierPosition, target.size() - 1, 0});
                            copiesInTransaction = true;
                        }
                    }
                    if (choice == 99 || random.nextBoolean()) {
                        if (copiesInTransaction) {
                            target.add(new long[] {NO_RECORD, -1}); // its commit marker
                        }
                        copiesInTransaction = false;
                        facts.add(new long[] {END_OF_TRANSACTION});
                    }
                }
            }
            return new Scenario(target, source.size(), facts);
        }

        /** The copier's facts as committed() gives them, then the read-back of every hole on the target. */
        OffsetTranslation feed(Random random) {
            OffsetTranslation translation = new OffsetTranslation();
            for (long[] fact : facts) {
                if (fact[0] == END_OF_TRANSACTION) {
                    translation.endOfTransaction(PARTITION);
                } else if (fact[2] == 0) {
                    translation.copied(PARTITION, fact[0], fact[1]);
                } else {
                    translation.original(PARTITION, fact[0], fact[1]);
                }
            }
            TargetPartitionOffsets offsets = translation.state(PARTITION).offsets;
            // Each hole as the read-back finds it; the last marker once the partition stayed idle a round (a second call).
            for (long[] hole = nextHole(offsets); hole != null; hole = nextHole(offsets)) {
                for (long t = hole[0]; t < hole[1]; t++) {
                    long[] record = target.get((int) t);
                    if (record[0] == NO_RECORD) {
                        offsets.noRecords(t, t + 1);
                    } else if (record[0] == COPY) {
                        offsets.counterpart(record[1], t);
                    } else {
                        offsets.unknownOrigin(t); // the read-back does not see the source
                    }
                }
            }
            return translation;
        }

        private static long[] nextHole(TargetPartitionOffsets offsets) {
            long[] hole = offsets.hole();
            return hole != null ? hole : offsets.hole();
        }

        /**
         * The reference: from the flow's first known record on, just after the last record read before the first one not
         * read, and past the empty offsets (markers, aborted records) that follow it as far as the target is known.
         */
        OptionalLong reference(long committed) {
            int first = 0;
            while (first < target.size() && (target.get(first)[0] == NO_RECORD || target.get(first)[1] < 0)) {
                first++;
            }
            if (first == target.size()) {
                return OptionalLong.empty(); // nothing of the flow on the target
            }
            long readEnd = -1;
            for (int t = first; t < target.size(); t++) {
                long[] record = target.get(t);
                if (record[0] == NO_RECORD) {
                    continue;
                }
                if (record[1] < 0 || record[1] >= committed) {
                    break;
                }
                readEnd = t + 1;
            }
            if (readEnd < 0) {
                return OptionalLong.of(first);
            }
            while (readEnd < knownEnd() && target.get((int) readEnd)[0] == NO_RECORD) {
                readEnd++;
            }
            return OptionalLong.of(readEnd);
        }

        /** How far the translation knows the target: its last fact, and the marker after the last copies, read back. */
        private long knownEnd() {
            long lastFact = -1;
            long lastCopy = -1;
            for (long[] fact : facts) {
                if (fact[0] != END_OF_TRANSACTION) {
                    lastFact = Math.max(lastFact, fact[1]);
                    if (fact[2] == 0) {
                        lastCopy = Math.max(lastCopy, fact[1]);
                    }
                }
            }
            return lastCopy >= 0 && lastCopy == lastFact ? lastFact + 2 : lastFact + 1;
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("target");
            for (long[] record : target) {
                text.append(' ').append(record[0] == NO_RECORD ? "-" : (record[0] == COPY ? "c" : "f") + record[1]);
            }
            return text.toString();
        }
    }
}
