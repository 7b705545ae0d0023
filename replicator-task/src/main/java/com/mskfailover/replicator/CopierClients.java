package com.mskfailover.replicator;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.HashMap;
import java.util.Map;

/** The settings of a lane's clients: its source consumer and its transactional producer to the target. */
final class CopierClients {

    private CopierClients() {
    }

    static Map<String, Object> sourceConsumer(ReplicatorConfig config, int lane) {
        Map<String, Object> consumer = new HashMap<>();
        // Buffers sized so that 4 copiers fit a 512 MiB heap with room to spare: a full heap costs far
        // more throughput (GC) than smaller fetches do.
        consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        consumer.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024);
        consumer.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024);
        // Cross-Region links have a large bandwidth-delay product.
        consumer.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 4 * 1024 * 1024);
        consumer.putAll(config.sourceClientProperties());
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, config.replicatorName() + "-source-" + lane);
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, config.replicatorName());
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Only reached when retention removed the next record: continue with the oldest one left.
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return consumer;
    }

    static Map<String, Object> targetProducer(ReplicatorConfig config, int lane) {
        Map<String, Object> producer = new HashMap<>();
        producer.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        // Below half a G1 region (1 MiB at a 512 MiB heap), so batches are not humongous allocations.
        producer.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        producer.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 32L * 1024 * 1024);
        // Any record the buffer can hold: the source may hold records far above 1 MiB uncompressed
        // (its limit applies to compressed batches), and compression brings the copy back under the target's.
        producer.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 32 * 1024 * 1024);
        producer.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        producer.put(ProducerConfig.SEND_BUFFER_CONFIG, 4 * 1024 * 1024);
        producer.putAll(config.targetClientProperties());
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, config.replicatorName() + "-target-" + lane);
        // Exactly once rests on these: transactions (with the checkpoint inside) on an idempotent producer.
        producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, RecordCopier.transactionalId(config.replicatorName(), lane));
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return producer;
    }

    /** The largest record (key, value and headers) the producer could ever send. */
    static long maxRecordBytes(Map<String, Object> producer) {
        return Math.min(Long.parseLong(producer.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG).toString()),
                Long.parseLong(producer.get(ProducerConfig.BUFFER_MEMORY_CONFIG).toString()));
    }
}
