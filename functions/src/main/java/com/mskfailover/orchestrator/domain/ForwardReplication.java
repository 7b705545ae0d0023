package com.mskfailover.orchestrator.domain;

import java.time.Duration;
import java.util.Optional;

/**
 * Port: the forward flow primary -> secondary (MSK Replicator, watched through kafka:DescribeReplicator and
 * CloudWatch; or a forward replicator-task, watched through its consumer group on the primary).
 */
public interface ForwardReplication {

    Status status();

    /** The latest replication latency seen, if the source of that figure can be read (it lives in the secondary Region for MSK Replicator). */
    Optional<Duration> latestLatency();

    /** @param throughputPerSecond recent throughput per second (bytes for MSK Replicator, records for replicator-task), 0 if none */
    record Status(boolean running, double throughputPerSecond, String detail) {
    }
}
