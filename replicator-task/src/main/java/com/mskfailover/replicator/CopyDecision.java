package com.mskfailover.replicator;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the copier does with one source record, decided on the record alone: copy it, skip it as a loop,
 * or stall its partition at it because the producer could never send it.
 */
sealed interface CopyDecision {

    /** Copy it; {@code hop}: the copy it is of, if it is one (its origin goes on with it). */
    record Copy(Optional<Provenance> hop, long keyAndValueBytes) implements CopyDecision {}

    /**
     * A verified copy whose origin is the target, or (by default) a record MSK Replicator wrote. {@code originalOnTarget}:
     * the place of the record it is a copy of, when its last hop was the target.
     */
    record Skip(OptionalLong originalOnTarget) implements CopyDecision {}

    record TooLarge(long bytes, long limit) implements CopyDecision {
        String reason() {
            return "record of " + bytes + " bytes exceeds the replicator's producer limit of " + limit + " bytes: raise"
                    + " TARGET_KAFKA_MAX_REQUEST_SIZE and TARGET_KAFKA_BUFFER_MEMORY above it (and the target"
                    + " topic's max.message.bytes if needed)";
        }
    }

    /** The rules of one flow: {@code maxRecordBytes} is the most the producer can send (request size and buffer). */
    record Rules(String targetClusterId, boolean skipMskReplicatorRecords, long maxRecordBytes) {

        CopyDecision decide(ConsumerRecord<byte[], byte[]> record) {
            Optional<Provenance> hop = Provenance.verifiedHop(record);
            if (isLoop(record, hop)) {
                return new Skip(hop.filter(from -> from.clusterId().equals(targetClusterId))
                        .map(from -> OptionalLong.of(from.offset())).orElse(OptionalLong.empty()));
            }
            long size = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
            long headerBytes = 0;
            for (Header header : record.headers()) {
                headerBytes += header.key().length() + (header.value() == null ? 0 : header.value().length);
            }
            if (size + headerBytes > maxRecordBytes) {
                return new TooLarge(size + headerBytes, maxRecordBytes);
            }
            return new Copy(hop, size);
        }

        private boolean isLoop(ConsumerRecord<byte[], byte[]> record, Optional<Provenance> hop) {
            if (skipMskReplicatorRecords && Provenance.writtenByMskReplicator(record.headers())) {
                return true;
            }
            if (hop.isEmpty()) {
                return false;
            }
            Header origin = record.headers().lastHeader(Provenance.ORIGIN_CLUSTER_HEADER);
            String originCluster = origin == null ? hop.get().clusterId() : new String(origin.value(), StandardCharsets.UTF_8);
            return originCluster.equals(targetClusterId);
        }
    }
}
