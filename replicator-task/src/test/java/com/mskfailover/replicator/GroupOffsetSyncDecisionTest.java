package com.mskfailover.replicator;

import com.mskfailover.contract.CommitMetadata;

import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** GroupOffsetSync's decisions on plain values, without brokers (GroupOffsetSyncTest covers the wiring). */
class GroupOffsetSyncDecisionTest {

    private static final TopicPartition PARTITION = new TopicPartition("ledger", 0);
    private static final TopicPartition NOT_REPLICATED = new TopicPartition("elsewhere", 0);
    private static final String NAME = "flow";

    /** Source 0..9 copied to target 3..12 (the target had 3 records of its own). */
    private static OffsetTranslation translation() {
        OffsetTranslation translation = new OffsetTranslation();
        for (long offset = 0; offset < 10; offset++) {
            translation.copied(PARTITION, offset, 3 + offset);
        }
        translation.endOfTransaction(PARTITION);
        return translation;
    }

    private static Map<String, Map<TopicPartition, OffsetAndMetadata>> translate(Map<String, Map<TopicPartition, OffsetAndMetadata>> source) {
        return GroupOffsetSync.translate(NAME, source, Map.of(PARTITION, 10L), translation());
    }

    @Test
    void translatesEachCommitAndStampsTheSourceOffset() {
        assertEquals(Map.of("reader", Map.of(PARTITION, new OffsetAndMetadata(7, "mskfailover:synced:flow:4"))),
                translate(Map.of("reader", Map.of(PARTITION, new OffsetAndMetadata(4), NOT_REPLICATED, new OffsetAndMetadata(1)))));
    }

    @Test
    void skipsReplicatorCommitsOffsetsAReplicatorWroteAndOffsetsNotReplicatedYet() {
        assertEquals(Map.of(), translate(Map.of(
                "other-replicator", Map.of(PARTITION, new OffsetAndMetadata(5, CopyCheckpoint.metadata(Uuid.randomUuid()))),
                "synced-back", Map.of(PARTITION, new OffsetAndMetadata(5, CommitMetadata.synced("reverse", 9))),
                "ahead", Map.of(PARTITION, new OffsetAndMetadata(11)))));
    }

    @Test
    void neverRewindsLeavesGroupsWithMembersAloneAndReStampsAnUnchangedOffset() {
        OffsetAndMetadata wanted = new OffsetAndMetadata(7, "mskfailover:synced:flow:4");
        Map<String, Map<TopicPartition, OffsetAndMetadata>> translated = Map.of(
                "behind", Map.of(PARTITION, wanted),
                "ahead", Map.of(PARTITION, wanted),
                "unstamped", Map.of(PARTITION, wanted),
                "stamped", Map.of(PARTITION, wanted),
                "live", Map.of(PARTITION, wanted),
                "new", Map.of(PARTITION, wanted));
        Map<String, Map<TopicPartition, OffsetAndMetadata>> onTarget = Map.of(
                "behind", Map.of(PARTITION, new OffsetAndMetadata(5)),
                "ahead", Map.of(PARTITION, new OffsetAndMetadata(8)),
                "unstamped", Map.of(PARTITION, new OffsetAndMetadata(7)),
                "stamped", Map.of(PARTITION, wanted),
                "live", Map.of(PARTITION, new OffsetAndMetadata(1)));
        assertEquals(Map.of("behind", Map.of(PARTITION, wanted), "unstamped", Map.of(PARTITION, wanted), "new", Map.of(PARTITION, wanted)),
                GroupOffsetSync.forward(translated, Set.of("live"), onTarget));
    }

    @Test
    void syncsConsumerGroupsWithinTheFilterOtherThanTheFlowsOwn() {
        ReplicatorConfig config = ReplicatorConfig.fromEnvironment(Map.of("SOURCE_BOOTSTRAP_SERVERS", "a:9092",
                "TARGET_BOOTSTRAP_SERVERS", "b:9092", "REPLICATOR_NAME", NAME, "GROUPS_EXCLUDE", "excluded.*"));
        List<GroupListing> listings = List.of(
                listing("app", GroupType.CLASSIC, "consumer"),
                listing("simple", GroupType.CLASSIC, ""),
                listing("modern", GroupType.CONSUMER, "consumer"),
                listing(NAME, GroupType.CLASSIC, "consumer"),
                listing("excluded-app", GroupType.CLASSIC, "consumer"),
                listing("connect-cluster", GroupType.CLASSIC, "connect"),
                listing("share", GroupType.SHARE, ""));
        assertEquals(List.of("app", "simple", "modern"), GroupOffsetSync.groupsToSync(listings, config));
    }

    private static GroupListing listing(String group, GroupType type, String protocol) {
        return new GroupListing(group, Optional.of(type), protocol, Optional.of(GroupState.STABLE));
    }
}
