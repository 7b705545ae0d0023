package com.mskfailover.orchestrator.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Port: the forward flow primary -> secondary (MSK Replicator, watched through kafka:DescribeReplicator and
 * CloudWatch; or a forward replicator-task, watched through its consumer group on the primary).
 */
public interface ForwardReplication {

    Status status();

    /**
     * The flow's ReplicationLatency (milliseconds, the Maximum of each minute) over {@code lookback} before {@code until},
     * as CloudWatch gives it (newest first, periods that ended by {@code until} and some that did not); empty list when
     * it has none there. Empty for a flow that publishes none (a forward replicator-task read through its group).
     */
    java.util.List<MetricDatapoint> latencyBefore(Instant until, Duration lookback);

    /**
     * Records produced on the primary that the flow has not copied yet, from a figure taken no earlier than
     * {@code since}: exact for replicator-task (its group on the primary), MSK Replicator's MessageLag otherwise (a
     * datapoint whose minute starts at or after {@code since}). Empty while no such figure exists.
     */
    OptionalLong messageLag(Instant since);

    /**
     * The name with which the flow marks the group offsets it syncs onto the secondary (replicator-task's commit
     * metadata, {@code CommitMetadata.synced}), so that a check can tell a group's last commit arrived; empty when the
     * flow does not mark them (MSK Replicator).
     */
    Optional<String> offsetSyncMarker();

    /** @param throughputPerSecond recent throughput per second (bytes for MSK Replicator, records for replicator-task), 0 if none */
    record Status(boolean running, double throughputPerSecond, String detail) {
    }
}
