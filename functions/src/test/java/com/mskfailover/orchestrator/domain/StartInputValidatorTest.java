package com.mskfailover.orchestrator.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input fails naming the field; good input gets the stack's defaults. */
class StartInputValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRIMARY = "arn:aws:kafka:us-east-1:123456789012:cluster/msk-primary/0f1e2d3c-1";
    private static final String SECONDARY = "arn:aws:kafka:us-east-2:123456789012:cluster/msk-secondary/1a2b3c4d-2";

    private final StartInputValidator validator = new StartInputValidator(new OrchestratorSettings(PRIMARY, SECONDARY,
            List.of("kafka-producers.msk.internal"), List.of("kafka-consumers.msk.internal"), List.of("customer"), List.of("msk-consumer"),
            new Timeouts(300, 3600, 1800, 900), 300, true, "failback-replicator", "replicator-task", Duration.ofSeconds(5),
            List.of("alarm"), "iam", 1, 60));

    private static ObjectNode input() {
        return JSON.createObjectNode().put("primaryClusterArn", PRIMARY).put("secondaryClusterArn", SECONDARY);
    }

    private String failingField(boolean failback, Consumer<ObjectNode> change) {
        ObjectNode input = input();
        change.accept(input);
        return assertThrows(InvalidInputException.class, () -> {
            if (failback) {
                validator.failback(input);
            } else {
                validator.failover(input);
            }
        }).field();
    }

    @Test
    void theImpairmentStartIsTheInputsOrNowAndNeverInTheFuture() {
        assertEquals("2026-12-07T10:12:00Z", validator.failover(input().put("impairedSince", "2026-12-07T10:12:00Z")).impairedSince());
        java.time.Instant before = java.time.Instant.now();
        java.time.Instant defaulted = java.time.Instant.parse(validator.failover(input()).impairedSince());
        assertTrue(!defaulted.isBefore(before) && !defaulted.isAfter(java.time.Instant.now()), defaulted.toString());
        assertEquals("impairedSince", failingField(false, input -> input.put("impairedSince", "yesterday")));
        assertEquals("impairedSince", failingField(false, input -> input.put("impairedSince", java.time.Instant.now().plusSeconds(3600).toString())));
        assertEquals("impairedSince", failingField(true, input -> input.put("impairedSince", "2026-12-07T10:12:00Z")), "a failback has none");
        assertEquals(null, validator.failback(input().set("force", JSON.createArrayNode().add("emptyConsumerGroups"))).impairedSince());
    }

    @Test
    void defaultsComeFromTheStack() {
        Plan plan = validator.failback(input());
        assertEquals(List.of("customer"), plan.topics());
        assertEquals(List.of("msk-consumer"), plan.consumerGroups());
        assertEquals(3600, plan.timeouts().replicationCatchUpSeconds());
        assertEquals("us-east-1", plan.primary().region());
        assertEquals(List.of("kafka-producers.msk.internal", "kafka-consumers.msk.internal"), plan.allAliases());
    }

    @Test
    void anEmptyGroupListIsRefusedNamingTheFieldUnlessForcedByName() {
        var refused = assertThrows(InvalidInputException.class, () -> validator.failback(input().set("consumerGroups", JSON.createArrayNode())));
        assertEquals("consumerGroups", refused.field());
        assertTrue(refused.getMessage().contains("\"force\": [\"emptyConsumerGroups\"]"), refused.getMessage());

        ObjectNode forced = input().set("consumerGroups", JSON.createArrayNode());
        forced.putArray("force").add("emptyConsumerGroups");
        assertEquals(List.of(), validator.failback(forced).consumerGroups());

        assertEquals("force", failingField(true, in -> in.putArray("force").add("drain")), "an unknown check to switch off");
        assertEquals("force", failingField(true, in -> in.put("force", true)), "force names what it switches off");
    }

    @Test
    void eachOperationSwitchesOffOnlyItsOwnChecksByNameAndThePlanCarriesThem() throws Exception {
        ObjectNode failback = input();
        failback.putArray("force").add("unlistedTopics").add("unlistedGroups");
        assertEquals(List.of("unlistedTopics", "unlistedGroups"), validator.failback(failback).force());
        ObjectNode failover = input();
        failover.putArray("force").add("groupsWithoutOffsets");
        Plan forced = validator.failover(failover);
        assertTrue(forced.forces("groupsWithoutOffsets") && !forced.forces("unlistedTopics"), forced.toString());

        var wrongOperation = assertThrows(InvalidInputException.class, () -> validator.failover(input().set("force", JSON.createArrayNode().add("unlistedTopics"))));
        assertEquals("force", wrongOperation.field());
        assertTrue(wrongOperation.getMessage().contains("[groupsWithoutOffsets]"), wrongOperation.getMessage());
        assertEquals("force", failingField(true, in -> in.putArray("force").add("groupsWithoutOffsets")), "a failover's check, not the failback's");

        // A plan written before force existed (an execution started by the previous version) reads as forcing nothing.
        ObjectNode older = (ObjectNode) JSON.valueToTree(validator.failover(input()));
        older.remove("force");
        assertEquals(List.of(), JSON.treeToValue(older, Plan.class).force());
        assertEquals(List.of("groupsWithoutOffsets"), JSON.treeToValue(JSON.valueToTree(forced), Plan.class).force());
    }

    @Test
    void anEmptyInputTakesEverythingFromTheStackAsTheSamplesDo() throws Exception {
        Plan failover = validator.failover(JSON.createObjectNode());
        Plan failback = validator.failback(JSON.createObjectNode());
        assertEquals(PRIMARY, failover.primary().clusterArn());
        assertEquals(SECONDARY, failback.secondary().clusterArn());
        assertEquals(List.of("customer"), failback.topics());
        var root = com.mskfailover.orchestrator.StateMachineRun.projectRoot();
        assertEquals("failover", validator.failover(JSON.readTree(root.resolve("events/failover-start.json").toFile())).operation());
        assertEquals("failback", validator.failback(JSON.readTree(root.resolve("events/failback-start.json").toFile())).operation());
        Plan planned = validator.failover(JSON.readTree(root.resolve("events/planned-failover-start.json").toFile()));
        assertTrue(planned.planned(), "the planned sample asks for producers first");
        assertFalse(failover.planned(), "a failover is unplanned unless the input says planned: true");
    }

    @Test
    void operatorsOverrideTimeoutsPerExecution() {
        ObjectNode input = input();
        input.putObject("timeouts").put("aliasSyncSeconds", 42);
        assertEquals(42, validator.failover(input).timeouts().aliasSyncSeconds());
        assertEquals(1800, validator.failover(input).timeouts().consumerDrainSeconds());
    }

    @Test
    void eachBadFieldIsNamed() {
        assertEquals("primaryClusterArn", failingField(false, input -> input.put("primaryClusterArn", 42)));
        assertEquals("secondaryClusterArn", failingField(false, input -> input.put("secondaryClusterArn", "not-an-arn")));
        assertEquals("secondaryClusterArn", failingField(true, input -> input.put("secondaryClusterArn", PRIMARY)));
        assertEquals("topics[1]", failingField(false, input -> input.putArray("topics").add("customer").add("bad topic!")));
        assertEquals("timeouts.aliasSyncSeconds", failingField(false, input -> input.putObject("timeouts").put("aliasSyncSeconds", 0)));
        assertEquals("timeouts.aliasSyncSecs", failingField(false, input -> input.putObject("timeouts").put("aliasSyncSecs", 10)));
        assertEquals("maxReplicationLatencySeconds", failingField(false, input -> input.put("maxReplicationLatencySeconds", "soon")));
        assertEquals("requireForwardThroughput", failingField(true, input -> input.put("requireForwardThroughput", "yes")));
        assertEquals("reverseReplicatorName", failingField(true, input -> input.put("reverseReplicatorName", "has spaces")));
        assertEquals("reverseReplicatorTasks", failingField(true, input -> input.put("reverseReplicatorTasks", 11)));
        assertEquals("reverseReplicatorTasks", failingField(true, input -> input.put("reverseReplicatorTasks", 0)));
        assertEquals("consumerGroup", failingField(true, input -> input.putArray("consumerGroup")));
        // A mistyped planned flag must not turn into an unplanned failover that moves consumers at once.
        assertEquals("planned", failingField(false, input -> input.put("planned", "yes")));
        assertEquals("planned", failingField(true, input -> input.put("planned", true)));
        var failure = assertThrows(InvalidInputException.class, () -> validator.failover(JSON.createArrayNode()));
        assertTrue(failure.getMessage().contains("JSON object"), failure.getMessage());
    }

    @Test
    void noLoopMayRunLongerThanTheHistoryBudgetAllows() {
        ObjectNode longest = input();
        longest.putObject("timeouts").put("aliasSyncSeconds", Timeouts.MAX_ALIAS_SYNC_SECONDS)
                .put("replicationCatchUpSeconds", Timeouts.MAX_REPLICATION_CATCH_UP_SECONDS)
                .put("consumerDrainSeconds", Timeouts.MAX_CONSUMER_DRAIN_SECONDS)
                .put("forwardReplicationSeconds", Timeouts.MAX_FORWARD_REPLICATION_SECONDS);
        assertEquals(Timeouts.longestAllowed(), validator.failback(longest).timeouts());
        for (String field : List.of("aliasSyncSeconds", "replicationCatchUpSeconds", "consumerDrainSeconds", "forwardReplicationSeconds")) {
            ObjectNode tooLong = longest.deepCopy();
            ((ObjectNode) tooLong.path("timeouts")).put(field, longest.path("timeouts").path(field).asInt() + 1);
            InvalidInputException refused = assertThrows(InvalidInputException.class, () -> validator.failback(tooLong));
            assertEquals("timeouts." + field, refused.field());
            assertTrue(refused.getMessage().contains("start the execution again"), refused.getMessage());
        }
    }

    @Test
    void aReverseReplicatorNameMustStartWithTheStacksBecauseItsPermissionsAreScopedToIt() {
        assertEquals("failback-replicator-2", validator.failback(input().put("reverseReplicatorName", "failback-replicator-2")).reverseReplicatorName());
        InvalidInputException refused = assertThrows(InvalidInputException.class,
                () -> validator.failback(input().put("reverseReplicatorName", "my-replicator")));
        assertEquals("reverseReplicatorName", refused.field());
        assertTrue(refused.getMessage().contains("must start with the stack's ReverseReplicatorName 'failback-replicator'"), refused.getMessage());
    }
}
