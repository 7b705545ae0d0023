package com.mskfailover.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.mskfailover.local.stepfunctions.ExecutionResult;

/**
 * No traffic at all around the failback: nothing is produced on the secondary after the failover (the reverse flow
 * has nothing to copy, the quiet gates see no application record, the handover moves nothing) nor on the primary
 * while the failback runs, so VerifyForwardReplication sees a forward flow with no throughput and must pass on a
 * fresh lag of 0. One message produced afterwards through the producer alias must then reach the secondary.
 */
final class QuietFailbackScenario implements Scenario {

    @Override
    public String name() {
        return "quiet-failback";
    }

    @Override
    public String summary() {
        return "no traffic during the failback: it passes VerifyForwardReplication on lag 0, and the forward flow then copies a message";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.setUp(1);
        run.impairPrimary();
        run.expectSucceeded("failover", run.failover());
        run.recoverPrimary();
        ExecutionResult failback = run.report.step("Start the failback, nothing produced anywhere", run.controlPlane::runFailback);
        run.report.execution("Failback (no traffic)", failback);
        run.failbackSucceeded(failback);
        var verified = failback.lastRun("VerifyForwardReplication");
        JsonNode check = verified.map(state -> state.output().path("forwardReplication")).orElse(null);
        String seen = check == null ? "VerifyForwardReplication did not run" : check.path("detail").asText();
        run.report.figure("VerifyForwardReplication", seen + (check == null ? "" : " (" + check.path("attempts").asInt() + " checks, "
                + failback.timeline().stream().filter(state -> state.stateName().equals("VerifyForwardReplication"))
                .mapToLong(state -> state.duration().toMillis()).sum() + " ms in the state)"));
        run.report.expect("VerifyForwardReplication passed on lag 0 with no throughput",
                check != null && check.path("done").asBoolean() && seen.matches("running, 0(\\.0)?/s, lag 0: .*"), seen);
        JsonNode reverse = figure(run, failback, "CheckReverseReplicationLag", "reverseReplication");
        run.report.expect("the reverse flow had nothing to copy (lag 0 from its start)",
                reverse.path("progress").path("startLag").asLong(-1) == 0 && reverse.path("lag").asLong(-1) == 0, reverse.path("progress"));
        JsonNode quiet = figure(run, failback, "CheckSecondaryQuiet", "secondaryQuiet");
        run.report.expect("the quiet gate saw no application record on the secondary, no writer",
                quiet.path("writers").isEmpty() && quiet.path("poll").path("done").asBoolean()
                        && quiet.path("poll").path("detail").asText().startsWith("no application record on the secondary"), quiet.path("poll").path("detail"));
        JsonNode drain = figure(run, failback, "CheckSecondaryConsumersDrained", "consumerDrain");
        run.report.expect("the handover found msk-consumer with nothing to read on the secondary",
                drain.path("readEverything").asBoolean() && drain.path("stillConnected").isEmpty(), drain.path("poll").path("detail"));
        run.produce("the producer alias (the primary, after a quiet verification)", 1);
        run.awaitSecondaryHoldsEverything("The forward flow copies it to the secondary");
        run.finish();
    }

    /** What a state of the failback last saw, as its result holds it under {@code resultPath}. */
    private static JsonNode figure(DrillRun run, ExecutionResult failback, String state, String resultPath) {
        JsonNode seen = failback.lastRun(state).map(last -> last.output().path(resultPath))
                .orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
        run.report.figure(state, seen.isMissingNode() ? state + " did not run" : seen.toString());
        return seen;
    }
}
