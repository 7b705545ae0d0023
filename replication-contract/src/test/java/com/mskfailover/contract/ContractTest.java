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
        assertEquals("customer,orders\\.v2", env.get(ReplicatorEnvironment.TOPICS), "MirrorMaker 2's grammar, readable in the task's environment");
        var selection = NameSelection.parse("TOPICS", env.get(ReplicatorEnvironment.TOPICS));
        assertTrue(selection.matcher("orders.v2").matches());
        assertTrue(selection.matcher("customer").matches());
        assertFalse(selection.matcher("ordersXv2").matches());
        assertFalse(selection.matcher("customers").matches(), "whole names only");
        assertFalse(env.containsKey(ReplicatorEnvironment.GROUPS), "no groups given: every group");
        assertEquals("3", env.get(ReplicatorEnvironment.LANES));
        assertEquals("iam", env.get(ReplicatorEnvironment.TARGET_AUTH));
    }

    @Test
    void mirrorMakerGrammarSelectsNamesAndRegexesSeparatedByCommas() {
        var selection = NameSelection.parse("TOPICS", " customer , orders\\..*,payments|refunds ");
        for (String selected : List.of("customer", "orders.eu", "orders.us", "payments", "refunds")) {
            assertTrue(selection.matcher(selected).matches(), selected);
        }
        for (String other : List.of("customer,orders", "orders", "customer2", "xpayments")) {
            assertFalse(selection.matcher(other).matches(), other);
        }
    }

    @Test
    void aBadEntryIsNamedWithTheSettingAndTheFix() {
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> NameSelection.parse("GROUPS", "msk-consumer,audit("));
        assertTrue(bad.getMessage().startsWith("GROUPS entry 'audit(' is not a valid Java regular expression"), bad.getMessage());
        assertTrue(bad.getMessage().contains("GROUPS=customer,orders"), bad.getMessage());
        IllegalArgumentException empty = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> NameSelection.parse("TOPICS", " , "));
        assertTrue(empty.getMessage().startsWith("TOPICS lists no name"), empty.getMessage());
    }
}
