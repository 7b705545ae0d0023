package com.mskfailover.contract;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The headers that tell a replicated copy from a record an application produced, which replicator-task writes and the
 * orchestrator reads (the failback's quiet gate counts only application records on the secondary):
 * <ul>
 *   <li>{@value #REPLICATED_FROM}: {@code clusterId:partition:offset:timestamp:digest:topic} of the record a
 *       replicator-task copy was made from. It proves a copy only when it describes the very record that carries it
 *       ({@link #describes}): an application that forwards the headers of a record it read (Kafka Streams does by
 *       default) makes a new record that does not match them.</li>
 *   <li>{@value #ORIGIN_CLUSTER}: the cluster a copy of a copy was first produced to.</li>
 *   <li>{@value #MSK_REPLICATOR}: MSK Replicator marks the records it writes with it (MSK Developer Guide).</li>
 * </ul>
 */
public final class CopyHeaders {

    public static final String REPLICATED_FROM = "mskfailover.replicated-from";
    public static final String ORIGIN_CLUSTER = "mskfailover.origin-cluster";
    public static final String MSK_REPLICATOR = "__mskmr";

    private CopyHeaders() {
    }

    /**
     * Whether a {@value #REPLICATED_FROM} value describes this record: it names the record's own topic and partition
     * (copies keep both), the digest of its key and value, and its timestamp unless the topic stamps its own
     * (LogAppendTime).
     */
    public static boolean describes(byte[] replicatedFrom, String topic, int partition, byte[] key, byte[] value,
                                    long timestamp, boolean logAppendTime) {
        if (replicatedFrom == null) {
            return false;
        }
        String[] parts = new String(replicatedFrom, StandardCharsets.UTF_8).split(":", 6);
        if (parts.length != 6 || parts[4].length() != 16) {
            return false;
        }
        try {
            return parts[5].equals(topic) && Integer.parseInt(parts[1]) == partition
                    && HexFormat.fromHexDigitsToLong(parts[4]) == digest(key, value)
                    && (logAppendTime || Long.parseLong(parts[3]) == timestamp);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** 64 bits over key and value: CRC-32C and CRC-32 (both intrinsics, cheap on the copy path) of the same bytes. */
    public static long digest(byte[] key, byte[] value) {
        CRC32C first = new CRC32C();
        CRC32 second = new CRC32();
        update(first, second, key);
        update(first, second, value);
        return (first.getValue() << 32) | second.getValue();
    }

    private static void update(CRC32C first, CRC32 second, byte[] bytes) {
        // The length keeps (key "ab", value "c") apart from (key "a", value "bc"); -1 marks null.
        byte[] length = ByteBuffer.allocate(Integer.BYTES).putInt(bytes == null ? -1 : bytes.length).array();
        first.update(length);
        second.update(length);
        if (bytes != null) {
            first.update(bytes);
            second.update(bytes);
        }
    }
}
