package com.mskfailover.orchestrator.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Writes the notification that ends every execution: what happened, why it stopped, how far it got and how to
 * resume. How far it got is read from the execution's state data ({@link OperationState}): each step leaves its result
 * under its own key ($.aliasChange, $.reverseReplication, $.producerMove, ...), so the keys present say which steps finished.
 */
public final class OperatorReport {

    public record Notification(String subject, String message) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public Notification report(String operation, String outcome, JsonNode state) {
        return report(operation, outcome, OperationState.of(state));
    }

    public Notification report(String operation, String outcome, OperationState state) {
        if ("dry-run".equals(outcome)) {
            return dryRun(operation, state);
        }
        if ("refused".equals(outcome)) {
            return refused(operation, state);
        }
        boolean failed = !"succeeded".equals(outcome);
        String reason = state.plan().path("reason").asText(state.reason().asText("not given"));
        StringBuilder message = new StringBuilder();
        message.append(capitalized(operation)).append(failed ? " FAILED" : " succeeded").append(".\n");
        message.append("Reason for the ").append(operation).append(": ").append(reason).append('\n');
        if (failed) {
            JsonNode error = state.error();
            message.append("Error: ").append(error.path("Error").asText("unknown")).append('\n');
            message.append("Cause: ").append(causeMessage(error.path("Cause").asText(""))).append('\n');
        }
        message.append("Progress: ").append(progress(operation, state)).append('\n');
        message.append(forced(state));
        message.append(warnings(state));
        if (failed) {
            message.append("How to resume: ").append(resume(operation, state)).append('\n');
        }
        String subject = "MSK " + operation + (failed ? " FAILED: " + state.error().path("Error").asText("unknown error") : " succeeded");
        // SNS subjects are limited to 100 characters.
        return new Notification(subject.length() > 100 ? subject.substring(0, 100) : subject, message.toString());
    }

    /**
     * A notification in the middle of a failback, where people must act for it to go on: what to do now and what is
     * still connected where it should not be, from the execution's state data.
     */
    public Notification actionRequired(String operation, String action, JsonNode state) {
        return actionRequired(operation, action, OperationState.of(state));
    }

    public Notification actionRequired(String operation, String action, OperationState state) {
        String quiet = state.secondaryQuiet().path("poll").path("detail").asText("not checked yet");
        String writers = writers(state.secondaryQuiet().path("writers"));
        String ttl = state.plan().path("aliasTtlSeconds").asText("?");
        String connected = joined(state.consumerDrain().path("stillConnected"), "none");
        String[] subjectAndMessage = switch (action) {
            case "restart-producers" -> new String[] {"restart producers now",
                    "The producer aliases point at the primary (" + change(state.producerMove())
                            + ", INSYNC, the " + ttl + " s TTL waited out). A producer resolves an alias only when it connects: restart every producer now.\n"
                            + "Still writing to the secondary: " + writers + ".\n"
                            + "The failback waits (state CheckSecondaryQuiet) until no record of an application arrives on the secondary between two checks,"
                            + " then lets the consumers there read what those producers wrote. Last seen: " + quiet + "\n"};
            case "stop-consumers" -> new String[] {"stop consumers on the secondary now",
                    "Every consumer group has read every record applications wrote on the secondary. Stop the consumers on the secondary now: "
                            + connected + ".\n"
                            + "They resume on the primary exactly after what they read: the failback moves the consumer aliases once they have stopped"
                            + " and the reverse flow has synced their offsets onto the primary (state CheckSecondaryConsumersDrained), then tells you to start them.\n"};
            case "start-consumers" -> new String[] {"start consumers on the primary now",
                    "The consumer aliases point at the primary (" + change(state.consumerMove())
                            + ", INSYNC, the " + ttl + " s TTL waited out) and the groups' offsets are there. Start the consumers now: they resolve the"
                            + " alias to the primary and resume exactly after what they read on the secondary.\n"
                            + "Still connected to the secondary at the last check: " + connected + ".\n"};
            case "producers-still-on-secondary" -> new String[] {"a producer still writes to the secondary",
                    "Records of an application still arrive on the secondary after the producers were moved: " + writers + ".\n"
                            + "Restart that producer (it keeps a connection it opened before the move and resolves the alias again only on restart)."
                            + " Nothing stays on the secondary only: the failback keeps the reverse flow copying to the primary, where the consumers"
                            + " read, until no such record arrives between two checks (state CheckSecondaryStillQuiet). Last seen: " + quiet + "\n"};
            default -> throw new InvalidInputException("action", "is not a known action (restart-producers, stop-consumers, start-consumers, "
                    + "producers-still-on-secondary), not '" + action + "'");
        };
        String message = capitalized(operation) + " needs you: " + subjectAndMessage[0] + ".\n" + subjectAndMessage[1]
                + "Progress: " + progress(operation, state) + "\n" + forced(state);
        return new Notification("MSK " + operation + ": " + subjectAndMessage[0], message);
    }

    /** The checks the input switched off ({@code force}), said in every notification of the execution. */
    private static String forced(OperationState state) {
        return state.force().size() > 0 ? "Checks switched off by \"force\" in the input: " + state.force() + "\n" : "";
    }

    /** What the readiness checks found although they refused nothing (a group's offsets the primary could not vouch for). */
    private static String warnings(OperationState state) {
        JsonNode warnings = state.secondaryReadiness().path("warnings");
        return warnings.size() > 0 ? "Warnings of the checks: " + joined(warnings, "") + "\n" : "";
    }

    private static String writers(JsonNode writers) {
        return joined(writers, "no producer named (none wrote since the last check)");
    }

    private static String joined(JsonNode items, String none) {
        java.util.List<String> texts = new java.util.ArrayList<>();
        items.forEach(item -> texts.add(item.asText()));
        return texts.isEmpty() ? none : String.join("; ", texts);
    }

    /** A dry run that reached its end: every check passed and nothing was changed. */
    private static Notification dryRun(String operation, OperationState state) {
        JsonNode checks = "failover".equals(operation) ? state.secondaryReadiness() : state.primaryHealth();
        String message = capitalized(operation) + " dry run passed: every check a real " + operation + " makes first passed,"
                + " and nothing was changed (no alias moved, no replication started).\n"
                + "Reason for the dry run: " + state.plan().path("reason").asText("not given") + "\n"
                + "Checks: " + checks + "\n"
                + "Plan: topics " + state.plan().path("topics") + ", aliases " + state.plan().path("allAliases") + "\n"
                + "Operation lock: " + state.lock().path("detail").asText("not read") + "\n"
                + forced(state)
                + "To run it: start the same input without \"dryRun\".\n";
        return new Notification("MSK " + operation + " dry run passed", message);
    }

    /** Another operation held the lock: this execution stopped before it changed anything. */
    private static Notification refused(String operation, OperationState state) {
        String message = capitalized(operation) + " REFUSED: another failover or failback is running, and only one runs at a time.\n"
                + "Reason for the " + operation + ": " + state.plan().path("reason").asText("not given") + "\n"
                + causeMessage(state.error().path("Cause").asText("")) + "\n"
                + "Progress: nothing was changed (no alias moved, no replication started).\n" + forced(state);
        return new Notification("MSK " + operation + " REFUSED: another operation is running", message);
    }

    /** Lambda's Cause is a JSON document with errorMessage; the local interpreter gives "type: message". */
    static String causeMessage(String cause) {
        if (cause.startsWith("{")) {
            try {
                return JSON.readTree(cause).path("errorMessage").asText(cause);
            } catch (Exception e) {
                return cause;
            }
        }
        return cause;
    }

    private static String progress(String operation, OperationState state) {
        if (!OperationState.present(state.plan())) {
            return "the input was rejected; nothing was changed.";
        }
        if ("failover".equals(operation)) {
            if (OperationState.present(state.producerMove()) && !OperationState.present(state.aliasChange())) {
                JsonNode move = state.producerMove();
                return "planned failover: the producer aliases " + move.path("aliases") + " were pointed at the secondary in "
                        + change(move) + (move.path("sync").path("done").asBoolean() ? " (INSYNC)" : " (not seen INSYNC yet)")
                        + "; the consumer aliases still point at the primary" + (OperationState.present(state.forwardCatchUp())
                        ? " (waiting for the forward flow: " + state.forwardCatchUp().path("poll").path("detail").asText() + ")." : ".");
            }
            if (!OperationState.present(state.aliasChange())) {
                return "nothing was changed: the aliases still point at the primary.";
            }
            JsonNode change = state.aliasChange();
            return "the aliases " + change.path("aliases") + " were pointed at the secondary in "
                    + change(change) + (change.path("sync").path("done").asBoolean() ? " (INSYNC)." : " (not seen INSYNC yet).");
        }
        StringBuilder done = new StringBuilder();
        if (OperationState.present(state.primaryHealth())) {
            done.append("primary healthy; ");
        }
        if (OperationState.present(state.reverseReplication())) {
            JsonNode replication = state.reverseReplication();
            done.append("reverse flow ").append(replication.path("taskIds")).append(" (secondary -> primary) started, last lag ")
                    .append(replication.path("lag").asLong(-1));
            JsonNode progress = replication.path("progress");
            if (progress.isObject()) {
                done.append(" (").append(JSON.convertValue(progress, CatchUpProgress.class).describe()).append(")");
            }
            done.append("; ");
        }
        if (OperationState.present(state.producerMove())) {
            done.append("producer aliases moved to the primary (").append(change(state.producerMove())).append("); ");
        }
        if (OperationState.present(state.secondaryQuiet())) {
            JsonNode quiet = state.secondaryQuiet();
            done.append("the secondary ").append(quiet.path("poll").path("done").asBoolean() ? "quiet" : "not quiet yet")
                    .append(" (producers still writing there: ").append(writers(quiet.path("writers"))).append("); ");
        }
        if (OperationState.present(state.consumerMove())) {
            done.append("consumer aliases moved to the primary (").append(change(state.consumerMove())).append("); ");
        }
        if (OperationState.present(state.reverseReplicationStop())) {
            done.append(state.reverseReplication().path("taskIds").path(0).asText().startsWith("arn:aws:kafka:")
                    ? "reverse MSK Replicator deleted; " : "replicator-task stopped; ");
        }
        return done.isEmpty() ? "nothing was changed." : done.toString();
    }

    private static String resume(String operation, OperationState state) {
        if (!OperationState.present(state.plan())) {
            return "fix the input field named in the cause and start a new execution.";
        }
        String again = "fix the cause, then start a new " + operation + " execution with the same input"
                + " (aws stepfunctions start-execution --state-machine-arn <" + capitalized(operation)
                + "StateMachineArn output of the stack> --input file://events/" + operation + "-start.json).";
        if ("failover".equals(operation)) {
            String planned = OperationState.present(state.producerMove()) && !OperationState.present(state.aliasChange())
                    ? " Producers already write to the secondary while consumers still read the primary: a re-run waits again for the"
                    + " primary to go quiet and the forward flow to copy it, then moves the consumers. If the primary cannot be waited for"
                    + " (impaired, or producers that never leave it), start the failover without \"planned\": it moves the consumers at"
                    + " once, to the offsets the forward flow translated; records it had not copied stay on the primary for the failback."
                    : "";
            return again + " Every step is safe to repeat: the alias records are UPSERTed to the same values." + planned
                    + " To return to the primary instead, run the failback once the primary is healthy.";
        }
        java.util.List<String> tasks = new java.util.ArrayList<>();
        state.reverseReplication().path("taskIds").forEach(task -> tasks.add(task.asText()));
        boolean mskReplicator = !tasks.isEmpty() && tasks.getFirst().startsWith("arn:aws:kafka:");
        String flow = mskReplicator ? "the reverse MSK Replicator " + tasks.getFirst() : "replicator-task";
        if (OperationState.present(state.consumerMove()) && !OperationState.present(state.reverseReplicationStop()) && mskReplicator) {
            // Every client is on the primary: a new failback would wait for the groups' consumers there to stop.
            return "every client is on the primary already; " + flow + " keeps running."
                    + " Stop whatever still writes on the secondary, wait until the records the cause names are on the primary"
                    + " (MessageLag 0 in a minute after the last write), then delete it: " + deleteReplicator(tasks.getFirst())
                    + " (runbook: Failback with MSK Replicator, the delete check). Do not start a new failback for this.";
        }
        StringBuilder resume = new StringBuilder(again)
                .append(mskReplicator
                        ? " Every step is safe to repeat: an MSK Replicator of the same name that is running is reused (a second reverse flow is never created),"
                        : " Every step is safe to repeat: running replicator-tasks of the same name are reused and only missing ones started (two reverse flows are never started),")
                .append(" alias records are UPSERTed to the same values and the waits read the current lag.");
        if (OperationState.present(state.producerMove()) && !OperationState.present(state.consumerMove())) {
            resume.append(" Producers already write to the primary while consumers still read the secondary: keep ").append(flow)
                    .append(" running (it copies what is left on the secondary");
            resume.append(mskReplicator ? "; the re-run hands the groups' offsets over itself" : ", with the groups' offsets");
            resume.append("); the re-run moves consumers once they have drained.");
        }
        if (OperationState.present(state.consumerMove()) && !OperationState.present(state.reverseReplicationStop())) {
            resume.append(" Consumers already read on the primary; a producer still writes to the secondary (named above): restart it. Keep ").append(flow)
                    .append(" running meanwhile (it copies those records to the primary, where the consumers read them); the re-run"
                            + " stops it once no application record arrives on the secondary any more.");
        }
        if (!tasks.isEmpty() && !OperationState.present(state.reverseReplicationStop())) {
            resume.append(" To abandon the failback instead: ").append(tasks.stream()
                            .map(task -> mskReplicator ? deleteReplicator(task) : "aws ecs stop-task --cluster <ReplicatorClusterName output> --task " + task)
                            .collect(java.util.stream.Collectors.joining("; ")))
                    .append(", then point any moved alias back at the secondary with a failover execution.");
        }
        return resume.toString();
    }

    private static String deleteReplicator(String arn) {
        return "aws kafka delete-replicator --region " + arn.split(":")[3] + " --replicator-arn " + arn;
    }

    /** An alias change as the alias store names it: a Route 53 change id, or the ARC routing controls set. */
    private static String change(JsonNode move) {
        String id = move.path("changeId").asText();
        return id.startsWith("arc-routing-control:") ? "routing control change " + id.substring("arc-routing-control:".length())
                : "Route 53 change " + id;
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
