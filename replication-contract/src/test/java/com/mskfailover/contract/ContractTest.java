package com.mskfailover.contract;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContractTest {

    @Test
    void commitMetadataRoundTrips() {
        String position = CommitMetadata.replicatorPosition("EpKM6jG-QbeN5nvJL8ExrQ");
        assertEquals("mskfailover:replicator:EpKM6jG-QbeN5nvJL8ExrQ", position);
        assertEquals(Optional.of("EpKM6jG-QbeN5nvJL8ExrQ"), CommitMetadata.sourceTopicIdOf(position));
        assertEquals("mskfailover:synced:failback-replicator:42", CommitMetadata.synced("failback-replicator", 42));
        assertTrue(CommitMetadata.isSynced(CommitMetadata.synced("x", 1)));
        assertFalse(CommitMetadata.isReplicatorPosition(CommitMetadata.synced("x", 1)));
        assertFalse(CommitMetadata.isSynced(null));
        assertEquals(Optional.empty(), CommitMetadata.sourceTopicIdOf(""));
    }

    @Test
    void theEnvironmentNamesExactlyTheGivenTopics() {
        Map<String, String> env = ReplicatorEnvironment.flow("f", "s:9098", "t:9098").auth("iam")
                .topics(List.of("customer", "orders.v2")).groups(List.of()).fromEarliest().lanes(3).toMap();
        assertTrue("orders.v2".matches(env.get(ReplicatorEnvironment.TOPICS)));
        assertFalse("ordersXv2".matches(env.get(ReplicatorEnvironment.TOPICS)));
        assertFalse(env.containsKey(ReplicatorEnvironment.GROUPS), "no groups given: every group");
        assertEquals("3", env.get(ReplicatorEnvironment.LANES));
        assertEquals("iam", env.get(ReplicatorEnvironment.TARGET_AUTH));
    }
}
