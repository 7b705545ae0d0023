package com.mskfailover.replicator;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicationMetricsTest {

    @Test
    void emitsOneEmbeddedMetricFormatLineWithTheFourMetrics() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Clock clock = Clock.fixed(Instant.ofEpochMilli(10_000), ZoneOffset.UTC);
        ReplicationMetrics metrics = new ReplicationMetrics("failback", new PrintStream(out, true, StandardCharsets.UTF_8), clock);
        metrics.copied(2, 4_000, 4_000);
        String line = metrics.emit(42, 0, OptionalLong.empty(), 3);

        assertEquals(line + System.lineSeparator(), out.toString(StandardCharsets.UTF_8));
        assertTrue(line.contains("\"Namespace\":\"MskFailover/Replicator\""), line);
        assertTrue(line.contains("\"Dimensions\":[[\"ReplicatorName\"]]"), line);
        assertTrue(line.contains("\"ReplicatorName\":\"failback\""), line);
        assertTrue(line.contains("\"MessageLag\":42"), line);
        assertTrue(line.contains("\"ReplicationLatency\":2000"), line);
        // The clock did not move: the interval counts as one millisecond's worth of a second, i.e. 1 ms.
        assertTrue(line.contains("\"ReplicatorThroughput\":2000,"), line);
        assertTrue(line.contains("\"ReplicatorBytesInPerSec\":4000000"), line);
        assertTrue(line.contains("\"StalledPartitions\":0"), line);
        assertTrue(line.contains("\"SelectedTopics\":3}"), line);
        assertEquals(2, metrics.recordsCopied(), "totals survive the per-line reset");
    }

    @Test
    void aFlowThatCopiesNothingWhileRecordsWaitReportsTheAgeOfTheOldestAsLatency() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Clock clock = Clock.fixed(Instant.ofEpochMilli(100_000), ZoneOffset.UTC);
        ReplicationMetrics metrics = new ReplicationMetrics("stalled", new PrintStream(out, true, StandardCharsets.UTF_8), clock);
        String line = metrics.emit(1_010, 1, OptionalLong.of(40_000), 1);
        assertTrue(line.contains("\"ReplicationLatency\":60000"), "the oldest waiting record is 60 s old: " + line);
        assertTrue(line.contains("\"StalledPartitions\":1"), line);
        assertTrue(line.contains("\"ReplicatorThroughput\":0,"), line);
    }
}
