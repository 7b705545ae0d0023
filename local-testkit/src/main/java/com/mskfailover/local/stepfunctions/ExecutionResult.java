package com.mskfailover.local.stepfunctions;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The end of one local execution: its status (SUCCEEDED or FAILED), its output or error and cause, and the
 * timeline of its states in the order they ran (a state entered several times, like a poll, appears each time).
 */
public record ExecutionResult(String status, JsonNode output, String error, String cause, List<StateRun> timeline) {

    /** One run of one state: when it was entered and left, what it produced, and how its failures went. */
    public record StateRun(String stateName, String stateType, Instant entered, Instant exited,
                           JsonNode output, String error, String cause, int retries) {

        public Duration duration() {
            return exited == null ? Duration.ZERO : Duration.between(entered, exited);
        }

        public boolean failed() {
            return error != null;
        }
    }

    public boolean succeeded() {
        return "SUCCEEDED".equals(status);
    }

    /** The names of the states in the order they ran. */
    public List<String> statePath() {
        return timeline.stream().map(StateRun::stateName).toList();
    }

    /** How many times a state was entered. */
    public long timesEntered(String stateName) {
        return timeline.stream().filter(run -> run.stateName().equals(stateName)).count();
    }

    /** The last run of a state, if it ran. */
    public Optional<StateRun> lastRun(String stateName) {
        StateRun last = null;
        for (StateRun run : timeline) {
            if (run.stateName().equals(stateName)) {
                last = run;
            }
        }
        return Optional.ofNullable(last);
    }

    /** The timeline as a table an operator reads: start offset, duration, state, and the error of failed runs. */
    public String timelineTable() {
        StringBuilder table = new StringBuilder(String.format("%9s %9s  %-40s %s%n", "start(ms)", "took(ms)", "state", "result"));
        Instant start = timeline.isEmpty() ? Instant.EPOCH : timeline.getFirst().entered();
        for (StateRun run : timeline) {
            String result = run.failed() ? run.error() + (run.retries() > 0 ? " after " + run.retries() + " retries" : "") : "ok";
            table.append(String.format("%9d %9d  %-40s %s%n",
                    Duration.between(start, run.entered()).toMillis(), run.duration().toMillis(), run.stateName(), result));
        }
        table.append(String.format("execution %s%s%n", status, error == null ? "" : ": " + error + " - " + cause));
        return table.toString();
    }

    static ExecutionResult fromRunnerOutput(JsonNode result) {
        List<StateRun> timeline = new ArrayList<>();
        Map<String, Builder> open = new LinkedHashMap<>();
        for (JsonNode event : result.path("events")) {
            String type = event.path("type").asText();
            String stateName = event.path("stateName").asText(null);
            Instant at = Instant.ofEpochMilli(event.path("timestamp").asLong());
            if (stateName == null) {
                continue;
            }
            switch (type) {
                case "StateEntered" -> open.put(stateName, new Builder(stateName, event.path("stateType").asText(), at));
                case "StateRetried" -> open.computeIfPresent(stateName, (name, builder) -> builder.retried());
                case "StateFailed" -> open.computeIfPresent(stateName, (name, builder) -> builder.failed(event, at));
                case "StateCaught" -> { /* the failure stays on the run; the state exits next */ }
                case "StateExited" -> {
                    Builder builder = open.remove(stateName);
                    if (builder != null) {
                        timeline.add(builder.exited(event.get("output"), at));
                    }
                }
                default -> { }
            }
        }
        // A state that failed the execution has no exit event: it ends where it failed.
        open.values().forEach(builder -> timeline.add(builder.build()));
        timeline.sort((a, b) -> a.entered().compareTo(b.entered()));
        return new ExecutionResult(result.path("status").asText(), result.get("output"),
                result.path("error").asText(null), result.path("cause").asText(null), List.copyOf(timeline));
    }

    private static final class Builder {
        private final String stateName;
        private final String stateType;
        private final Instant entered;
        private Instant lastEvent;
        private String error;
        private String cause;
        private int retries;
        private JsonNode output;

        Builder(String stateName, String stateType, Instant entered) {
            this.stateName = stateName;
            this.stateType = stateType;
            this.entered = entered;
            this.lastEvent = entered;
        }

        Builder retried() {
            // The retry may still succeed: only a failure that ends the run stays on it.
            error = null;
            cause = null;
            retries++;
            return this;
        }

        Builder failed(JsonNode event, Instant at) {
            error = event.path("error").asText(null);
            cause = event.path("cause").asText(null);
            lastEvent = at;
            return this;
        }

        StateRun exited(JsonNode output, Instant at) {
            this.output = output;
            this.lastEvent = at;
            return build();
        }

        StateRun build() {
            return new StateRun(stateName, stateType, entered, lastEvent, output, error, cause, retries);
        }
    }
}
