package com.mskfailover.orchestrator.domain;

import com.mskfailover.contract.CopyHeaders;
import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.kafka.KafkaAdminInspector;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MSK Replicator mode's handover after an outage of hours, on real brokers: 1,000,000 records written on the
 * secondary in one partition (at 100 records/s, close to three hours), all but the last five read there, copied back by
 * the reverse flow. The group must resume on the primary exactly at the copy of the first record it did not read, in
 * as many checks as the budget takes, each within it.
 */
class RecordAlignmentOnBrokersTest {

    private static final String TOPIC = "alignment-at-scale";
    private static final int BEFORE = 1_000;
    private static final int DURING = 1_000_000;
    /** Within the brokers' retention (7 days by time): older records would be deleted under the walk. */
    private static final long START = System.currentTimeMillis() - java.time.Duration.ofHours(4).toMillis();

    @Test
    void aMillionRecordOutageIsHandedOverExactly() {
        KafkaClients primary = SharedClusters.primary().clients();
        KafkaClients secondary = SharedClusters.secondary().clients();
        primary.createTopic(TOPIC, 1);
        secondary.createTopic(TOPIC, 1);
        try (KafkaProducer<String, String> toPrimary = bulk(primary); KafkaProducer<String, String> toSecondary = bulk(secondary)) {
            for (int i = 0; i < BEFORE; i++) {
                toPrimary.send(new ProducerRecord<>(TOPIC, 0, START + i, "k" + i, "o" + i));
                toSecondary.send(new ProducerRecord<>(TOPIC, 0, START + i, "k" + i, "o" + i, copyHeader()));
            }
            for (int i = 0; i < DURING; i++) {
                long timestamp = START + BEFORE + i / 10;
                toSecondary.send(new ProducerRecord<>(TOPIC, 0, timestamp, "k" + i, "n" + i));
                toPrimary.send(new ProducerRecord<>(TOPIC, 0, timestamp, "k" + i, "n" + i, copyHeader()));
            }
            toPrimary.flush();
            toSecondary.flush();
        }
        KafkaInspector kafka = new KafkaAdminInspector("none");
        String partition = TOPIC + "-0";
        long end = kafka.offsetRanges(primary.bootstrapServers(), List.of(TOPIC)).get(partition).logEnd();
        long readOnSecondary = BEFORE + DURING - 5;
        RecordAlignment alignment = new RecordAlignment(kafka, RecordAlignment.BUDGET_PER_CHECK, java.time.Clock.systemUTC());

        long from = 900; // the group's commit on the primary before the outage
        RecordAlignment.Resume resume;
        int checks = 0;
        long started = System.nanoTime();
        do {
            resume = alignment.resume(primary.bootstrapServers(), secondary.bootstrapServers(), partition, from, end, readOnSecondary,
                    java.time.Instant.now().plus(RecordAlignment.TIME_PER_CHECK));
            assertTrue(resume.recordsRead() <= RecordAlignment.BUDGET_PER_CHECK + 3L * RecordAlignment.CHUNK, resume.toString());
            assertTrue(resume.position() >= from, resume.toString());
            from = resume.position();
            checks++;
        } while (!resume.complete() && checks < 10);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("handover of %,d records: %d check(s), %.1f s%n", DURING, checks, seconds);

        assertTrue(resume.complete(), resume.toString());
        assertEquals(BEFORE + DURING - 5, resume.position(), "at the copy of the first record not read on the secondary");
    }

    private static RecordHeaders copyHeader() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(CopyHeaders.MSK_REPLICATOR, new byte[] {1});
        return headers;
    }

    private static KafkaProducer<String, String> bulk(KafkaClients cluster) {
        return cluster.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"));
    }
}
