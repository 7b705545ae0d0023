package com.mskfailover.orchestrator.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.contract.CommitMetadata;
import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.kafka.KafkaAdminInspector;
import com.mskfailover.orchestrator.local.StaticClusterDirectory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The clusters compared with the plan on real brokers (the shared clusters, which hold every test's topics and groups:
 * each case names its own and looks for them in what the comparison says).
 */
@Tag("integration")
class PlanComparisonTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final KafkaAdminInspector kafka = new KafkaAdminInspector("none");
    private final PlanComparison comparison = new PlanComparison(kafka);
    private final String secondary = SharedClusters.secondary().bootstrapServers();
    private final String primary = SharedClusters.primary().bootstrapServers();

    private static Plan failback(List<String> topics, List<String> groups, String... force) {
        ObjectNode input = JSON.createObjectNode();
        input.putArray("force").addAll(java.util.Arrays.stream(force).map(JSON.getNodeFactory()::textNode).toList());
        return new StartInputValidator(TestPorts.settingsFor(topics, groups)).failback(input);
    }

    private static Plan failover(List<String> topics, List<String> groups, String... force) {
        ObjectNode input = JSON.createObjectNode();
        input.putArray("force").addAll(java.util.Arrays.stream(force).map(JSON.getNodeFactory()::textNode).toList());
        return new StartInputValidator(TestPorts.settingsFor(topics, groups)).failover(input);
    }

    private static void written(KafkaClients cluster, String topic, int records) {
        cluster.createTopic(topic, 2);
        for (int i = 0; i < records; i++) {
            cluster.produce(List.of(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, i % 2, "key-" + i, "value " + i)));
        }
    }

    @Test
    void aFailbackPassesWhenTheSecondaryHoldsOnlyThePlansTopicsAndGroupsBesideTheClustersAndReplicatorsOwn() {
        String topic = "plan-compare-only";
        written(SharedClusters.secondary().clients(), topic, 4);
        SharedClusters.secondary().clients().consumeAsGroup("plan-compare-only-readers", topic);
        // Not an application's: Kafka's or MSK's own, MirrorMaker's, the probe's canary; the reverse replicator-task's
        // position; a group the forward flow synced that no consumer used on the secondary.
        written(SharedClusters.secondary().clients(), "__amazon_msk_canary_plan_compare", 1);
        written(SharedClusters.secondary().clients(), "mm2-offset-syncs.plan-compare.internal", 1);
        written(SharedClusters.secondary().clients(), PrimaryProbe.CANARY_TOPIC, 1);
        kafka.commitOffsets(secondary, "plan-compare-replicator-position", Map.of(topic + "-0", new KafkaInspector.CommittedOffset(2,
                CommitMetadata.replicatorPosition("topic-id"))));
        kafka.commitOffsets(secondary, "failback-replicator-2", Map.of(topic + "-0", new KafkaInspector.CommittedOffset(2, "")));
        kafka.commitOffsets(secondary, "plan-compare-synced-only", Map.of(topic + "-1", new KafkaInspector.CommittedOffset(1,
                CommitMetadata.synced("forward", 1))));
        // Everything else on the shared secondary is named by the plan, as it would be on a cluster of these applications only.
        List<String> everyApplicationTopic = new ArrayList<>(kafka.topicNames(secondary).stream()
                .filter(name -> !name.startsWith("__") && !name.endsWith(".internal") && !name.equals(PrimaryProbe.CANARY_TOPIC)).toList());
        List<String> everyOtherGroup = new ArrayList<>(kafka.groupsCommittedOn(secondary, everyApplicationTopic).keySet());
        everyOtherGroup.removeAll(List.of("plan-compare-replicator-position", "failback-replicator-2", "plan-compare-synced-only"));
        assertTrue(everyOtherGroup.contains("plan-compare-only-readers"), everyOtherGroup.toString());

        List<String> checks = comparison.secondaryHoldsOnlyThePlan(failback(everyApplicationTopic, everyOtherGroup), secondary);

        assertEquals(List.of("the secondary has no topic the plan does not name",
                "no consumer group the plan does not name committed on its topics on the secondary"), checks);
    }

    @Test
    void aTopicCreatedOnTheSecondaryDuringTheOutageIsRefusedNamingItAndTheFixUnlessForcedByName() {
        String planned = "plan-compare-listed";
        String createdDuringTheOutage = "plan-compare-created-on-secondary";
        written(SharedClusters.secondary().clients(), planned, 2);
        written(SharedClusters.secondary().clients(), createdDuringTheOutage, 3);

        var refused = assertThrows(InvalidInputException.class,
                () -> comparison.secondaryHoldsOnlyThePlan(failback(List.of(planned), List.of("plan-compare-group")), secondary));

        // (other tests' groups reading other tests' topics on the shared secondary may be named as well: field "topics, consumerGroups")
        assertTrue(refused.field().startsWith("topics"), refused.getMessage());
        assertTrue(refused.getMessage().contains(createdDuringTheOutage) && !refused.getMessage().contains(planned + ",")
                && !refused.getMessage().contains("__consumer_offsets") && !refused.getMessage().contains(PrimaryProbe.CANARY_TOPIC), refused.getMessage());
        assertTrue(refused.getMessage().contains("add it to \"topics\"") && refused.getMessage().contains("\"force\": [\"unlistedTopics\"]"),
                refused.getMessage());

        List<String> checks = comparison.secondaryHoldsOnlyThePlan(failback(List.of(planned), List.of("plan-compare-group"), "unlistedTopics"), secondary);
        assertTrue(checks.getFirst().startsWith("FORCED (unlistedTopics)") && checks.getFirst().contains(createdDuringTheOutage), checks.toString());
    }

    @Test
    void aGroupThePlanDoesNotNameThatReadThePlansTopicOnTheSecondaryIsRefusedNamingItsPartitionsUnlessForced() {
        String topic = "plan-compare-groups";
        written(SharedClusters.secondary().clients(), topic, 4);
        SharedClusters.secondary().clients().consumeAsGroup("plan-compare-listed-readers", topic);
        SharedClusters.secondary().clients().consumeAsGroup("plan-compare-unlisted-readers", topic);
        // A group the forward flow synced, then read with on the secondary: a consumer of its own committed there.
        kafka.commitOffsets(secondary, "plan-compare-synced-then-read", Map.of(
                topic + "-0", new KafkaInspector.CommittedOffset(1, CommitMetadata.synced("forward", 1)),
                topic + "-1", new KafkaInspector.CommittedOffset(2, "")));
        Plan plan = failback(List.of(topic), List.of("plan-compare-listed-readers"), "unlistedTopics");

        var refused = assertThrows(InvalidInputException.class, () -> comparison.secondaryHoldsOnlyThePlan(plan, secondary));

        assertEquals("consumerGroups", refused.field(), refused.getMessage());
        String message = refused.getMessage();
        assertTrue(message.contains("plan-compare-unlisted-readers [" + topic + "-0, " + topic + "-1]"), message);
        assertTrue(message.contains("plan-compare-synced-then-read [" + topic + "-0, " + topic + "-1]"), message);
        assertFalse(message.contains("plan-compare-listed-readers"), message);
        assertTrue(message.contains("Add them to \"consumerGroups\"") && message.contains("\"force\": [\"unlistedGroups\"]"), message);

        List<String> checks = comparison.secondaryHoldsOnlyThePlan(failback(List.of(topic), List.of("plan-compare-listed-readers"),
                "unlistedTopics", "unlistedGroups"), secondary);
        assertTrue(checks.get(1).startsWith("FORCED (unlistedGroups)") && checks.get(1).contains("plan-compare-unlisted-readers"), checks.toString());
    }

    @Test
    void bothLeftBehindAreNamedInOneRefusal() {
        String topic = "plan-compare-both";
        written(SharedClusters.secondary().clients(), topic, 2);
        written(SharedClusters.secondary().clients(), "plan-compare-both-unlisted", 1);
        SharedClusters.secondary().clients().consumeAsGroup("plan-compare-both-unlisted-readers", topic);
        // It reads only the topic to be added: named now, not after a second refusal.
        SharedClusters.secondary().clients().consumeAsGroup("plan-compare-both-new-topic-readers", "plan-compare-both-unlisted");

        var refused = assertThrows(InvalidInputException.class,
                () -> comparison.secondaryHoldsOnlyThePlan(failback(List.of(topic), List.of("plan-compare-both-readers")), secondary));

        assertEquals("topics, consumerGroups", refused.field());
        assertTrue(refused.getMessage().contains("plan-compare-both-unlisted,") || refused.getMessage().contains("plan-compare-both-unlisted."),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("plan-compare-both-unlisted-readers [" + topic + "-0"), refused.getMessage());
        assertTrue(refused.getMessage().contains("plan-compare-both-new-topic-readers [plan-compare-both-unlisted-0"), refused.getMessage());
    }

    @Test
    void aFailoverRefusesAGroupCommittedOnThePrimaryWithoutThatOffsetOnTheSecondaryNotOneThatNeverReadAPartition() {
        String topic = "plan-compare-failover";
        written(SharedClusters.primary().clients(), topic, 4);
        written(SharedClusters.secondary().clients(), topic, 4);
        // synced: committed on both partitions, on both clusters
        SharedClusters.primary().clients().consumeAsGroup("plan-compare-synced", topic);
        SharedClusters.secondary().clients().consumeAsGroup("plan-compare-synced", topic);
        // half synced: the primary has both partitions, the secondary only partition 0
        SharedClusters.primary().clients().consumeAsGroup("plan-compare-half-synced", topic);
        kafka.commitOffsets(secondary, "plan-compare-half-synced", Map.of(topic + "-0", new KafkaInspector.CommittedOffset(2, "")));
        // never read partition 1 anywhere: no missing sync
        kafka.commitOffsets(primary, "plan-compare-one-partition", Map.of(topic + "-0", new KafkaInspector.CommittedOffset(1, "")));
        kafka.commitOffsets(secondary, "plan-compare-one-partition", Map.of(topic + "-0", new KafkaInspector.CommittedOffset(1, "")));
        // never committed anywhere (a group listed before its first run)
        List<String> groups = List.of("plan-compare-synced", "plan-compare-half-synced", "plan-compare-one-partition", "plan-compare-never-ran");

        var refused = assertThrows(NotReadyException.class,
                () -> comparison.groupOffsetsOnSecondary(failover(List.of(topic), groups), secondary, Optional.of(primary), ""));

        assertTrue(refused.getMessage().contains("plan-compare-half-synced [" + topic + "-1]"), refused.getMessage());
        for (String fine : List.of("plan-compare-synced ", "plan-compare-one-partition", "plan-compare-never-ran")) {
            assertFalse(refused.getMessage().contains(fine), fine + ": " + refused.getMessage());
        }
        assertTrue(refused.getMessage().contains("\"force\": [\"groupsWithoutOffsets\"]"), refused.getMessage());

        PlanComparison.Findings forced = comparison.groupOffsetsOnSecondary(failover(List.of(topic), groups, "groupsWithoutOffsets"), secondary,
                Optional.of(primary), "");
        assertEquals(1, forced.warnings().size(), forced.toString());
        assertTrue(forced.warnings().getFirst().startsWith("FORCED (groupsWithoutOffsets)") && forced.warnings().getFirst().contains("plan-compare-half-synced"),
                forced.toString());
    }

    @Test
    void aCommitOnAPartitionWithNoRecordOnTheSecondaryIsAWarningNotARefusal() {
        // A consumer commits its position on every partition it is assigned, one nobody wrote to as well (offset 0):
        // the forward flow has no record there to translate it by, and nothing is re-read or missed without it.
        String topic = "plan-compare-empty-partition";
        SharedClusters.primary().clients().createTopic(topic, 2);
        SharedClusters.secondary().clients().createTopic(topic, 2);
        for (KafkaClients cluster : List.of(SharedClusters.primary().clients(), SharedClusters.secondary().clients())) {
            cluster.produce(List.of(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 0, "key", "value")));
        }
        kafka.commitOffsets(primary, "plan-compare-empty", Map.of(topic + "-0", new KafkaInspector.CommittedOffset(1, ""),
                topic + "-1", new KafkaInspector.CommittedOffset(0, "")));
        kafka.commitOffsets(secondary, "plan-compare-empty", Map.of(topic + "-0", new KafkaInspector.CommittedOffset(1, "")));

        PlanComparison.Findings findings = comparison.groupOffsetsOnSecondary(failover(List.of(topic), List.of("plan-compare-empty")), secondary,
                Optional.of(primary), "");

        assertEquals(1, findings.warnings().size(), findings.toString());
        assertTrue(findings.warnings().getFirst().contains("plan-compare-empty committed on the primary for [" + topic + "-1]")
                && findings.warnings().getFirst().contains("auto.offset.reset"), findings.toString());

        // Once a record is on the secondary there, the missing offset is a gap again: refused.
        SharedClusters.secondary().clients().produce(List.of(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 1, "key", "value")));
        var refused = assertThrows(NotReadyException.class, () -> comparison.groupOffsetsOnSecondary(
                failover(List.of(topic), List.of("plan-compare-empty")), secondary, Optional.of(primary), ""));
        assertTrue(refused.getMessage().contains("plan-compare-empty [" + topic + "-1]"), refused.getMessage());
    }

    @Test
    void withThePrimaryDownTheFailoverIsNotRefusedAndWarnsOfAGroupWithNoOffsetOnTheSecondary() throws Exception {
        String topic = "plan-compare-primary-down";
        written(SharedClusters.primary().clients(), topic, 2);
        written(SharedClusters.secondary().clients(), topic, 2);
        SharedClusters.primary().clients().consumeAsGroup("plan-compare-down-not-synced", topic);
        SharedClusters.secondary().clients().consumeAsGroup("plan-compare-down-synced", topic);
        Plan plan = failover(List.of(topic), List.of("plan-compare-down-not-synced", "plan-compare-down-synced"));
        String down;
        try (ServerSocket closed = new ServerSocket(0)) {
            down = "127.0.0.1:" + closed.getLocalPort();
        }
        ReadinessChecks readiness = new ReadinessChecks(new StaticClusterDirectory(Map.of(TestPorts.SECONDARY_ARN, secondary)), kafka,
                Duration.ofSeconds(5));

        ReadinessChecks.Readiness ready = readiness.checkSecondaryReady(plan, TestPorts.healthyForward(), () -> down);

        assertEquals(1, ready.warnings().size(), ready.toString());
        assertTrue(ready.warnings().getFirst().contains("plan-compare-down-not-synced") && ready.warnings().getFirst().contains("could not be asked"),
                ready.toString());
        assertTrue(ready.checks().stream().anyMatch(check -> check.startsWith("group plan-compare-down-synced has offsets on the secondary")), ready.toString());

        // The same groups with the primary answering: the missing sync is refused.
        var refused = assertThrows(NotReadyException.class, () -> readiness.checkSecondaryReady(plan, TestPorts.healthyForward(), () -> primary));
        assertTrue(refused.getMessage().contains("plan-compare-down-not-synced [" + topic + "-0, " + topic + "-1]"), refused.getMessage());
        assertEquals(Set.of(), kafka.committedOffsets(secondary, "plan-compare-down-not-synced", List.of(topic)).keySet(), "the check changed nothing");
    }
}
