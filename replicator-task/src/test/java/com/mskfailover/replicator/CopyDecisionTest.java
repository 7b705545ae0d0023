package com.mskfailover.replicator;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

import static com.mskfailover.replicator.ProvenanceTest.copyOf;
import static com.mskfailover.replicator.ProvenanceTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The copier's per-record decision on plain records, without brokers (RecordCopierTest covers the wiring). */
class CopyDecisionTest {

    /** This flow copies from "source" to "target". */
    private static final CopyDecision.Rules RULES = new CopyDecision.Rules("target", true, 1_000);

    private static ConsumerRecord<byte[], byte[]> produced(String value) {
        return record("orders", 0, 40, 1_000L, "key", value, new RecordHeaders());
    }

    @Test
    void copiesARecordProducedByAClient() {
        assertEquals(new CopyDecision.Copy(Optional.empty(), 8), RULES.decide(produced("value")));
    }

    @Test
    void skipsACopyOfTheTargetsRecordWithItsPlaceThere() {
        // Written on the target at 7, copied to the source (at 40) by the reverse flow.
        ConsumerRecord<byte[], byte[]> loop = copyOf("target", record("orders", 0, 7, 1_000L, "k", "v", new RecordHeaders()), 40);
        assertEquals(new CopyDecision.Skip(OptionalLong.of(7)), RULES.decide(loop));
    }

    @Test
    void skipsACopyWhoseOriginIsTheTargetEvenOverAnotherHopWithoutAPlace() {
        ConsumerRecord<byte[], byte[]> viaThird = copyOf("third",
                copyOf("target", record("orders", 0, 7, 1_000L, "k", "v", new RecordHeaders()), 12), 40);
        assertEquals(new CopyDecision.Skip(OptionalLong.empty()), RULES.decide(viaThird));
    }

    @Test
    void copiesACopyFromElsewhereKeepingItsHop() {
        ConsumerRecord<byte[], byte[]> fromThird = copyOf("third", record("orders", 0, 7, 1_000L, "k", "v", new RecordHeaders()), 40);
        CopyDecision.Copy copy = (CopyDecision.Copy) RULES.decide(fromThird);
        assertEquals("third", copy.hop().orElseThrow().clusterId());
    }

    @Test
    void copiesARecordCarryingForwardedProvenanceAsAClientsRecord() {
        ConsumerRecord<byte[], byte[]> loop = copyOf("target", record("orders", 0, 7, 1_000L, "k", "v", new RecordHeaders()), 40);
        ConsumerRecord<byte[], byte[]> forwarded = record("orders", 0, 41, 1_000L, "k", "enriched", loop.headers());
        assertEquals(new CopyDecision.Copy(Optional.empty(), 9), RULES.decide(forwarded));
    }

    @Test
    void skipsMskReplicatorRecordsUnlessTold() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Provenance.MSK_REPLICATOR_HEADER, "x".getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<byte[], byte[]> written = record("orders", 0, 40, 1_000L, "k", "v", headers);
        assertEquals(new CopyDecision.Skip(OptionalLong.empty()), RULES.decide(written));
        assertEquals(new CopyDecision.Copy(Optional.empty(), 2), new CopyDecision.Rules("target", false, 1_000).decide(written));
    }

    @Test
    void stallsAtARecordWhoseKeyValueAndHeadersExceedTheProducersLimit() {
        assertEquals(new CopyDecision.Copy(Optional.empty(), 1_000), RULES.decide(produced("v".repeat(997))));
        RecordHeaders headers = new RecordHeaders();
        headers.add("h", new byte[10]);
        CopyDecision decision = RULES.decide(record("orders", 0, 40, 1_000L, "key", "v".repeat(990), headers));
        assertEquals(new CopyDecision.TooLarge(1_004, 1_000), decision);
        assertTrue(((CopyDecision.TooLarge) decision).reason().contains("TARGET_KAFKA_MAX_REQUEST_SIZE"));
    }
}
