package com.mskfailover.orchestrator.domain;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/** Port: what the orchestrator asks Kafka clusters (an Admin client; IAM auth in AWS, plaintext locally). */
public interface KafkaInspector {

    /** Answers whether the cluster serves metadata within the timeout; the detail says what failed. */
    ProbeResult probe(String bootstrapServers, Duration timeout);

    /** The topics of the list that the cluster does not have. */
    Set<String> missingTopics(String bootstrapServers, Collection<String> topics);

    /**
     * Lag of a consumer group over the topics: per partition, log end offset minus the group's committed offset,
     * or the whole partition (end minus log start) where the group committed nothing. This is the replication
     * lag contract of replicator-task, whose source position is the group named by its REPLICATOR_NAME.
     */
    GroupLag groupLag(String bootstrapServers, String groupId, Collection<String> topics);

    /**
     * The live members of a consumer group ({@code clientId@host} each); empty when no consumer of the group is
     * connected (or the group does not exist).
     */
    java.util.List<String> activeMembers(String bootstrapServers, String groupId);

    /**
     * What an operator must do before a group's consumers may move off a cluster: stop the ones still reading it
     * (they would go on committing there after the move); empty when none is.
     */
    default java.util.Optional<String> consumersToStop(String bootstrapServers, String groupId, String cluster) {
        return toStop(groupId, activeMembers(bootstrapServers, groupId), cluster);
    }

    /** {@link #consumersToStop} of every group, asked together ({@link #activeMembers(String, Collection)}). */
    default Map<String, java.util.Optional<String>> consumersToStop(String bootstrapServers, Collection<String> groupIds, String cluster) {
        Map<String, java.util.Optional<String>> byGroup = new java.util.LinkedHashMap<>();
        activeMembers(bootstrapServers, groupIds).forEach((group, members) -> byGroup.put(group, toStop(group, members, cluster)));
        return byGroup;
    }

    private static java.util.Optional<String> toStop(String groupId, java.util.List<String> members, String cluster) {
        return members.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of("group " + groupId + " still has "
                + members.size() + " active member(s) on the " + cluster + " " + members + ": stop its consumers there");
    }

    /**
     * {@link #activeMembers(String, String)} of every group, by group in the given order: one request for all of them
     * where the adapter can (a drain over a hundred groups must not make a hundred round trips).
     */
    default Map<String, java.util.List<String>> activeMembers(String bootstrapServers, Collection<String> groupIds) {
        Map<String, java.util.List<String>> byGroup = new java.util.LinkedHashMap<>();
        groupIds.forEach(group -> byGroup.put(group, activeMembers(bootstrapServers, group)));
        return byGroup;
    }

    /** {@link #committedOffsets(String, String, Collection)} of every group, by group in the given order: one request where the adapter can. */
    default Map<String, Map<String, CommittedOffset>> committedOffsets(String bootstrapServers, Collection<String> groupIds, Collection<String> topics) {
        Map<String, Map<String, CommittedOffset>> byGroup = new java.util.LinkedHashMap<>();
        groupIds.forEach(group -> byGroup.put(group, committedOffsets(bootstrapServers, group, topics)));
        return byGroup;
    }

    /**
     * A group's committed offsets over the topics, by partition ({@code topic-partition}, e.g. {@code customer-0});
     * partitions without a commit are absent.
     */
    Map<String, CommittedOffset> committedOffsets(String bootstrapServers, String groupId, Collection<String> topics);

    /** The names of the cluster's topics, Kafka's internal ones ({@code __consumer_offsets}, {@code __transaction_state}) left out. */
    default Set<String> topicNames(String bootstrapServers) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " lists no topics");
    }

    /**
     * Every consumer group's committed offsets over the topics: by group, then by partition ({@code topic-partition});
     * a group without a commit on them is absent.
     */
    default Map<String, Map<String, CommittedOffset>> groupsCommittedOn(String bootstrapServers, Collection<String> topics) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " lists no groups");
    }

    /** Log start and log end offset of every partition of the topics, by partition ({@code topic-partition}). */
    Map<String, OffsetRange> offsetRanges(String bootstrapServers, Collection<String> topics);

    /**
     * The records a {@code read_committed} consumer sees in {@code [from, to)} of one partition ({@code topic-partition}),
     * as fingerprints, in offset order; at most {@code max} of them (the first ones when there are more).
     */
    java.util.List<RecordFingerprint> fingerprints(String bootstrapServers, String partition, long from, long to, int max);

    /**
     * {@link #fingerprints(String, String, long, long, int)} of several partitions in one read: per partition
     * ({@code topic-partition}), the records of {@code [logStart, logEnd)} of its range, at most {@code max} (the first ones).
     */
    Map<String, java.util.List<RecordFingerprint>> fingerprints(String bootstrapServers, Map<String, OffsetRange> ranges, int max);

    /**
     * Per partition ({@code topic-partition}), the first offset whose record's timestamp is at or after the given one
     * (ms), by the broker's time index; the log end offset when there is none.
     */
    Map<String, Long> firstOffsetsAtOrAfter(String bootstrapServers, Map<String, Long> timestamps);

    /**
     * Reads {@code [from, to)} of one partition ({@code topic-partition}), at most {@code max} records, and tells the
     * records applications produced from replicators' copies ({@link com.mskfailover.contract.CopyHeaders}).
     */
    WriteScan applicationRecords(String bootstrapServers, String partition, long from, long to, int max);

    /** The producers the partitions' leaders keep state for (Admin describeProducers), with each one's last write. */
    java.util.List<ProducerWrite> producers(String bootstrapServers, Collection<String> partitions);

    /** Commits offsets for a group that has no live member (the broker refuses otherwise), with their metadata. */
    void commitOffsets(String bootstrapServers, String groupId, Map<String, CommittedOffset> offsets);

    /**
     * Writes one small record with {@code acks=all} to every partition of the canary topic (created with the cluster's
     * default replication factor and min.insync.replicas, one partition per broker, if missing): what a producer of
     * the cluster's topics would see. A write refused for lack of in-sync replicas, or to a partition without a
     * leader, is NOT_WRITTEN although the brokers answer.
     */
    default CanaryWrite writeCanary(String bootstrapServers, String topic, Duration timeout) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " writes no canary");
    }

    /** @param outcome written to every partition; not written (no answer, or a write refused); or credentials refused */
    record CanaryWrite(Outcome outcome, String detail) {
        public enum Outcome { WRITTEN, NOT_WRITTEN, REFUSED }

        public boolean written() {
            return outcome == Outcome.WRITTEN;
        }
    }

    record OffsetRange(long logStart, long logEnd) {
    }

    /**
     * @param scannedTo          the offset the read stopped at (the next one to read)
     * @param applicationRecords the records an application produced, in offset order
     * @param copies             how many records were replicators' copies
     */
    record WriteScan(long scannedTo, java.util.List<ApplicationRecord> applicationRecords, long copies) {
    }

    record ApplicationRecord(long offset, long timestamp) {
    }

    /** @param lastTimestamp the largest timestamp of the producer's last batch on the partition */
    record ProducerWrite(String partition, long producerId, long lastTimestamp) {
    }

    /**
     * A record as the consumer handover compares it across clusters: its offset, a digest of its key, value and
     * timestamp (what a copy keeps), whether MSK Replicator wrote it (it carries the {@code __mskmr} header), and its
     * timestamp (ms; -1 when not read).
     */
    record RecordFingerprint(long offset, long digest, boolean copiedByMskReplicator, long timestamp) {
        public RecordFingerprint(long offset, long digest, boolean copiedByMskReplicator) {
            this(offset, digest, copiedByMskReplicator, -1);
        }
    }

    /**
     * @param outcome what the probe saw: the cluster served it, did not answer, or answered but refused the
     *                orchestrator's credentials or permissions (a misconfiguration to fix, never an impairment)
     */
    record ProbeResult(Outcome outcome, String detail) {

        public enum Outcome { REACHABLE, UNREACHABLE, REFUSED }

        public ProbeResult(boolean reachable, String detail) {
            this(reachable ? Outcome.REACHABLE : Outcome.UNREACHABLE, detail);
        }

        /** The brokers answered: served the probe, or refused it (authentication or authorization). */
        public boolean reachable() {
            return outcome != Outcome.UNREACHABLE;
        }

        public boolean refused() {
            return outcome == Outcome.REFUSED;
        }
    }

    /** @param metadata the commit's metadata, empty if none */
    record CommittedOffset(long offset, String metadata) {
        public CommittedOffset {
            metadata = metadata == null ? "" : metadata;
        }
    }

    /** @param partitionsWithoutCommit how many partitions the group never committed on */
    record GroupLag(String groupId, long totalLag, int partitions, int partitionsWithoutCommit) {
        public boolean isZero() {
            return totalLag == 0;
        }

        @Override
        public String toString() {
            return groupId + " lag " + totalLag + " over " + partitions + " partitions"
                    + (partitionsWithoutCommit > 0 ? " (" + partitionsWithoutCommit + " without a commit)" : "");
        }
    }
}
