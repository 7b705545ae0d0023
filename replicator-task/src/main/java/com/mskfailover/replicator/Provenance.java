package com.mskfailover.replicator;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import com.mskfailover.contract.CopyHeaders;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.TimestampType;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Where a replicated record came from, carried in record headers so that any replicator reading it
 * later (in either direction, after any crash) can tell without shared state.
 *
 * <ul>
 *   <li>{@value #REPLICATED_FROM_HEADER}: {@code clusterId:partition:offset:timestamp:digest:topic} of the
 *       record this copy was made from (the last hop). Timestamp and digest (of key and value) describe
 *       this very record: an application that forwards headers onto a new record (Kafka Streams does by
 *       default; so do retry topics) makes a record that does not match them, and that record is
 *       replicated like any other.</li>
 *   <li>{@value #ORIGIN_CLUSTER_HEADER}: id of the cluster the record was first produced to, from its
 *       second hop on (on the first hop the origin is the hop's cluster). A verified copy whose origin is
 *       the target cluster is never written back (no loops).</li>
 * </ul>
 * Topic names cannot contain ':', so the topic goes last.
 */
public record Provenance(String clusterId, String topic, int partition, long offset, long timestamp, long digest) {

    public static final String ORIGIN_CLUSTER_HEADER = CopyHeaders.ORIGIN_CLUSTER;
    public static final String REPLICATED_FROM_HEADER = CopyHeaders.REPLICATED_FROM;
    /** MSK Replicator marks the records it writes with this header. */
    public static final String MSK_REPLICATOR_HEADER = CopyHeaders.MSK_REPLICATOR;

    private static final HexFormat HEX = HexFormat.of();

    /** The provenance of a copy of {@code record}, read from {@code clusterId}. */
    public static Provenance of(String clusterId, ConsumerRecord<byte[], byte[]> record) {
        return new Provenance(clusterId, record.topic(), record.partition(), record.offset(), record.timestamp(), digest(record));
    }

    public String encode() {
        return clusterId + ":" + partition + ":" + offset + ":" + timestamp + ":" + HEX.toHexDigits(digest) + ":" + topic;
    }

    public static Optional<Provenance> decode(byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        String[] parts = new String(value, StandardCharsets.UTF_8).split(":", 6);
        if (parts.length != 6 || parts[4].length() != 16) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Provenance(parts[0], parts[5], Integer.parseInt(parts[1]), Long.parseLong(parts[2]),
                    Long.parseLong(parts[3]), HEX.fromHexDigitsToLong(parts[4])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The last hop this record was copied from, if a replicator-task copied this very record: the header
     * names the record's own topic and partition (copies keep both), its key and value match the digest,
     * and its timestamp matches unless the target topic stamped its own (LogAppendTime).
     * Empty for records produced by clients, including those that carry headers forwarded from a copy.
     */
    public static Optional<Provenance> verifiedHop(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(REPLICATED_FROM_HEADER);
        if (header == null || !CopyHeaders.describes(header.value(), record.topic(), record.partition(), record.key(), record.value(),
                record.timestamp(), record.timestampType() == TimestampType.LOG_APPEND_TIME)) {
            return Optional.empty();
        }
        return decode(header.value());
    }

    /** The cluster a verified copy was first produced to; empty for a record produced on this cluster. */
    public static Optional<String> originCluster(ConsumerRecord<byte[], byte[]> record) {
        return verifiedHop(record).map(hop -> {
            Header origin = record.headers().lastHeader(ORIGIN_CLUSTER_HEADER);
            return origin == null ? hop.clusterId : new String(origin.value(), StandardCharsets.UTF_8);
        });
    }

    public static boolean writtenByMskReplicator(Headers headers) {
        return headers.lastHeader(MSK_REPLICATOR_HEADER) != null;
    }

    /**
     * Adds this provenance to the headers of the copy. A verified copy keeps its origin (writing it down
     * before its previous hop is replaced); any other record loses provenance headers it carries (they
     * were forwarded from another record and do not describe this one).
     */
    public void stamp(Headers headers, Optional<Provenance> verifiedPreviousHop) {
        if (verifiedPreviousHop.isPresent()) {
            if (headers.lastHeader(ORIGIN_CLUSTER_HEADER) == null) {
                headers.add(ORIGIN_CLUSTER_HEADER, verifiedPreviousHop.get().clusterId.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            headers.remove(ORIGIN_CLUSTER_HEADER);
        }
        headers.remove(REPLICATED_FROM_HEADER);
        headers.add(REPLICATED_FROM_HEADER, encode().getBytes(StandardCharsets.UTF_8));
    }

    static long digest(ConsumerRecord<byte[], byte[]> record) {
        return CopyHeaders.digest(record.key(), record.value());
    }
}
