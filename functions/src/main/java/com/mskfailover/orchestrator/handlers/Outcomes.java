package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.mskfailover.orchestrator.domain.AliasMove;
import com.mskfailover.orchestrator.domain.ForwardCatchUpCheck;
import com.mskfailover.orchestrator.domain.ImpairmentDetector;
import com.mskfailover.orchestrator.domain.OperationLocking;
import com.mskfailover.orchestrator.domain.OperatorReport;
import com.mskfailover.orchestrator.domain.Plan;
import com.mskfailover.orchestrator.domain.PollState;
import com.mskfailover.orchestrator.domain.PrimaryProbe;
import com.mskfailover.orchestrator.domain.ReadinessChecks;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.ReverseReplication;

import java.util.List;

/** What an invocation decided, in a few words: the message of the one INFO line each handler logs (JsonHandler). */
final class Outcomes {

    private static final int MAX_LENGTH = 300;

    private Outcomes() {
    }

    static String describe(Object output) {
        String text = switch (output) {
            case null -> "no result";
            case Plan plan -> plan.operation() + " planned" + (plan.planned() ? " (producers first)" : "") + (plan.dryRun() ? " (dry run)" : "") + ": topics " + plan.topics()
                    + ", reason '" + plan.reason() + "'";
            case ReadinessChecks.Readiness readiness -> "ready: " + readiness.clusterArn() + " passed " + readiness.checks().size() + " checks";
            case AliasMove move -> "aliases " + move.aliases() + " -> " + move.target() + " (change " + move.changeId() + "): " + poll(move.sync());
            case ReverseReplication replication -> "replicator " + replication.replicatorName() + ", "
                    + (replication.taskIds() == null ? 0 : replication.taskIds().size()) + " task(s)" + (replication.reused() ? " reused" : "")
                    + ", lag " + replication.lag() + ": " + poll(replication.catchUp());
            case PollState poll -> poll(poll);
            case ForwardCatchUpCheck.CatchUp catchUp -> "forward catch-up: " + poll(catchUp.poll());
            case OperationLocking.Lock lock -> (lock.held() ? "operation lock held by " + lock.owner() + ": " : "") + lock.detail();
            case OperationLocking.Release release -> "operation lock of " + release.owner() + ": " + release.detail();
            case OperatorReport.Notification notification -> "notified: " + notification.subject();
            case ImpairmentDetector.Outcome outcome -> outcome.decision() + ": " + outcome.reason()
                    + (outcome.executionName() == null ? "" : " (execution " + outcome.executionName() + ")");
            case PrimaryProbe.Result probe -> (probe.reachable() ? "primary reachable" : probe.refused() ? "primary refused the probe" : "primary unreachable")
                    + " in " + probe.probeMillis() + " ms: " + probe.detail();
            case List<?> list when list.stream().allMatch(ReplicatorTasks.TaskState.class::isInstance) ->
                    "tasks " + list.stream().map(task -> ((ReplicatorTasks.TaskState) task).status()).toList();
            default -> json(output);
        };
        return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH) + "...";
    }

    private static String poll(PollState poll) {
        if (poll == null) {
            return "not checked yet";
        }
        return (poll.done() ? "done" : "not yet") + " after " + poll.attempts() + " check(s), deadline " + poll.deadline() + ": " + poll.detail();
    }

    private static String json(Object output) {
        try {
            return JsonHandler.JSON.writeValueAsString(output);
        } catch (JsonProcessingException e) {
            return String.valueOf(output);
        }
    }
}
