package com.mskfailover.orchestrator.domain;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a failover or failback start input into a {@link Plan}, or fails naming the field, before anything
 * changes. Only the stack's two clusters are accepted: a typo in an ARN must not move clients anywhere.
 */
public final class StartInputValidator {

    private static final Set<String> FAILOVER_FIELDS = Set.of("primaryClusterArn", "secondaryClusterArn", "topics",
            "maxReplicationLatencySeconds", "timeouts", "reason", "dryRun", "planned", "force", "impairedSince");
    private static final Set<String> FAILBACK_FIELDS = Set.of("primaryClusterArn", "secondaryClusterArn", "topics",
            "consumerGroups", "requireForwardThroughput", "timeouts", "reason", "reverseReplicatorName", "reverseReplicatorTasks", "dryRun", "force");
    /** The checks an input may switch off, each only by naming it in {@code force} (the notifications repeat it). */
    static final Set<String> FAILBACK_FORCIBLE = Set.of("emptyConsumerGroups", PlanComparison.UNLISTED_TOPICS, PlanComparison.UNLISTED_GROUPS);
    static final Set<String> FAILOVER_FORCIBLE = Set.of(PlanComparison.GROUPS_WITHOUT_OFFSETS);
    private static final Set<String> TIMEOUT_FIELDS = Set.of("aliasSyncSeconds", "replicationCatchUpSeconds",
            "consumerDrainSeconds", "forwardReplicationSeconds");
    // Kafka's legal topic and group name characters; REPLICATOR_NAME also becomes an ECS startedBy (<= 36 chars).
    private static final Pattern KAFKA_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Pattern REPLICATOR_NAME = Pattern.compile("[A-Za-z0-9_-]{1,36}");
    private static final int MAX_RPO_SECONDS = 7 * 24 * 3600;
    /** ECS RunTask starts at most 10 tasks in one call (one client token). */
    static final int MAX_REVERSE_REPLICATOR_TASKS = 10;

    private final OrchestratorSettings settings;
    private final java.time.Clock clock;

    public StartInputValidator(OrchestratorSettings settings) {
        this(settings, java.time.Clock.systemUTC());
    }

    public StartInputValidator(OrchestratorSettings settings, java.time.Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public Plan failover(JsonNode input) {
        requireObject(input, FAILOVER_FIELDS);
        ClusterRef primary = cluster(input, "primaryClusterArn", settings.primaryClusterArn());
        ClusterRef secondary = cluster(input, "secondaryClusterArn", settings.secondaryClusterArn());
        List<String> topics = names(input, "topics", settings.topics(), true);
        int rpo = integerIn(input, "maxReplicationLatencySeconds", "maxReplicationLatencySeconds", settings.maxReplicationLatencySeconds(), 0, MAX_RPO_SECONDS);
        List<String> forced = forced(input, FAILOVER_FORCIBLE);
        return new Plan("failover", primary, secondary, topics, settings.consumerGroups(), settings.producerAliases(),
                settings.consumerAliases(), timeouts(input), rpo, settings.requireForwardThroughput(),
                settings.reverseReplicatorName(), settings.reverseReplicatorTasks(), text(input, "reason", "operator request"),
                dryRun(input), input.has("planned") && bool(input, "planned"), settings.aliasTtlSeconds(), forced, impairedSince(input));
    }

    /** When the impairment began: the input's {@code impairedSince} (DetectImpairment gives it), else now. */
    private String impairedSince(JsonNode input) {
        Instant now = clock.instant();
        if (!input.has("impairedSince")) {
            return now.toString();
        }
        JsonNode value = input.get("impairedSince");
        try {
            Instant since = Instant.parse(value.asText());
            if (!value.isTextual() || since.isAfter(now)) {
                throw new InvalidInputException("impairedSince", "is in the future (" + value.asText() + "): give when the primary's impairment began, or leave it out (now)");
            }
            return since.toString();
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidInputException("impairedSince", "must be an ISO-8601 instant such as 2026-12-07T10:15:00Z, not " + value);
        }
    }

    public Plan failback(JsonNode input) {
        requireObject(input, FAILBACK_FIELDS);
        ClusterRef primary = cluster(input, "primaryClusterArn", settings.primaryClusterArn());
        ClusterRef secondary = cluster(input, "secondaryClusterArn", settings.secondaryClusterArn());
        List<String> topics = names(input, "topics", settings.topics(), true);
        List<String> groups = names(input, "consumerGroups", settings.consumerGroups(), false);
        List<String> forced = forced(input, FAILBACK_FORCIBLE);
        if (groups.isEmpty() && !forced.contains("emptyConsumerGroups")) {
            throw new InvalidInputException("consumerGroups", "is empty: the failback would wait for no consumer group to drain on the "
                    + "secondary and move consumers without their offsets on the primary (a group with auto.offset.reset=latest then skips what "
                    + "was produced meanwhile). Name the groups that read the topics (the stack's ConsumerGroups parameter gives the default), "
                    + "or, if no consumer reads them, add \"force\": [\"emptyConsumerGroups\"]");
        }
        boolean requireThroughput = input.has("requireForwardThroughput")
                ? bool(input, "requireForwardThroughput") : settings.requireForwardThroughput();
        String replicatorName = text(input, "reverseReplicatorName", settings.reverseReplicatorName());
        if (!REPLICATOR_NAME.matcher(replicatorName).matches()) {
            throw new InvalidInputException("reverseReplicatorName", "must be 1 to 36 letters, digits, '-' or '_', not '" + replicatorName + "'");
        }
        // The task role's transactional ids and source group are scoped to the stack's name as a prefix (template.yaml).
        if (!replicatorName.startsWith(settings.reverseReplicatorName())) {
            throw new InvalidInputException("reverseReplicatorName", "must start with the stack's ReverseReplicatorName '"
                    + settings.reverseReplicatorName() + "' (the replicator task's permissions are scoped to it), e.g. '"
                    + settings.reverseReplicatorName() + "-2', not '" + replicatorName + "'");
        }
        int replicatorTasks = integerIn(input, "reverseReplicatorTasks", "reverseReplicatorTasks", settings.reverseReplicatorTasks(),
                1, MAX_REVERSE_REPLICATOR_TASKS);
        return new Plan("failback", primary, secondary, topics, groups, settings.producerAliases(),
                settings.consumerAliases(), timeouts(input), 0, requireThroughput, replicatorName, replicatorTasks,
                text(input, "reason", "operator request"), dryRun(input), false, settings.aliasTtlSeconds(), forced, null);
    }

    /** The checks {@code force} switches off: a list of names from {@code forcible}. */
    private static List<String> forced(JsonNode input, Set<String> forcible) {
        JsonNode value = input.get("force");
        if (value == null || value.isNull()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(item -> names.add(item.asText(null)));
        }
        if (!value.isArray() || names.stream().anyMatch(name -> name == null || !forcible.contains(name))) {
            throw new InvalidInputException("force", "must be a list of the checks to switch off, from " + forcible.stream().sorted().toList()
                    + ", not " + value);
        }
        return names;
    }

    /** {@code dryRun: true}: the checks run, nothing changes (the state machines stop after them). */
    private static boolean dryRun(JsonNode input) {
        return input.has("dryRun") && bool(input, "dryRun");
    }

    private static void requireObject(JsonNode input, Set<String> allowed) {
        if (input == null || !input.isObject()) {
            throw new InvalidInputException("$", "must be a JSON object");
        }
        for (Iterator<String> names = input.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new InvalidInputException(name, "is not a known field (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static ClusterRef cluster(JsonNode input, String field, String expectedArn) {
        JsonNode value = input.get(field);
        if (value == null || value.isNull()) {
            // The stack knows its two clusters: an input need not repeat them (start-execution with {} works).
            return new ClusterRef(expectedArn, ClusterArns.parse(expectedArn).region(), null);
        }
        if (!value.isTextual() || !ClusterArns.isValid(value.asText())) {
            throw new InvalidInputException(field, "is not an MSK cluster ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID): " + value);
        }
        if (!value.asText().equals(expectedArn)) {
            throw new InvalidInputException(field, "names an unknown cluster " + value.asText() + "; this stack manages " + expectedArn);
        }
        return new ClusterRef(expectedArn, ClusterArns.parse(expectedArn).region(), null);
    }

    private static List<String> names(JsonNode input, String field, List<String> fallback, boolean atLeastOne) {
        JsonNode value = input.get(field);
        List<String> names;
        if (value == null || value.isNull()) {
            names = fallback;
        } else {
            if (!value.isArray()) {
                throw new InvalidInputException(field, "must be a list of names");
            }
            names = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = value.get(i);
                if (!item.isTextual() || !KAFKA_NAME.matcher(item.asText()).matches()) {
                    throw new InvalidInputException(field + "[" + i + "]", "is not a valid Kafka name: " + item);
                }
                names.add(item.asText());
            }
        }
        if (atLeastOne && names.isEmpty()) {
            throw new InvalidInputException(field, "is missing (and the stack has no default TOPICS)");
        }
        return List.copyOf(names);
    }

    private Timeouts timeouts(JsonNode input) {
        Timeouts defaults = settings.defaultTimeouts();
        JsonNode value = input.get("timeouts");
        if (value == null || value.isNull()) {
            return defaults;
        }
        requireObjectField(value, "timeouts");
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!TIMEOUT_FIELDS.contains(name)) {
                throw new InvalidInputException("timeouts." + name, "is not a known timeout (known: " + String.join(", ", TIMEOUT_FIELDS.stream().sorted().toList()) + ")");
            }
        }
        return new Timeouts(
                seconds(value, "aliasSyncSeconds", defaults.aliasSyncSeconds(), Timeouts.MAX_ALIAS_SYNC_SECONDS),
                seconds(value, "replicationCatchUpSeconds", defaults.replicationCatchUpSeconds(), Timeouts.MAX_REPLICATION_CATCH_UP_SECONDS),
                seconds(value, "consumerDrainSeconds", defaults.consumerDrainSeconds(), Timeouts.MAX_CONSUMER_DRAIN_SECONDS),
                seconds(value, "forwardReplicationSeconds", defaults.forwardReplicationSeconds(), Timeouts.MAX_FORWARD_REPLICATION_SECONDS));
    }

    private static void requireObjectField(JsonNode value, String field) {
        if (!value.isObject()) {
            throw new InvalidInputException(field, "must be an object");
        }
    }

    private static int seconds(JsonNode timeouts, String field, int fallback, int maximum) {
        return integerIn(timeouts, field, "timeouts." + field, fallback, 1, maximum);
    }

    private static int integerIn(JsonNode node, String field, String path, int fallback, int minimum, int maximum) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < minimum || value.asInt() > maximum) {
            throw new InvalidInputException(path, "must be a whole number of seconds from " + minimum + " to " + maximum + ", not " + value
                    + (value.isIntegralNumber() && value.asLong() > maximum && maximum < MAX_RPO_SECONDS
                    ? " (longer executions would outgrow Step Functions' history; to wait longer, start the execution again when this one gives up: it resumes)" : ""));
        }
        return value.asInt();
    }

    private static boolean bool(JsonNode input, String field) {
        JsonNode value = input.get(field);
        if (!value.isBoolean()) {
            throw new InvalidInputException(field, "must be true or false, not " + value);
        }
        return value.asBoolean();
    }

    private static String text(JsonNode input, String field, String fallback) {
        JsonNode value = input.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw new InvalidInputException(field, "must be a string, not " + value);
        }
        return value.asText();
    }
}
