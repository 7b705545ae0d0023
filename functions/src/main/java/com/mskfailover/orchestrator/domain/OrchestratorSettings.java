package com.mskfailover.orchestrator.domain;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The stack's settings, which template.yaml passes to every function as environment variables (the drill builds
 * them directly). Execution inputs may override the per-execution ones (topics, groups, timeouts, RPO).
 *
 * @param probeTimeout         how long DetectImpairment gives the primary to answer before calling it impaired
 * @param watchedAlarmNames    the alarms whose ALARM state may start a failover
 * @param kafkaAuth            {@code iam} (SASL_SSL + AWS_MSK_IAM) or {@code none} (plaintext, local)
 * @param reverseReplicatorTasks how many replicator-tasks the failback's reverse flow runs (they share its lanes)
 * @param aliasTtlSeconds      the TTL of the alias records: how long a client may still resolve an alias's old value after a move
 */
public record OrchestratorSettings(String primaryClusterArn,
                                   String secondaryClusterArn,
                                   List<String> producerAliases,
                                   List<String> consumerAliases,
                                   List<String> topics,
                                   List<String> consumerGroups,
                                   Timeouts defaultTimeouts,
                                   int maxReplicationLatencySeconds,
                                   boolean requireForwardThroughput,
                                   String reverseReplicatorName,
                                   String forwardReplicatorName,
                                   Duration probeTimeout,
                                   List<String> watchedAlarmNames,
                                   String kafkaAuth,
                                   int reverseReplicatorTasks,
                                   int aliasTtlSeconds) {

    public OrchestratorSettings {
        producerAliases = List.copyOf(producerAliases);
        consumerAliases = List.copyOf(consumerAliases);
        topics = List.copyOf(topics);
        consumerGroups = List.copyOf(consumerGroups);
        watchedAlarmNames = List.copyOf(watchedAlarmNames);
    }

    /** Reads the settings from environment variables; a missing required one fails with its name. */
    public static OrchestratorSettings fromEnvironment(Map<String, String> env) {
        return new OrchestratorSettings(
                required(env, "PRIMARY_CLUSTER_ARN"),
                required(env, "SECONDARY_CLUSTER_ARN"),
                list(required(env, "PRODUCER_ALIAS_NAMES")),
                list(required(env, "CONSUMER_ALIAS_NAMES")),
                list(env.getOrDefault("TOPICS", "")),
                list(env.getOrDefault("CONSUMER_GROUPS", "")),
                new Timeouts(
                        integer(env, "ALIAS_SYNC_TIMEOUT_SECONDS", 300),
                        integer(env, "REPLICATION_CATCH_UP_TIMEOUT_SECONDS", 3600),
                        integer(env, "CONSUMER_DRAIN_TIMEOUT_SECONDS", 1800),
                        integer(env, "FORWARD_REPLICATION_TIMEOUT_SECONDS", 900)),
                integer(env, "MAX_REPLICATION_LATENCY_SECONDS", 300),
                Boolean.parseBoolean(env.getOrDefault("REQUIRE_FORWARD_THROUGHPUT", "false")),
                env.getOrDefault("REVERSE_REPLICATOR_NAME", "failback-replicator"),
                env.getOrDefault("FORWARD_REPLICATOR_NAME", "replicator-task"),
                Duration.ofSeconds(integer(env, "PROBE_TIMEOUT_SECONDS", 5)),
                list(env.getOrDefault("WATCHED_ALARM_NAMES", "")),
                env.getOrDefault("KAFKA_AUTH", "iam"),
                integer(env, "REVERSE_REPLICATOR_TASKS", 1),
                integer(env, "ALIAS_TTL_SECONDS", 60));
    }

    public static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is required");
        }
        return value.strip();
    }

    public static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static int integer(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " must be a whole number, not '" + value + "'");
        }
    }
}
