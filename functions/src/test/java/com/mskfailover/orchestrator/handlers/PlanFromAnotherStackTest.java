package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.domain.InvalidInputException;
import com.mskfailover.orchestrator.local.LocalWiring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whoever may invoke a function directly cannot make it act on clusters or aliases of their choice: every handler whose
 * state takes the execution's plan refuses one this stack does not serve, before doing anything.
 */
class PlanFromAnotherStackTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OTHER_CLUSTER = "arn:aws:kafka:us-west-2:123456789012:cluster/someone-else/abc-1";

    @TempDir
    Path dir;

    @Test
    void everyHandlerTakingAPlanRefusesOneNamingAnotherClusterOrAliasAndChangesNothing() throws Exception {
        TestPorts ports = new TestPorts(dir, List.of("customer"), List.of("msk-consumer"), null,
                Map.of(TestPorts.PRIMARY_ARN, "127.0.0.1:1", TestPorts.SECONDARY_ARN, "127.0.0.1:2"));
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        Map<String, ? extends Object> handlers = LocalWiring.of(StateMachineRun.projectRoot()).handlers(ports.ports());
        ObjectNode plan = (ObjectNode) JSON.readTree(((JsonHandler<?, ?>) handlers.get("ValidateFailoverInput")).handleJson("{\"input\": {}}"));
        List<ObjectNode> foreignPlans = List.of(
                plan.deepCopy().put("operation", "failover").set("secondary", JSON.createObjectNode().put("clusterArn", OTHER_CLUSTER).put("region", "us-west-2")),
                plan.deepCopy().set("producerAliases", JSON.createArrayNode().add("kafka.payments.internal")));

        List<String> checked = new ArrayList<>();
        for (var entry : handlers.entrySet()) {
            JsonHandler<?, ?> handler = (JsonHandler<?, ?>) entry.getValue();
            if (!Inputs.WithPlan.class.isAssignableFrom(handler.inputType())) {
                continue;
            }
            for (ObjectNode foreign : foreignPlans) {
                ObjectNode input = JSON.createObjectNode().set("plan", foreign);
                var refused = assertThrows(InvalidInputException.class, () -> handler.handleJson(input.toString()), entry.getKey());
                assertEquals("plan", refused.field(), entry.getKey());
                assertTrue(refused.getMessage().contains("someone-else") || refused.getMessage().contains("kafka.payments.internal"), refused.getMessage());
            }
            checked.add(entry.getKey());
        }

        assertEquals(List.of("AcquireOperationLock", "CheckAliasRecords", "CheckForwardReplicationCaughtUp", "CheckPrimaryHealthy",
                "CheckReverseFlowReady", "CheckReverseReplicationLag",
                "CheckSecondaryConsumersDrained", "CheckSecondaryQuiet", "CheckSecondaryReady", "FlipBootstrapAliases", "StartReverseReplication",
                "StopReverseReplication", "VerifyForwardReplication"), checked.stream().sorted().toList());
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS), "no alias moved");
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS), "no alias moved");
    }
}
