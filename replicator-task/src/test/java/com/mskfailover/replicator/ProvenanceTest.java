package com.mskfailover.replicator;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProvenanceTest {

    @Test
    void encodesAndDecodesTopicsWithDotsDashesAndUnderscores() {
        Provenance provenance = new Provenance("Xy-1_abcDEF", "orders.eu_west-1", 7, 123_456_789_012L);
        assertEquals(Optional.of(provenance), Provenance.decode(provenance.encode().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void rejectsWhatItDidNotWrite() {
        assertEquals(Optional.empty(), Provenance.decode("garbage".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), Provenance.decode("c:x:1:t".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), Provenance.decode(null));
    }

    @Test
    void stampingKeepsTheOriginAndReplacesThePreviousHop() {
        RecordHeaders headers = new RecordHeaders();
        new Provenance("first", "t", 0, 5).stamp(headers);
        new Provenance("second", "t", 0, 9).stamp(headers);
        assertEquals(Optional.of("first"), Provenance.originCluster(headers));
        assertEquals(Optional.of(new Provenance("second", "t", 0, 9)), Provenance.replicatedFrom(headers));
        assertEquals(1, count(headers), "one hop header, not a growing list");
    }

    @Test
    void aFirstHopCarriesOnlyTheHopWhoseClusterIsTheOrigin() {
        RecordHeaders headers = new RecordHeaders();
        new Provenance("primary", "customer", 2, 7).stamp(headers);
        assertEquals(null, headers.lastHeader(Provenance.ORIGIN_CLUSTER_HEADER));
        assertEquals(Optional.of("primary"), Provenance.originCluster(headers));
        assertEquals(Optional.empty(), Provenance.originCluster(new RecordHeaders()), "a record produced by a client");
    }

    @Test
    void recognisesMskReplicatorRecords() {
        RecordHeaders headers = new RecordHeaders();
        assertFalse(Provenance.writtenByMskReplicator(headers));
        headers.add(Provenance.MSK_REPLICATOR_HEADER, "anything".getBytes(StandardCharsets.UTF_8));
        assertTrue(Provenance.writtenByMskReplicator(headers));
    }

    private static int count(RecordHeaders headers) {
        int count = 0;
        for (var ignored : headers.headers(Provenance.REPLICATED_FROM_HEADER)) {
            count++;
        }
        return count;
    }
}
