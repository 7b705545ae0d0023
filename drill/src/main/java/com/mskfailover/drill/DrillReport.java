package com.mskfailover.drill;

import com.mskfailover.local.stepfunctions.ExecutionResult;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The drill's timeline (each step and each state it ran, with durations) and its summary and expectations. */
final class DrillReport {

    record Step(String name, Instant started, Instant ended) {
        Duration duration() {
            return Duration.between(started, ended);
        }
    }

    record Expectation(String what, boolean met, String actual) {
    }

    private final Instant start = Instant.now();
    private Instant ended;
    private final PrintStream out;
    private final String title;
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, ExecutionResult> executions = new LinkedHashMap<>();
    private final Map<String, String> figures = new LinkedHashMap<>();
    private final List<Expectation> expectations = new ArrayList<>();

    DrillReport(PrintStream out, String title) {
        this.out = out;
        this.title = title;
    }

    /** The scenario reported on. */
    String title() {
        return title;
    }

    /** From the report's creation to now (to its summary, once printed). */
    Duration elapsed() {
        return Duration.between(start, ended == null ? Instant.now() : ended);
    }

    interface StepBody<T> {
        T run() throws Exception;
    }

    /** Runs one step of the walkthrough, timing it and printing it as it ends. */
    <T> T step(String name, StepBody<T> body) throws Exception {
        Instant started = Instant.now();
        out.printf("%8.1fs  %s ...%n", seconds(started), name);
        T result = body.run();
        Instant ended = Instant.now();
        String detail = result == null ? "" : result instanceof ExecutionResult execution ? execution.status() : String.valueOf(result);
        steps.add(new Step(name, started, ended));
        out.printf("%8.1fs  %s: done in %d ms%s%n", seconds(ended), name, Duration.between(started, ended).toMillis(),
                detail.isEmpty() ? "" : " (" + detail + ")");
        return result;
    }

    /** Prints an execution's states in the order they first ran; a polling loop's states once, with their count. */
    void execution(String stateMachine, ExecutionResult result) {
        executions.put(stateMachine, result);
        Map<String, List<ExecutionResult.StateRun>> runsByState = new LinkedHashMap<>();
        result.timeline().forEach(run -> runsByState.computeIfAbsent(run.stateName(), name -> new ArrayList<>()).add(run));
        Instant executionStart = result.timeline().isEmpty() ? Instant.now() : result.timeline().getFirst().entered();
        out.println();
        out.printf("  %s execution %s%s%n", stateMachine, result.status(), result.error() == null ? "" : ": " + result.error());
        out.printf("    %9s %6s %9s  %-36s %s%n", "start(ms)", "runs", "took(ms)", "state", "last result");
        runsByState.forEach((state, runs) -> {
            ExecutionResult.StateRun last = runs.getLast();
            long took = runs.stream().mapToLong(run -> run.duration().toMillis()).sum();
            String lastResult = last.failed() ? last.error() + (last.retries() > 0 ? " after " + last.retries() + " retries" : "") : "ok";
            out.printf("    %9d %6d %9d  %-36s %s%n", Duration.between(executionStart, runs.getFirst().entered()).toMillis(),
                    runs.size(), took, state, lastResult);
        });
        if (result.cause() != null) {
            out.println("    cause: " + result.cause());
        }
        out.println();
    }

    void figure(String name, Object value) {
        figures.put(name, String.valueOf(value));
    }

    /** Records whether an expectation held; the drill fails at the end if any did not. */
    boolean expect(String what, boolean met, Object actual) {
        expectations.add(new Expectation(what, met, String.valueOf(actual)));
        out.printf("          %s %s%s%n", met ? "ok  " : "FAIL", what, met ? "" : " (was: " + actual + ")");
        return met;
    }

    boolean allMet() {
        return !expectations.isEmpty() && expectations.stream().allMatch(Expectation::met);
    }

    List<Expectation> expectations() {
        return List.copyOf(expectations);
    }

    Map<String, String> figures() {
        return Map.copyOf(figures);
    }

    Map<String, ExecutionResult> executions() {
        return Map.copyOf(executions);
    }

    void printSummary() {
        ended = Instant.now();
        out.println();
        out.println("Timeline");
        out.printf("  %9s %9s  %s%n", "start(s)", "took(ms)", "step");
        for (Step step : steps) {
            out.printf("  %9.1f %9d  %s%n", seconds(step.started()), step.duration().toMillis(), step.name());
        }
        out.println();
        out.println("Summary of " + title);
        figures.forEach((name, value) -> out.printf("  %-44s %s%n", name, value));
        long failed = expectations.stream().filter(expectation -> !expectation.met()).count();
        out.printf("  %-44s %d of %d met%n", "expectations", expectations.size() - failed, expectations.size());
        expectations.stream().filter(expectation -> !expectation.met())
                .forEach(expectation -> out.printf("  FAILED: %s (was: %s)%n", expectation.what(), expectation.actual()));
        out.println((allMet() ? "DRILL PASSED" : "DRILL FAILED") + " (" + title + ", " + elapsed().toSeconds() + " s)");
    }

    private double seconds(Instant at) {
        return Duration.between(start, at).toMillis() / 1000.0;
    }
}
