package com.mskfailover.replicator;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProvenanceTest {

    @Test
    void encodesAndDecodesTopicsWithDotsDashesAndUnderscores() {
        Provenance provenance = new Provenance("Xy-1_abcDEF", "orders.eu_west-1", 7, 123_456_789_012L, 1_700_000_000_000L, -42L);
        assertEquals(Optional.of(provenance), Provenance.decode(provenance.encode().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void rejectsWhatItDidNotWrite() {
        assertEquals(Optional.empty(), Provenance.decode("garbage".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), Provenance.decode("c:x:1:t".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), Provenance.decode("c:1:2:3:0123:t".getBytes(StandardCharsets.UTF_8)), "short digest");
        assertEquals(Optional.empty(), Provenance.decode(null));
    }

    @Test
    void aCopyIsRecognisedAsACopyOfItself() {
        ConsumerRecord<byte[], byte[]> original = record("customer", 2, 7, 1_000L, "k", "v", new RecordHeaders());
        ConsumerRecord<byte[], byte[]> copy = copyOf("primary", original, 55);
        assertEquals(Optional.of("primary"), Provenance.originCluster(copy));
        assertEquals(7, Provenance.verifiedHop(copy).orElseThrow().offset());
        assertEquals(Optional.empty(), Provenance.originCluster(original), "a record produced by a client");
    }

    @Test
    void aNewRecordCarryingHeadersForwardedFromACopyIsNotACopy() {
        ConsumerRecord<byte[], byte[]> copy = copyOf("primary", record("customer", 0, 3, 1_000L, "k", "v", new RecordHeaders()), 10);
        // Kafka Streams forwards the input's headers to its output; a retry topic re-publishes them.
        ConsumerRecord<byte[], byte[]> otherValue = record("customer", 0, 11, 1_000L, "k", "v2", copy.headers());
        ConsumerRecord<byte[], byte[]> otherTimestamp = record("customer", 0, 12, 2_000L, "k", "v", copy.headers());
        ConsumerRecord<byte[], byte[]> otherTopic = record("customer-enriched", 0, 0, 1_000L, "k", "v", copy.headers());
        ConsumerRecord<byte[], byte[]> otherPartition = record("customer", 1, 0, 1_000L, "k", "v", copy.headers());
        for (ConsumerRecord<byte[], byte[]> record : new ConsumerRecord[] {otherValue, otherTimestamp, otherTopic, otherPartition}) {
            assertEquals(Optional.empty(), Provenance.verifiedHop(record), record.toString());
            assertEquals(Optional.empty(), Provenance.originCluster(record), record.toString());
        }
    }

    @Test
    void stampingANewRecordDropsForwardedProvenance() {
        ConsumerRecord<byte[], byte[]> twice = copyOf("secondary", copyOf("primary", record("t", 0, 5, 1L, "k", "v", new RecordHeaders()), 9), 4);
        assertEquals("primary", new String(twice.headers().lastHeader(Provenance.ORIGIN_CLUSTER_HEADER).value(), StandardCharsets.UTF_8));
        ConsumerRecord<byte[], byte[]> forwarded = record("t", 0, 20, 2L, "k", "other", twice.headers());
        Headers stamped = new RecordHeaders(forwarded.headers().toArray());
        Provenance.of("secondary", forwarded).stamp(stamped, Provenance.verifiedHop(forwarded));
        assertNull(stamped.lastHeader(Provenance.ORIGIN_CLUSTER_HEADER), "the forwarded origin does not describe this record");
        assertEquals(1, count(stamped), "one hop header, not a growing list");
    }

    @Test
    void stampingKeepsTheOriginAndReplacesThePreviousHop() {
        ConsumerRecord<byte[], byte[]> twice = copyOf("second", copyOf("first", record("t", 0, 5, 1L, "k", "v", new RecordHeaders()), 9), 4);
        assertEquals(Optional.of("first"), Provenance.originCluster(twice));
        assertEquals("second", Provenance.verifiedHop(twice).orElseThrow().clusterId());
        assertEquals(1, count(twice.headers()), "one hop header, not a growing list");
    }

    @Test
    void aTargetThatStampsItsOwnTimestampsStillRecognisesCopies() {
        ConsumerRecord<byte[], byte[]> original = record("t", 0, 5, 1_000L, "k", "v", new RecordHeaders());
        Headers headers = new RecordHeaders(original.headers().toArray());
        Provenance.of("primary", original).stamp(headers, Optional.empty());
        ConsumerRecord<byte[], byte[]> restamped = new ConsumerRecord<>("t", 0, 9, 99_999L, TimestampType.LOG_APPEND_TIME,
                1, 1, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
        assertEquals(Optional.of("primary"), Provenance.originCluster(restamped));
    }

    @Test
    void recognisesMskReplicatorRecords() {
        RecordHeaders headers = new RecordHeaders();
        assertFalse(Provenance.writtenByMskReplicator(headers));
        headers.add(Provenance.MSK_REPLICATOR_HEADER, "anything".getBytes(StandardCharsets.UTF_8));
        assertTrue(Provenance.writtenByMskReplicator(headers));
    }

    static ConsumerRecord<byte[], byte[]> record(String topic, int partition, long offset, long timestamp,
                                                         String key, String value, Headers headers) {
        return new ConsumerRecord<>(topic, partition, offset, timestamp, TimestampType.CREATE_TIME, key.length(), value.length(),
                key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
                new RecordHeaders(headers.toArray()), Optional.empty());
    }

    /** What a replicator reading {@code record} from {@code cluster} writes, as read back at {@code offset}. */
    static ConsumerRecord<byte[], byte[]> copyOf(String cluster, ConsumerRecord<byte[], byte[]> record, long offset) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        Provenance.of(cluster, record).stamp(headers, Provenance.verifiedHop(record));
        return new ConsumerRecord<>(record.topic(), record.partition(), offset, record.timestamp(), TimestampType.CREATE_TIME,
                record.serializedKeySize(), record.serializedValueSize(), record.key(), record.value(), headers, Optional.empty());
    }

    private static int count(Headers headers) {
        int count = 0;
        for (var ignored : headers.headers(Provenance.REPLICATED_FROM_HEADER)) {
            count++;
        }
        return count;
    }
}
