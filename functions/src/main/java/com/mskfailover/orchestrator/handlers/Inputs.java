package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.domain.AliasMove;
import com.mskfailover.orchestrator.domain.ConsumerDrain;
import com.mskfailover.orchestrator.domain.SecondaryQuietGate;
import com.mskfailover.orchestrator.domain.ForwardCatchUpCheck;
import com.mskfailover.orchestrator.domain.MoveTarget;
import com.mskfailover.orchestrator.domain.Plan;
import com.mskfailover.orchestrator.domain.PollState;
import com.mskfailover.orchestrator.domain.ReverseReplication;

import java.util.List;

/** The Parameters the state machines pass to the handlers (see statemachines/*.asl.json). */
final class Inputs {
    private Inputs() {
    }

    /** An input carrying an execution's plan, which the handler checks against its stack before anything else. */
    interface WithPlan {
        Plan plan();
    }

    record PlanOnly(Plan plan) implements WithPlan {
    }

    /** @param alreadyMoved aliases this execution moved before, which must still point at the target (may be absent) */
    record Flip(Plan plan, MoveTarget target, List<String> aliases, List<String> alreadyMoved) implements WithPlan {
    }

    record MoveOnly(AliasMove move) {
    }

    record ReplicationCheck(Plan plan, ReverseReplication replication) implements WithPlan {
    }

    /**
     * @param targets          per partition of the secondary, the position after its last application record (the quiet gate's)
     * @param producersMovedAt when the producer aliases were seen INSYNC on the primary ({@code $.producerMove.inSyncAt})
     */
    record DrainCheck(Plan plan, ReverseReplication replication, ConsumerDrain drain, java.util.Map<String, Long> targets,
                      String producersMovedAt) implements WithPlan {
    }

    record QuietCheck(Plan plan, ReverseReplication replication, SecondaryQuietGate.SecondaryQuiet quiet) implements WithPlan {
    }

    record ReplicationStop(Plan plan, ReverseReplication replication) implements WithPlan {
    }

    /** The preflight's check outcomes, one per check state (statemachines/preflight.asl.json). */
    record PreflightChecks(List<com.mskfailover.orchestrator.domain.PreflightReport.CheckOutcome> checks) {
    }

    record ForwardCheck(Plan plan, PollState poll) implements WithPlan {
    }

    record ForwardCatchUp(Plan plan, ForwardCatchUpCheck.CatchUp catchUp) implements WithPlan {
    }

    /** The execution a state runs for: {@code "id.$": "$$.Execution.Id", "startTime.$": "$$.Execution.StartTime"}. */
    record Execution(String id, String startTime) {
    }

    record LockRequest(Plan plan, Execution execution) implements WithPlan {
    }

    record ExecutionOnly(Execution execution) {
    }

    /** @param action with outcome {@code action-required}: what operators must do now ({@link com.mskfailover.orchestrator.domain.OperatorReport}) */
    record Report(String operation, String outcome, String action, com.mskfailover.orchestrator.domain.OperationState state) {
    }

    /**
     * The execution's input, which the validation states pass as {@code "input.$": "$"} next to the log context;
     * invoked directly (tests, the drill), the handler is given the start input itself. No start input has a field
     * {@code input}: the validator refuses unknown fields.
     */
    static com.fasterxml.jackson.databind.JsonNode startInput(com.fasterxml.jackson.databind.JsonNode parameters) {
        return parameters != null && parameters.isObject() && parameters.has("input") ? parameters.get("input") : parameters;
    }
}
