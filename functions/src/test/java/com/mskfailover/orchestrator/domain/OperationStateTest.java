package com.mskfailover.orchestrator.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.orchestrator.StateMachineRun;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The notification's reading of an execution's state agrees with what the state machines write there. */
class OperationStateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyKeyTheNotificationReadsIsAResultPathOfTheMovesOrAFieldOfTheirInput() throws IOException {
        Set<String> written = new TreeSet<>();
        List<String> notifyStatesWithoutTheWholeState = new ArrayList<>();
        for (String machine : List.of("failover", "failback")) {
            JsonNode definition = JSON.readTree(StateMachineRun.definition(machine).toFile());
            collect(definition.path("States"), written, notifyStatesWithoutTheWholeState);
            JSON.readTree(StateMachineRun.event(machine + "-start.json").toFile()).fieldNames().forEachRemaining(written::add);
        }
        List<String> notWritten = new ArrayList<>();
        for (RecordComponent component : OperationState.class.getRecordComponents()) {
            if (!written.contains(component.getName())) {
                notWritten.add(component.getName());
            }
        }
        assertEquals(List.of(), notWritten, "keys OperationState reads that no state machine writes (renamed in the ASL?); written: " + written);
        assertEquals(List.of(), notifyStatesWithoutTheWholeState, "a notification state must pass the whole state (\"state.$\": \"$\")");
    }

    @Test
    void anAbsentKeyIsMissingAndAPresentOneIsRead() throws IOException {
        OperationState state = OperationState.of(JSON.readTree("{\"aliasChange\":{\"changeId\":\"/change/C1\"},\"unknownKey\":1}"));
        assertTrue(OperationState.present(state.aliasChange()));
        assertEquals("/change/C1", state.aliasChange().path("changeId").asText());
        assertFalse(OperationState.present(state.consumerMove()));
        assertEquals("x", state.consumerMove().path("anything").asText("x"), "a missing key reads as missing, never null");
    }

    /** The top-level keys the states write ($.key), and the NotifyOperators states that do not pass $ as their state. */
    private static void collect(JsonNode states, Set<String> written, List<String> notifyWithoutState) {
        states.fields().forEachRemaining(entry -> {
            JsonNode state = entry.getValue();
            List<JsonNode> resultPaths = new ArrayList<>(List.of(state.path("ResultPath")));
            state.path("Catch").forEach(handler -> resultPaths.add(handler.path("ResultPath")));
            for (JsonNode path : resultPaths) {
                if (path.isTextual() && path.asText().startsWith("$.")) {
                    written.add(path.asText().substring(2).split("\\.")[0]);
                }
            }
            if (state.path("Resource").asText().contains("NotifyOperators") && !"$".equals(state.path("Parameters").path("state.$").asText())) {
                notifyWithoutState.add(entry.getKey());
            }
            state.path("Branches").forEach(branch -> collect(branch.path("States"), written, notifyWithoutState));
        });
    }
}
