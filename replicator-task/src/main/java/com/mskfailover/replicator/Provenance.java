package com.mskfailover.replicator;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Where a replicated record came from, carried in record headers so that any replicator reading it
 * later (in either direction, after any crash) can tell without shared state.
 *
 * <ul>
 *   <li>{@value #ORIGIN_CLUSTER_HEADER}: id of the cluster the record was first produced to, from its
 *       second hop on (on the first hop the origin is the hop's cluster: every record saves the bytes).
 *       A record whose origin is the target cluster is never written back (no loops).</li>
 *   <li>{@value #REPLICATED_FROM_HEADER}: {@code clusterId:partition:offset:topic} of the record this copy
 *       was made from (the last hop). The newest such header in a target partition tells a restarted
 *       replicator where to resume, and lets offsets of records that came from the target be mapped back
 *       exactly. Topic names cannot contain ':', so the topic goes last.</li>
 * </ul>
 */
public record Provenance(String clusterId, String topic, int partition, long offset) {

    public static final String ORIGIN_CLUSTER_HEADER = "mskfailover.origin-cluster";
    public static final String REPLICATED_FROM_HEADER = "mskfailover.replicated-from";
    /** MSK Replicator marks the records it writes with this header. */
    public static final String MSK_REPLICATOR_HEADER = "__mskmr";

    public String encode() {
        return clusterId + ":" + partition + ":" + offset + ":" + topic;
    }

    public static Optional<Provenance> decode(byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        String[] parts = new String(value, StandardCharsets.UTF_8).split(":", 4);
        if (parts.length != 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Provenance(parts[0], parts[3], Integer.parseInt(parts[1]), Long.parseLong(parts[2])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The last hop this record was copied from, if a replicator-task wrote it. */
    public static Optional<Provenance> replicatedFrom(Headers headers) {
        Header header = headers.lastHeader(REPLICATED_FROM_HEADER);
        return header == null ? Optional.empty() : decode(header.value());
    }

    /** The cluster the record was first produced to, if a replicator-task copied it. */
    public static Optional<String> originCluster(Headers headers) {
        Header header = headers.lastHeader(ORIGIN_CLUSTER_HEADER);
        if (header != null) {
            return Optional.of(new String(header.value(), StandardCharsets.UTF_8));
        }
        return replicatedFrom(headers).map(Provenance::clusterId);
    }

    public static boolean writtenByMskReplicator(Headers headers) {
        return headers.lastHeader(MSK_REPLICATOR_HEADER) != null;
    }

    /**
     * Adds this provenance to the headers of the copy: keeps the origin of a record that already
     * travelled (writing it down before its previous hop is replaced), replaces the previous hop.
     */
    public void stamp(Headers headers) {
        if (headers.lastHeader(ORIGIN_CLUSTER_HEADER) == null) {
            replicatedFrom(headers).ifPresent(previousHop ->
                    headers.add(ORIGIN_CLUSTER_HEADER, previousHop.clusterId().getBytes(StandardCharsets.UTF_8)));
        }
        headers.remove(REPLICATED_FROM_HEADER);
        headers.add(REPLICATED_FROM_HEADER, encode().getBytes(StandardCharsets.UTF_8));
    }
}
