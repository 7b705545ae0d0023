package com.mskfailover.orchestrator.domain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * A failover's or failback's state data as its notification reads it: each component is the key a step's result is
 * left under (the state machines' ResultPath, or a field of the execution's input), so which are present says which
 * steps finished. {@code OperationStateTest} checks every component against statemachines/*.asl.json: renaming a
 * ResultPath there without renaming it here fails it. A key absent from the state is a MissingNode, never null.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OperationState(JsonNode reason, JsonNode force, JsonNode plan, JsonNode lock, JsonNode secondaryReadiness,
                             JsonNode primaryHealth, JsonNode producerMove, JsonNode aliasChange, JsonNode forwardCatchUp,
                             JsonNode reverseReplication, JsonNode secondaryQuiet, JsonNode consumerDrain, JsonNode consumerMove,
                             JsonNode reverseReplicationStop, JsonNode error) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public OperationState {
        reason = orMissing(reason);
        force = orMissing(force);
        plan = orMissing(plan);
        lock = orMissing(lock);
        secondaryReadiness = orMissing(secondaryReadiness);
        primaryHealth = orMissing(primaryHealth);
        producerMove = orMissing(producerMove);
        aliasChange = orMissing(aliasChange);
        forwardCatchUp = orMissing(forwardCatchUp);
        reverseReplication = orMissing(reverseReplication);
        secondaryQuiet = orMissing(secondaryQuiet);
        consumerDrain = orMissing(consumerDrain);
        consumerMove = orMissing(consumerMove);
        reverseReplicationStop = orMissing(reverseReplicationStop);
        error = orMissing(error);
    }

    public static OperationState of(JsonNode state) {
        return JSON.convertValue(state == null ? JSON.createObjectNode() : state, OperationState.class);
    }

    /** Whether the step that leaves this key finished (the key is in the state). */
    static boolean present(JsonNode field) {
        return !field.isMissingNode() && !field.isNull();
    }

    private static JsonNode orMissing(JsonNode node) {
        return node == null ? MissingNode.getInstance() : node;
    }
}
