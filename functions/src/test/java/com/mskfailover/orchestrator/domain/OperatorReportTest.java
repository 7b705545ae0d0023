package com.mskfailover.orchestrator.domain;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OperatorReportTest {

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
}
