package com.mskfailover.orchestrator.domain;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MetricDatapointTest {

    private static MetricDatapoint at(String minute, double value) {
        return new MetricDatapoint(minute == null ? null : Instant.parse(minute), value);
    }

    @Test
    void theRpoFigureIsTheNewestMinuteThatEndedBeforeTheImpairmentNeverOneDuringIt() {
        Instant impaired = Instant.parse("2026-12-07T10:15:30Z");
        // 10:15 holds samples from the outage (MSK Replicator's latency drops to 0 for a topic it cannot replicate), undated
        // ones are of unknown age: the 10:14 minute (ended 10:15:00) is the last figure from before.
        List<MetricDatapoint> figures = List.of(at("2026-12-07T10:15:00Z", 0), at(null, 0), at("2026-12-07T10:14:00Z", 42_000),
                at("2026-12-07T10:13:00Z", 900));

        assertEquals(Optional.of(at("2026-12-07T10:14:00Z", 42_000)), MetricDatapoint.newestEndingBy(figures, impaired));
        assertEquals(Optional.of(at("2026-12-07T10:15:00Z", 0)), MetricDatapoint.newestEndingBy(figures, Instant.parse("2026-12-07T10:16:00Z")),
                "a minute that ended exactly then counts");
        assertEquals(Optional.empty(), MetricDatapoint.newestEndingBy(List.of(at("2026-12-07T10:15:00Z", 0), at(null, 5)), impaired));
    }
}
