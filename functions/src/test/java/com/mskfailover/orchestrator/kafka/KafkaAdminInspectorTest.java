package com.mskfailover.orchestrator.kafka;

import com.mskfailover.contract.CopyHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the failback's quiet gate tells a replicator's copy from a record an application produced on the secondary. */
class KafkaAdminInspectorTest {

    private static final long TIMESTAMP = 1_765_000_000_000L;

    private static ConsumerRecord<byte[], byte[]> record(String topic, int partition, String key, String value, RecordHeaders headers) {
        return new ConsumerRecord<>(topic, partition, 42, TIMESTAMP, TimestampType.CREATE_TIME, -1, -1,
                key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), headers, Optional.empty());
    }

    /** The header replicator-task stamps on its copy of (key, value) read at offset 7 of the same topic and partition. */
    private static byte[] replicatedFrom(String topic, int partition, String key, String value) {
        long digest = CopyHeaders.digest(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        return ("primary-cluster-id:" + partition + ":7:" + TIMESTAMP + ":" + HexFormat.of().toHexDigits(digest) + ":" + topic)
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCopyIsARecordWhoseProvenanceHeaderDescribesItOrThatMskReplicatorWrote() {
        RecordHeaders copy = new RecordHeaders();
        copy.add(CopyHeaders.REPLICATED_FROM, replicatedFrom("customer", 0, "k", "v"));
        assertTrue(KafkaAdminInspector.isCopy(record("customer", 0, "k", "v", copy)));

        RecordHeaders mskReplicator = new RecordHeaders();
        mskReplicator.add(CopyHeaders.MSK_REPLICATOR, new byte[] {1});
        assertTrue(KafkaAdminInspector.isCopy(record("customer", 0, "k", "v", mskReplicator)));

        assertFalse(KafkaAdminInspector.isCopy(record("customer", 0, "k", "v", new RecordHeaders())), "no header: an application's record");
    }

    @Test
    void aRecordCarryingHeadersForwardedFromACopyIsAnApplicationsRecord() {
        // Kafka Streams forwards the headers of the record it processed onto the one it produces: a new value, a
        // header that describes the copy it read, not this record. The gate must count it as an application's write.
        RecordHeaders forwarded = new RecordHeaders();
        forwarded.add(CopyHeaders.REPLICATED_FROM, replicatedFrom("customer", 0, "k", "v"));
        assertFalse(KafkaAdminInspector.isCopy(record("customer", 0, "k", "v-enriched", forwarded)), "another value");
        assertFalse(KafkaAdminInspector.isCopy(record("customer-enriched", 0, "k", "v", forwarded)), "another topic");
        assertFalse(KafkaAdminInspector.isCopy(record("customer", 1, "k", "v", forwarded)), "another partition");
    }
}
