package com.mskfailover.replicator;

import com.mskfailover.contract.NameSelection;
import com.mskfailover.contract.ReplicatorEnvironment;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything the replicator needs, read from environment variables (the Fargate-friendly contract of
 * docs/replicator.md, "Configuration (environment)"; the orchestrator writes it with replication-contract's
 * ReplicatorEnvironment). Validation happens here, before any client exists, so a bad variable ends the
 * task with nothing written.
 */
public record ReplicatorConfig(
        String replicatorName,
        Map<String, Object> sourceClientProperties,
        Map<String, Object> targetClientProperties,
        Pattern topics,
        Pattern topicsExclude,
        Pattern groups,
        Pattern groupsExclude,
        StartingPosition startingPosition,
        boolean skipMskReplicatorRecords,
        Duration topicSyncInterval,
        Duration groupSyncInterval,
        Duration metricsInterval,
        int lanes,
        Duration stopTimeout) {

    public enum StartingPosition { EARLIEST, LATEST }

    public static final String DEFAULT_REPLICATOR_NAME = "replicator-task";

    /** Matches nothing: the default of the two *_EXCLUDE variables. */
    private static final Pattern NOTHING = Pattern.compile("(?!)");
    private static final Pattern EVERYTHING = Pattern.compile(".*");
    private static final Pattern VALID_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    public ReplicatorConfig {
        sourceClientProperties = Map.copyOf(sourceClientProperties);
        targetClientProperties = Map.copyOf(targetClientProperties);
    }

    /** Reads and validates; throws {@link InvalidConfigurationException} naming the first bad variable. */
    public static ReplicatorConfig fromEnvironment(Map<String, String> env) {
        EnvReader reader = new EnvReader(env);
        String name = reader.optional(ReplicatorEnvironment.REPLICATOR_NAME, DEFAULT_REPLICATOR_NAME);
        if (!VALID_NAME.matcher(name).matches()) {
            throw new InvalidConfigurationException("REPLICATOR_NAME '" + name
                    + "' is not valid: use 1-200 characters among letters, digits, '.', '_' and '-'");
        }
        return new ReplicatorConfig(
                name,
                reader.clientProperties("SOURCE"),
                reader.clientProperties("TARGET"),
                reader.pattern(ReplicatorEnvironment.TOPICS, EVERYTHING),
                reader.pattern("TOPICS_EXCLUDE", NOTHING),
                reader.pattern(ReplicatorEnvironment.GROUPS, EVERYTHING),
                reader.pattern("GROUPS_EXCLUDE", NOTHING),
                reader.oneOf(ReplicatorEnvironment.STARTING_POSITION, StartingPosition.class, StartingPosition.EARLIEST),
                reader.bool("SKIP_MSK_REPLICATOR_RECORDS", true),
                reader.millis("TOPIC_SYNC_INTERVAL_MS", Duration.ofSeconds(10)),
                reader.millis("GROUP_SYNC_INTERVAL_MS", Duration.ofSeconds(1)),
                reader.millis("METRICS_INTERVAL_MS", Duration.ofSeconds(60)),
                // Lanes in total, shared by every task of this REPLICATOR_NAME (each a copy thread with one
                // transactional id). One is the measured best for one task on a small host shared with brokers.
                reader.lanes(),
                // Below ECS's default stopTimeout of 30 s between SIGTERM and SIGKILL.
                reader.millis("STOP_TIMEOUT_MS", Duration.ofSeconds(25)));
    }

    public boolean replicatesTopic(String topic) {
        return topics.matcher(topic).matches() && !topicsExclude.matcher(topic).matches();
    }

    public boolean syncsGroup(String group) {
        return groups.matcher(group).matches() && !groupsExclude.matcher(group).matches();
    }

    /** Reads one variable at a time so every error names exactly the variable at fault. */
    private record EnvReader(Map<String, String> env) {

        String optional(String variable, String defaultValue) {
            String value = env.get(variable);
            return value == null || value.isBlank() ? defaultValue : value.trim();
        }

        String required(String variable, String example) {
            String value = env.get(variable);
            if (value == null || value.isBlank()) {
                throw new InvalidConfigurationException(variable + " is missing: set it to " + example);
            }
            return value.trim();
        }

        /** MirrorMaker 2's grammar: comma-separated names and regular expressions ({@link NameSelection}). */
        Pattern pattern(String variable, Pattern defaultValue) {
            String value = env.get(variable);
            if (value == null || value.isBlank()) {
                return defaultValue;
            }
            try {
                return NameSelection.parse(variable, value);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(e.getMessage());
            }
        }

        <E extends Enum<E>> E oneOf(String variable, Class<E> type, E defaultValue) {
            String value = optional(variable, defaultValue.name());
            try {
                return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(variable + " '" + value + "' is not valid: use one of "
                        + java.util.Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
            }
        }

        boolean bool(String variable, boolean defaultValue) {
            String value = optional(variable, Boolean.toString(defaultValue)).toLowerCase(Locale.ROOT);
            return switch (value) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new InvalidConfigurationException(variable + " '" + value + "' is not valid: use true or false");
            };
        }

        Duration millis(String variable, Duration defaultValue) {
            String value = optional(variable, Long.toString(defaultValue.toMillis()));
            try {
                long millis = Long.parseLong(value);
                if (millis > 0) {
                    return Duration.ofMillis(millis);
                }
            } catch (NumberFormatException ignored) {
                // Reported below with the same message as a non-positive number.
            }
            throw new InvalidConfigurationException(variable + " '" + value + "' is not valid: use a positive number of milliseconds");
        }

        int lanes() {
            if (env.containsKey("COPIER_THREADS")) {
                throw new InvalidConfigurationException("COPIER_THREADS was replaced by LANES (the lanes of all tasks of this"
                        + " REPLICATOR_NAME together): remove COPIER_THREADS and set LANES");
            }
            return count(ReplicatorEnvironment.LANES, 1, 64);
        }

        int count(String variable, int defaultValue, int maximum) {
            String value = optional(variable, Integer.toString(defaultValue));
            try {
                int count = Integer.parseInt(value);
                if (count >= 1 && count <= maximum) {
                    return count;
                }
            } catch (NumberFormatException ignored) {
                // Reported below with the same message as an out-of-range number.
            }
            throw new InvalidConfigurationException(variable + " '" + value + "' is not valid: use a whole number from 1 to " + maximum);
        }

        /**
         * Bootstrap servers, authentication and the {@code <SIDE>_KAFKA_*} pass-through properties of one side.
         * Pass-through comes last so an operator can override anything, e.g. the security protocol.
         */
        Map<String, Object> clientProperties(String side) {
            Map<String, Object> properties = new HashMap<>();
            properties.put("bootstrap.servers", required(side + "_BOOTSTRAP_SERVERS",
                    "the " + side.toLowerCase(Locale.ROOT) + " cluster's bootstrap brokers, e.g. b-1.example.kafka.us-east-1.amazonaws.com:9098"));
            String authVariable = side + "_AUTH";
            String auth = optional(authVariable, "iam").toLowerCase(Locale.ROOT);
            switch (auth) {
                case "iam" -> {
                    properties.put("security.protocol", "SASL_SSL");
                    properties.put("sasl.mechanism", "AWS_MSK_IAM");
                    properties.put("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;");
                    properties.put("sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
                }
                case "none" -> properties.put("security.protocol", "PLAINTEXT");
                default -> throw new InvalidConfigurationException(authVariable + " '" + auth
                        + "' is not valid: use iam (SASL_SSL with AWS_MSK_IAM, the default) or none (plaintext)");
            }
            String prefix = side + "_KAFKA_";
            env.forEach((variable, value) -> {
                if (variable.startsWith(prefix) && variable.length() > prefix.length()) {
                    properties.put(variable.substring(prefix.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
                }
            });
            return properties;
        }
    }
}
