package com.mskfailover.orchestrator.domain;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordAlignmentTest {

    private static final String PARTITION = "customer-0";
    private static final java.time.Instant FAR = java.time.Instant.now().plusSeconds(3600);

    /**
     * Two clusters' logs of one partition, records named by content: {@code "m1"} an application's record, {@code "m1'"}
     * its copy (MSK Replicator's header). A copy keeps its original's timestamp: the order of first mention in
     * {@link #created}.
     */
    private final Map<String, List<KafkaInspector.RecordFingerprint>> logs = new HashMap<>();
    private final Map<String, Long> createdAt = new HashMap<>();
    private int fetches;

    private void created(String... contents) {
        for (String content : contents) {
            createdAt.putIfAbsent(content, (long) createdAt.size() * 10);
        }
    }

    private void log(String cluster, String... records) {
        List<KafkaInspector.RecordFingerprint> log = new ArrayList<>();
        for (int i = 0; i < records.length; i++) {
            String content = records[i].replace("'", "");
            created(content);
            log.add(new KafkaInspector.RecordFingerprint(i, content.hashCode(), records[i].endsWith("'"), createdAt.get(content)));
        }
        logs.put(cluster, log);
    }

    private KafkaInspector kafka() {
        return (KafkaInspector) Proxy.newProxyInstance(KafkaInspector.class.getClassLoader(), new Class<?>[]{KafkaInspector.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "fingerprints" -> {
                        fetches++;
                        long from = (long) args[2];
                        long to = (long) args[3];
                        int max = (int) args[4];
                        yield logs.get((String) args[0]).stream().filter(r -> r.offset() >= from && r.offset() < to).limit(max).toList();
                    }
                    case "firstOffsetsAtOrAfter" -> {
                        @SuppressWarnings("unchecked") long timestamp = ((Map<String, Long>) args[1]).get(PARTITION);
                        List<KafkaInspector.RecordFingerprint> log = logs.get((String) args[0]);
                        yield Map.of(PARTITION, log.stream().filter(r -> r.timestamp() >= timestamp).mapToLong(KafkaInspector.RecordFingerprint::offset)
                                .findFirst().orElse(log.size()));
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private RecordAlignment.Resume failback(long primaryCommit, long secondaryCommit) {
        return new RecordAlignment(kafka(), Long.MAX_VALUE, java.time.Clock.systemUTC()).resume("primary", "secondary", PARTITION, primaryCommit,
                logs.get("primary").size(), secondaryCommit, FAR);
    }

    @Test
    void aGroupResumesAfterEverythingItReadAndNeverPastARecordItDidNotRead() {
        // Failback: o0..o2 read on the primary before the outage; N0, N1 written on the secondary during it; L0, L1 written
        // on the primary just before it and copied forward only once it recovered (after N0, N1 on the secondary).
        created("o0", "o1", "o2", "L0", "L1", "N0", "N1");
        log("primary", "o0", "o1", "o2", "L0", "L1", "N0'", "N1'");
        log("secondary", "o0'", "o1'", "o2'", "N0", "N1", "L0'", "L1'");

        RecordAlignment.Resume all = failback(3, 7);
        assertEquals(7, all.position());
        assertTrue(all.complete());
        // It read N0 and N1 on the secondary but not L0, L1: it resumes at L0 (and then reads N0, N1 again: re-read, not lost).
        assertEquals(3, failback(3, 5).position());
        // Nothing read on the secondary: its primary commit stands.
        assertEquals(3, failback(3, 3).position());
    }

    @Test
    void aRecordNeverCopiedStopsTheWalkThere() {
        created("o0", "L0", "N0");
        log("primary", "o0", "L0", "N0'");
        log("secondary", "o0'", "N0");

        assertEquals(1, failback(0, 2).position());
    }

    @Test
    void copiesInterleavedWithNewRecordsAreMatchedPerKind() {
        // Live traffic during the failback: producers moved back write Q0, Q1 on the primary among the reverse copies,
        // and the forward flow copies them onto the secondary among N1, N2 there.
        created("o0", "N0", "N1", "Q0", "N2", "Q1");
        log("primary", "o0", "N0'", "Q0", "N1'", "Q1", "N2'");
        log("secondary", "o0'", "N0", "N1", "Q0'", "N2", "Q1'");

        assertEquals(6, failback(1, 6).position());
        // Read up to N2 but not Q1': resumes at Q1 on the primary.
        assertEquals(4, failback(1, 5).position());
        // Read up to N1 (offset 2): Q0 (copy at 3 on the secondary) unread: resumes at Q0.
        assertEquals(2, failback(1, 3).position());
    }

    @Test
    void aPartitionWithNoRecordSinceTheCommitKeepsIt() {
        log("primary", "m1", "m2");
        log("secondary", "m1'", "m2'");

        assertEquals(2, failback(2, 2).position());
    }

    @Test
    void aRecordTheReplicatorCopiedTwiceDoesNotStopTheWalk() {
        // At-least-once: the reverse flow wrote a' twice (a restart), the forward flow b' twice.
        created("x", "a", "c", "b");
        log("primary", "x", "a'", "a'", "c'", "b");
        log("secondary", "x'", "a", "c", "b'", "b'");

        assertEquals(5, failback(1, 5).position());
    }

    @Test
    void identicalRecordsAreMatchedOnePerRead() {
        // Two records of the same key, value and timestamp on the secondary; the group read the first only.
        logs.put("secondary", List.of(fp(0, "x", false, 5), fp(1, "x", false, 5), fp(2, "y", false, 6)));
        logs.put("primary", List.of(fp(0, "x", true, 5), fp(1, "x", true, 5), fp(2, "y", true, 6)));

        assertEquals(3, failback(0, 3).position());
        // A twin of a record it read, with nothing to tell them apart, counts as read (a duplicate); y does not.
        assertEquals(2, failback(0, 1).position());
        assertEquals(2, failback(1, 2).position());
    }

    private static KafkaInspector.RecordFingerprint fp(long offset, String content, boolean copy, long timestamp) {
        return new KafkaInspector.RecordFingerprint(offset, content.hashCode(), copy, timestamp);
    }

    @Test
    void aLongWalkEndsEarlyWithinItsBudgetAndGoesOnFromWhereItGot() {
        int count = 100_000;
        List<KafkaInspector.RecordFingerprint> primary = new ArrayList<>();
        List<KafkaInspector.RecordFingerprint> secondary = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            secondary.add(fp(i, "n" + i, false, i));
            primary.add(fp(i, "n" + i, true, i));
        }
        logs.put("primary", primary);
        logs.put("secondary", secondary);
        RecordAlignment bounded = new RecordAlignment(kafka(), 70_000, java.time.Clock.systemUTC());

        RecordAlignment.Resume first = bounded.resume("primary", "secondary", PARTITION, 0, count, count - 10, FAR);
        assertFalse(first.complete());
        assertTrue(first.position() > 0 && first.position() < count - 10, first.toString());
        assertTrue(first.recordsRead() <= 70_000 + RecordAlignment.CHUNK, first.toString());
        RecordAlignment.Resume next = first;
        for (int check = 0; !next.complete() && check < 10; check++) {
            next = bounded.resume("primary", "secondary", PARTITION, next.position(), count, count - 10, FAR);
        }
        assertEquals(new RecordAlignment.Resume(count - 10, true, next.recordsRead()), next);

        // Past its deadline (the check's share of the Lambda timeout) it reads nothing and gives the position back as it was.
        RecordAlignment.Resume late = bounded.resume("primary", "secondary", PARTITION, 5, count, count - 10, java.time.Instant.now().minusSeconds(1));
        assertEquals(new RecordAlignment.Resume(5, false, 0), late);
    }

    @Test
    void aPlannedFailoverResumesBeforeTheFirstRecordWrittenOnTheSecondaryAfterTheProducersMoved() {
        // The producers moved: N0 written on the secondary before the late record c (written on the primary) was copied.
        created("a", "b", "c", "N0");
        log("primary", "a", "b", "c");
        log("secondary", "a'", "b'", "N0", "c'");
        RecordAlignment alignment = new RecordAlignment(kafka(), Long.MAX_VALUE, java.time.Clock.systemUTC());

        assertEquals(4, alignment.afterCounterpartOfLastRead("primary", "secondary", PARTITION, 0, 3, 4, FAR).orElseThrow());
        assertEquals(2, alignment.resume("secondary", "primary", PARTITION, 0, 4, 3, FAR).position());
        // Without the late record, after c'.
        log("secondary", "a'", "b'", "c'", "N0");
        assertEquals(3, alignment.resume("secondary", "primary", PARTITION, 0, 4, 3, FAR).position());
        // Three records behind on the primary: resumes at a'.
        assertEquals(0, alignment.resume("secondary", "primary", PARTITION, 0, 4, 0, FAR).position());
        assertTrue(alignment.afterCounterpartOfLastRead("primary", "secondary", PARTITION, 0, 0, 4, FAR).isEmpty());
    }
}
