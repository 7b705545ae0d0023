package com.mskfailover.orchestrator.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The notifications where operators must act in the middle of a failback, and what they say about switched-off checks. */
class OperatorReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final OperatorReport report = new OperatorReport();

    private static ObjectNode failbackState() {
        ObjectNode state = JSON.createObjectNode();
        state.putObject("plan").put("aliasTtlSeconds", 60).put("reason", "primary recovered");
        state.putObject("producerMove").put("changeId", "/change/C1");
        ObjectNode quiet = state.putObject("secondaryQuiet");
        quiet.putObject("poll").put("done", false).put("detail", "applications still write to the secondary: customer-0: 2 application record(s)");
        quiet.putArray("writers").add("customer-0 producer id 7 (last write 2026-12-07T18:00:00Z)");
        return state;
    }

    @Test
    void restartProducersNamesWhoStillWritesToTheSecondaryAndTheTtlWaitedOut() {
        var notification = report.actionRequired("failback", "restart-producers", failbackState());
        assertEquals("MSK failback: restart producers now", notification.subject());
        assertTrue(notification.message().contains("Still writing to the secondary: customer-0 producer id 7 (last write 2026-12-07T18:00:00Z)")
                && notification.message().contains("the 60 s TTL waited out"), notification.message());
    }

    @Test
    void stopConsumersNamesTheMembersStillConnected() {
        ObjectNode state = failbackState();
        state.putObject("consumerDrain").putArray("stillConnected").add("group g still has 1 active member(s) on the secondary [c@/10.0.0.1]: stop its consumers there");
        var notification = report.actionRequired("failback", "stop-consumers", state);
        assertTrue(notification.message().contains("Stop the consumers on the secondary now: group g still has 1 active member(s)"), notification.message());
    }

    @Test
    void aCheckSwitchedOffByForceIsSaidInEveryNotification() {
        ObjectNode state = failbackState();
        state.putArray("force").add("emptyConsumerGroups");
        String expected = "Checks switched off by \"force\" in the input: [\"emptyConsumerGroups\"]";
        assertTrue(report.actionRequired("failback", "restart-producers", state).message().contains(expected));
        assertTrue(report.report("failback", "succeeded", state).message().contains(expected));
        for (String outcome : java.util.List.of("failed", "dry-run", "refused")) {
            assertTrue(report.report("failback", outcome, state).message().contains(expected), outcome + ": " + report.report("failback", outcome, state));
        }
    }

    @Test
    void whatTheReadinessChecksWarnOfIsSaidInTheFailoversNotification() {
        ObjectNode state = JSON.createObjectNode();
        state.putObject("plan").put("reason", "alarm");
        state.putObject("secondaryReadiness").putArray("warnings").add("group g has no offset on the secondary for [customer]");
        String message = report.report("failover", "succeeded", state).message();
        assertTrue(message.contains("Warnings of the checks: group g has no offset on the secondary for [customer]"), message);
    }

    @Test
    void anUnknownActionIsRefusedNamingTheKnownOnes() {
        var refused = assertThrows(InvalidInputException.class, () -> report.actionRequired("failback", "reboot", failbackState()));
        assertEquals("action", refused.field());
        assertTrue(refused.getMessage().contains("restart-producers"), refused.getMessage());
    }

    @Test
    void aRefusedDeleteOfTheReverseMskReplicatorSaysHowToFinishByHandNotToStartAgain() throws Exception {
        String arn = "arn:aws:kafka:us-east-1:123456789012:replicator/failback-replicator/r-1";
        var state = new ObjectMapper().readTree("""
                {"plan": {"reason": "primary back"}, "reverseReplication": {"taskIds": ["%s"], "lag": 0},
                 "producerMove": {"changeId": "/change/A"}, "consumerMove": {"changeId": "/change/B"},
                 "error": {"Error": "com.mskfailover.orchestrator.domain.NotReadyException",
                           "Cause": "NotReadyException: refusing to delete MSK Replicator failback-replicator"}}
                """.formatted(arn));

        String message = new OperatorReport().report("failback", "failed", state).message();

        assertTrue(message.contains("How to resume: every client is on the primary already; the reverse MSK Replicator " + arn + " keeps running."), message);
        assertTrue(message.contains("aws kafka delete-replicator --region us-east-1 --replicator-arn " + arn), message);
        assertFalse(message.contains("ecs stop-task"), "an MSK Replicator is no ECS task: " + message);
    }

    @Test
    void aFailbackStoppedBeforeTheConsumersMovedSpeaksOfTheReverseFlowInUseAndTheAliasStoreInUse() throws Exception {
        String arn = "arn:aws:kafka:us-east-1:123456789012:replicator/failback-replicator/r-1";
        var state = new ObjectMapper().readTree("""
                {"plan": {"reason": "primary back"}, "reverseReplication": {"taskIds": ["%s"], "lag": 0,
                   "progress": {"startLag": 5000, "startedAt": "2026-12-07T10:00:00Z", "lag": 0, "percentCopied": 100, "recordsPerSecond": 50.0, "secondsLeft": 0}},
                 "producerMove": {"changeId": "arc-routing-control:primary:producer-alias"},
                 "error": {"Error": "com.mskfailover.orchestrator.domain.WaitTimedOutException", "Cause": "drain timed out"}}
                """.formatted(arn));

        String message = new OperatorReport().report("failback", "failed", state).message();

        assertTrue(message.contains("keep the reverse MSK Replicator " + arn + " running"), message);
        assertTrue(message.contains("the re-run hands the groups' offsets over itself"), message);
        assertTrue(message.contains("an MSK Replicator of the same name that is running is reused"), message);
        assertTrue(message.contains("To abandon the failback instead: aws kafka delete-replicator --region us-east-1 --replicator-arn " + arn), message);
        assertTrue(message.contains("producer aliases moved to the primary (routing control change primary:producer-alias)"), message);
        assertTrue(message.contains("last lag 0 (100% of the 5000 records behind at 2026-12-07T10:00:00Z copied, 50.0 records/s, about 0 s left)"), message);
        assertFalse(message.contains("replicator-task") || message.contains("ecs stop-task") || message.contains("Route 53"),
                "MSK Replicator mode with ARC aliases: " + message);
    }
}
