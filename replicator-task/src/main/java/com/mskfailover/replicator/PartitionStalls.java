package com.mskfailover.replicator;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Partitions stopped at a record that cannot be copied (the target refused it, it exceeds the
 * replicator's request size, the source denies reading it). A stalled partition never advances past
 * that record: its checkpoint and its source commit stay before it, so its lag stays above zero. It is
 * retried with a growing back-off (an operator may fix the cause: raise a topic limit, grant an ACL),
 * and it is reported once when it stops and once when it resumes. Other partitions keep flowing.
 */
final class PartitionStalls {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionStalls.class);
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LONGEST_RETRY = Duration.ofSeconds(60);

    /** {@code waitingSince}: the stalled record's timestamp (or the stall's start), for the latency metric. */
    record Stall(long offset, String reason, long waitingSince, long sinceNanos, long retryAtNanos, Duration backoff) {}

    private final Map<TopicPartition, Stall> stalls = new ConcurrentHashMap<>();

    /** Stops {@code partition} at {@code offset}; a repeated failure at the same offset backs off further, silently. */
    void stall(TopicPartition partition, long offset, long waitingSince, String reason) {
        long now = System.nanoTime();
        stalls.compute(partition, (ignored, previous) -> {
            if (previous != null && previous.offset == offset) {
                Duration backoff = min(previous.backoff.multipliedBy(2), LONGEST_RETRY);
                if (!previous.reason.equals(reason)) {
                    LOG.error("partition {} still stalled at offset {}, now because: {}", partition, offset, reason);
                }
                return new Stall(offset, reason, previous.waitingSince, previous.sinceNanos, now + backoff.toNanos(), backoff);
            }
            LOG.error("partition {} STALLED at offset {}: {}. Nothing after it is copied until it is; its lag stays above 0;"
                    + " retried every {} at most", partition, offset, reason, LONGEST_RETRY);
            return new Stall(offset, reason, waitingSince, now, now + FIRST_RETRY.toNanos(), FIRST_RETRY);
        });
    }

    /** True while the record at {@code offset} of {@code partition} must not be sent (stalled, retry not due). */
    boolean blocks(TopicPartition partition, long offset) {
        Stall stall = stalls.get(partition);
        return stall != null && offset >= stall.offset && System.nanoTime() < stall.retryAtNanos;
    }

    /** Stalled partitions whose next try is due. */
    Set<TopicPartition> due() {
        long now = System.nanoTime();
        return stalls.entrySet().stream().filter(entry -> now >= entry.getValue().retryAtNanos)
                .map(Map.Entry::getKey).collect(java.util.stream.Collectors.toSet());
    }

    /** Called once the checkpoint of {@code partition} reached {@code position}: a stall before it is over. */
    void passed(TopicPartition partition, long position) {
        Stall stall = stalls.get(partition);
        if (stall != null && position > stall.offset && stalls.remove(partition, stall)) {
            LOG.info("partition {} resumed: offset {} copied after {} s stalled", partition, stall.offset,
                    Duration.ofNanos(System.nanoTime() - stall.sinceNanos).toSeconds());
        }
    }

    void forget(TopicPartition partition) {
        stalls.remove(partition);
    }

    Stall get(TopicPartition partition) {
        return stalls.get(partition);
    }

    int count() {
        return stalls.size();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
