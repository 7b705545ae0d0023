package com.mskfailover.orchestrator.statemachines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.domain.PollState;
import com.mskfailover.orchestrator.domain.Timeouts;
import com.mskfailover.orchestrator.domain.WaitTimedOutException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Standard execution fails at 25,000 history events, and nothing can catch that to notify anyone. This walks the
 * real state machine files along the longest successful run the input bounds allow ({@link Timeouts#longestAllowed()}):
 * Wait states advance a virtual clock by their Seconds, Lambdas take no time (slower Lambdas only mean fewer rounds),
 * and every polling check answers "not yet" for as long as the real {@link PollState} lets it, succeeding on its last
 * check. Events per state are Step Functions' history events: Task (Lambda) 5 (entered, scheduled, started, succeeded,
 * exited), each retried attempt 3 more, Wait/Choice/Pass/Succeed 2, the execution itself 2.
 */
class ExecutionHistoryBudgetTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int STEP_FUNCTIONS_HISTORY_LIMIT = 25_000;
    /** What the longest fault-free run may use: the rest is headroom for retried attempts. */
    static final int BUDGET = 20_000;

    private static final Map<String, ToIntFunction<Timeouts>> TIMEOUT_OF_LOOP = Map.of(
            "aliasSync", Timeouts::aliasSyncSeconds,
            "catchUp", Timeouts::replicationCatchUpSeconds,
            "drain", Timeouts::consumerDrainSeconds,
            "forward", Timeouts::forwardReplicationSeconds);
    /** The loop each polling check belongs to. */
    private static final Map<String, String> CHECKS = Map.of(
            "${CheckAliasesInSyncFunctionArn}", "aliasSync",
            "${CheckReverseReplicationLagFunctionArn}", "catchUp",
            "${CheckSecondaryConsumersDrainedFunctionArn}", "drain",
            "${CheckSecondaryQuietFunctionArn}", "drain",
            "${VerifyForwardReplicationFunctionArn}", "forward",
            "${CheckForwardReplicationCaughtUpFunctionArn}", "catchUp");
    /** The Tasks that fix their loop's deadline when they run (PollState.starting); the other loops fix it at their first check. */
    private static final Map<String, String> STARTERS = Map.of(
            "${FlipBootstrapAliasesFunctionArn}", "aliasSync",
            "${StartReverseReplicationFunctionArn}", "catchUp");

    @Test
    void theLongestAllowedFailbackAndFailoverStayFarBelowTheHistoryLimit() throws IOException {
        Timeouts longest = Timeouts.longestAllowed();
        Run failback = longestRun("failback", longest, 0);
        Run failover = longestRun("failover", longest, 0);
        System.out.printf("longest allowed run: failback %d events over %.1f h, failover %d events over %.1f h (limit %d)%n",
                failback.events(), failback.seconds() / 3600.0, failover.events(), failover.seconds() / 3600.0, STEP_FUNCTIONS_HISTORY_LIMIT);
        assertTrue(failback.events() <= BUDGET, "failback: " + failback);
        assertTrue(failover.events() <= BUDGET, "failover: " + failover);
        // Every polling check of that run retried once (a Lambda service error, 2 s later): more events per round,
        // but rounds are longer, so fewer of them; still inside the limit.
        Run withRetries = longestRun("failback", longest, 1);
        System.out.println("with one retried attempt per Task: failback " + withRetries);
        assertTrue(withRetries.events() < STEP_FUNCTIONS_HISTORY_LIMIT, withRetries.toString());
    }

    @Test
    void theLongestFailoverIsThePlannedOneAndItsCatchUpWaitIsBoundedByItsTimeout() throws IOException {
        Timeouts longest = Timeouts.longestAllowed();
        Run longestFailover = longestRun("failover", longest, 0);
        Run unplanned = longestRun("failover", longest, 0, Map.of("Planned?", "FlipAliasesToSecondary"));
        assertTrue(longestFailover.visits().containsKey("CheckForwardReplicationCaughtUp"), longestFailover.toString());
        assertTrue(longestFailover.events() > unplanned.events(), longestFailover + " vs " + unplanned);
        // Its catch-up rounds: Wait 15 s each until replicationCatchUpSeconds has passed.
        assertEquals(longest.replicationCatchUpSeconds() / 15 + 1, longestFailover.visits().get("CheckForwardReplicationCaughtUp"),
                longestFailover.toString());
    }

    @Test
    void theOldSevenDayBoundWouldHaveKilledTheFailbackSilently() throws IOException {
        // The model is not vacuous: what the input validator allowed before (7 days per loop) goes far past the limit.
        Run sevenDays = longestRun("failback", new Timeouts(7 * 86_400, 7 * 86_400, 7 * 86_400, 7 * 86_400), 0);
        assertTrue(sevenDays.events() > STEP_FUNCTIONS_HISTORY_LIMIT, sevenDays.toString());
    }

    @Test
    void theLoopRoundsAreWhatPollStateAllows() throws IOException {
        // Failover with a 12 s alias sync: the flip fixes the deadline (12 s later), then Wait 5 -> check: checks 5, 10
        // and 15 s after the flip, the third past the deadline (the last one allowed), each round Wait 2 + Task 5 + Choice 2.
        Run run = longestRun("failover", new Timeouts(12, 1, 1, 1), 0, Map.of("Planned?", "FlipAliasesToSecondary"));
        int fixed = 2 /* execution */ + 5 * 5 /* validate, acquire the lock, ready, flip, release the lock */ + 2 * 2 /* DryRun?, Planned? */
                + 5 + 2 /* notify, succeed */;
        assertEquals(fixed + 3 * 9, run.events(), run.toString());
        assertEquals(15, run.seconds());
        assertEquals(3, run.visits().get("CheckAliasesInSync"));
    }

    @Test
    void theOperationLocksLeaseIsTheStateMachinesTimeoutAndOutlastsTheirLongestRunWithEveryRetrySpent() throws IOException {
        // The lease must never end while its execution runs: Step Functions stops an execution at TimeoutSeconds, and the
        // lease is that long from the execution's start. That timeout must in turn never stop a run the inputs allow.
        for (String machine : java.util.List.of("failover", "failback")) {
            JsonNode definition = JSON.readTree(StateMachineRun.definition(machine).toFile());
            assertEquals(com.mskfailover.orchestrator.domain.OperationLocking.LEASE.toSeconds(), definition.path("TimeoutSeconds").asLong(), machine);
            Run longest = longestRun(machine, Timeouts.longestAllowed(), 0);
            // The walk's Lambdas take no time. In truth each Task may spend its whole Retry budget, every attempt the
            // function's Timeout; a polling loop still ends at its deadline, overshooting by at most the check begun
            // before it and the one after: every Task state visited is counted twice at its worst.
            long worst = longest.seconds();
            for (String state : longest.visits().keySet()) {
                if (definition.path("States").path(state).path("Type").asText().equals("Task")) {
                    worst += 2 * worstTaskSeconds(definition.path("States").path(state));
                }
            }
            System.out.printf("%s: longest allowed run %.1f h with instant Lambdas, %.1f h with every Task at its worst; timeout and lease %.1f h%n",
                    machine, longest.seconds() / 3600.0, worst / 3600.0, definition.path("TimeoutSeconds").asLong() / 3600.0);
            assertTrue(worst < definition.path("TimeoutSeconds").asLong(), machine + ": " + worst + " s");
        }
    }

    /** Every attempt a Task's Retry allows, each the functions' whole Timeout, and every interval between them. */
    private static long worstTaskSeconds(JsonNode task) {
        long functionTimeout = 90;
        long seconds = functionTimeout;
        for (JsonNode retrier : task.path("Retry")) {
            int attempts = retrier.path("MaxAttempts").asInt(3);
            double interval = retrier.path("IntervalSeconds").asDouble(1);
            for (int attempt = 0; attempt < attempts; attempt++) {
                seconds += functionTimeout + (long) Math.ceil(interval * Math.pow(retrier.path("BackoffRate").asDouble(2), attempt));
            }
        }
        return seconds;
    }

    record Run(int events, long seconds, Map<String, Integer> visits) {
    }

    private static Clock at(long virtualSeconds) {
        return Clock.fixed(Instant.EPOCH.plusSeconds(virtualSeconds), ZoneOffset.UTC);
    }

    /** A Choice that is not a polling loop, met before the run decided which way it goes. */
    private static final class Branch extends RuntimeException {
        final String choice;
        final java.util.List<String> ways;

        Branch(String choice, java.util.List<String> ways) {
            super(choice, null, false, false);
            this.choice = choice;
            this.ways = ways;
        }
    }

    /** The longest success path over every way the Choices that are not polling loops (DryRun?, Planned?) can go. */
    static Run longestRun(String machine, Timeouts timeouts, int retriesPerTask) throws IOException {
        return longestRun(machine, timeouts, retriesPerTask, Map.of());
    }

    static Run longestRun(String machine, Timeouts timeouts, int retriesPerTask, Map<String, String> decided) throws IOException {
        try {
            return walk(machine, timeouts, retriesPerTask, decided);
        } catch (Branch branch) {
            Run longest = null;
            for (String way : branch.ways) {
                Map<String, String> next = new HashMap<>(decided);
                next.put(branch.choice, way);
                Run run = longestRun(machine, timeouts, retriesPerTask, next);
                longest = longest == null || run.events() > longest.events() ? run : longest;
            }
            return longest;
        }
    }

    /** Walks the success path; {@code retriesPerTask} failed attempts (3 events and 2 s each) before every Task succeeds. */
    private static Run walk(String machine, Timeouts timeouts, int retriesPerTask, Map<String, String> decided) throws IOException {
        JsonNode states = JSON.readTree(StateMachineRun.definition(machine).toFile()).path("States");
        String current = JSON.readTree(StateMachineRun.definition(machine).toFile()).path("StartAt").asText();
        long now = 0;
        int events = 2;
        Map<String, Integer> visits = new HashMap<>();
        Map<String, PollState> loops = new HashMap<>();
        boolean lastCheckDone = true;
        while (current != null) {
            JsonNode state = states.path(current);
            visits.merge(current, 1, Integer::sum);
            if (visits.get(current) > 10_000_000) {
                throw new AssertionError(machine + ": " + current + " visited without end");
            }
            String next = state.path("Next").asText(null);
            switch (state.path("Type").asText()) {
                case "Task" -> {
                    events += 5 + 3 * retriesPerTask;
                    now += 2L * retriesPerTask;
                    String resource = state.path("Resource").asText();
                    if (STARTERS.containsKey(resource)) {
                        String loop = STARTERS.get(resource);
                        loops.put(loop, PollState.starting(TIMEOUT_OF_LOOP.get(loop).applyAsInt(timeouts), at(now)));
                    }
                    if (CHECKS.containsKey(resource)) {
                        String loop = CHECKS.get(resource);
                        lastCheckDone = check(loops, loop, TIMEOUT_OF_LOOP.get(loop).applyAsInt(timeouts), now);
                    }
                }
                case "Wait" -> {
                    events += 2;
                    now += state.path("Seconds").asLong();
                }
                case "Choice" -> {
                    events += 2;
                    if (!"Wait".equals(states.path(state.path("Default").asText()).path("Type").asText())) {
                        // Not a polling loop (DryRun?, Planned?): each way is walked, the longest counts.
                        if (!decided.containsKey(current)) {
                            java.util.List<String> ways = new java.util.ArrayList<>();
                            state.path("Choices").forEach(choice -> ways.add(choice.path("Next").asText()));
                            ways.add(state.path("Default").asText());
                            throw new Branch(current, ways);
                        }
                        next = decided.get(current);
                        break;
                    }
                    // The first choice leaves the loop (its check said done); Default goes round through the Wait.
                    next = lastCheckDone ? state.path("Choices").get(0).path("Next").asText() : state.path("Default").asText();
                    if (lastCheckDone) {
                        loops.clear();
                    }
                }
                case "Pass", "Succeed" -> events += 2;
                case "Fail" -> throw new AssertionError(machine + ": the success path reached " + current);
                default -> throw new AssertionError(machine + ": state type of " + current + " is not modelled: " + state.path("Type"));
            }
            current = "Succeed".equals(state.path("Type").asText()) ? null : next;
        }
        return new Run(events, now, visits);
    }

    /** One check of a loop at virtual time {@code now}: not done while PollState allows another round, done on the last. */
    private static boolean check(Map<String, PollState> loops, String loop, int timeoutSeconds, long now) {
        PollState poll = loops.getOrDefault(loop, new PollState(timeoutSeconds, null, 0, false, "not checked yet"));
        try {
            loops.put(loop, poll.afterCheck(false, "still waiting", "the longest run", at(now)));
            return false;
        } catch (WaitTimedOutException lastAllowedCheck) {
            return true;
        }
    }
}
