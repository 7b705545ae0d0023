package com.mskfailover.replicator;

import com.mskfailover.contract.CommitMetadata;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where each source partition resumes: the offsets of consumer group {@code REPLICATOR_NAME} on the
 * TARGET cluster, written in the same Kafka transaction as the copies they cover (as MirrorMaker 2's
 * exactly-once source tasks do, KIP-618). A copy and the checkpoint after it become visible together or
 * not at all, whatever fails (kill -9, target leader change, an outage), so the checkpoint is exact.
 *
 * <p>Each offset's metadata names the source topic's id, so a topic deleted and created again under the
 * same name starts from its beginning instead of at the old topic's offset. The same metadata marks the
 * replicator's position on the source (the lag contract), which is how other flows recognise replicator
 * groups and never sync them.
 */
final class CopyCheckpoint {

    private CopyCheckpoint() {}

    static String metadata(Uuid sourceTopicId) {
        return CommitMetadata.replicatorPosition(sourceTopicId.toString());
    }

    static boolean isReplicatorCommit(OffsetAndMetadata offset) {
        return offset != null && CommitMetadata.isReplicatorPosition(offset.metadata());
    }

    static Optional<Uuid> sourceTopicIdOf(OffsetAndMetadata offset) {
        if (offset == null) {
            return Optional.empty();
        }
        try {
            return CommitMetadata.sourceTopicIdOf(offset.metadata()).map(Uuid::fromString);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The checkpointed source offset of each partition whose checkpoint belongs to the current source topic
     * (same id). Reads only stable offsets: a transaction of a previous writer still pending is resolved
     * first, by the broker.
     */
    static Map<TopicPartition, Long> read(Admin target, String group, Map<TopicPartition, Uuid> sourceTopicIds,
                                          Duration timeout) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = target.listConsumerGroupOffsets(
                        Map.of(group, new ListConsumerGroupOffsetsSpec().topicPartitions(sourceTopicIds.keySet())),
                        new ListConsumerGroupOffsetsOptions().requireStable(true))
                .partitionsToOffsetAndMetadata(group).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> positions = new HashMap<>();
        committed.forEach((partition, offset) -> {
            if (offset != null && sourceTopicIdOf(offset).filter(sourceTopicIds.get(partition)::equals).isPresent()) {
                positions.put(partition, offset.offset());
            }
        });
        return positions;
    }
}
