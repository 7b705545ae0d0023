package com.mskfailover.replicator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicatorConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("SOURCE_BOOTSTRAP_SERVERS", "b-1.secondary:9098");
        env.put("TARGET_BOOTSTRAP_SERVERS", "b-1.primary:9098");
        return env;
    }

    @Test
    void defaultsAreIamEarliestAllTopicsAndTheDocumentedName() {
        ReplicatorConfig config = ReplicatorConfig.fromEnvironment(minimal());
        assertEquals("replicator-task", config.replicatorName());
        assertEquals(ReplicatorConfig.StartingPosition.EARLIEST, config.startingPosition());
        assertTrue(config.skipMskReplicatorRecords());
        assertEquals("SASL_SSL", config.sourceClientProperties().get("security.protocol"));
        assertEquals("AWS_MSK_IAM", config.targetClientProperties().get("sasl.mechanism"));
        assertEquals("software.amazon.msk.auth.iam.IAMClientCallbackHandler",
                config.targetClientProperties().get("sasl.client.callback.handler.class"));
        assertEquals("b-1.secondary:9098", config.sourceClientProperties().get("bootstrap.servers"));
        assertTrue(config.replicatesTopic("customer"));
        assertTrue(config.syncsGroup("msk-consumer"));
        assertEquals(Duration.ofSeconds(1), config.groupSyncInterval());
        assertEquals(1, config.lanes());
    }

    @Test
    void passThroughPropertiesMapToClientPropertiesAndWinOverDefaults() {
        Map<String, String> env = minimal();
        env.put("SOURCE_AUTH", "none");
        env.put("SOURCE_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/truststore.jks");
        env.put("TARGET_KAFKA_COMPRESSION_TYPE", "lz4");
        env.put("TARGET_KAFKA_SECURITY_PROTOCOL", "SSL");
        ReplicatorConfig config = ReplicatorConfig.fromEnvironment(env);
        assertEquals("PLAINTEXT", config.sourceClientProperties().get("security.protocol"));
        assertEquals("/etc/truststore.jks", config.sourceClientProperties().get("ssl.truststore.location"));
        assertEquals("lz4", config.targetClientProperties().get("compression.type"));
        assertEquals("SSL", config.targetClientProperties().get("security.protocol"));
        assertFalse(config.sourceClientProperties().containsKey("compression.type"), "each side gets its own properties");
    }

    @Test
    void topicAndGroupFiltersCombineIncludeAndExclude() {
        Map<String, String> env = minimal();
        env.put("TOPICS", "customer|orders\\..*");
        env.put("TOPICS_EXCLUDE", "orders\\.tmp");
        env.put("GROUPS_EXCLUDE", "test-.*");
        env.put("STARTING_POSITION", "latest");
        env.put("SKIP_MSK_REPLICATOR_RECORDS", "false");
        ReplicatorConfig config = ReplicatorConfig.fromEnvironment(env);
        assertTrue(config.replicatesTopic("orders.eu"));
        assertFalse(config.replicatesTopic("orders.tmp"));
        assertFalse(config.replicatesTopic("payments"));
        assertFalse(config.syncsGroup("test-1"));
        assertTrue(config.syncsGroup("msk-consumer"));

        // MirrorMaker 2's grammar: the orchestrator's and a user's 'customer,orders' selects both topics.
        env.put("TOPICS", "customer,orders");
        env.put("TOPICS_EXCLUDE", "customer\\.tmp, orders\\..*");
        ReplicatorConfig listed = ReplicatorConfig.fromEnvironment(env);
        assertTrue(listed.replicatesTopic("customer"));
        assertTrue(listed.replicatesTopic("orders"));
        assertFalse(listed.replicatesTopic("customer,orders"));
        assertEquals(ReplicatorConfig.StartingPosition.LATEST, config.startingPosition());
        assertFalse(config.skipMskReplicatorRecords());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "SOURCE_BOOTSTRAP_SERVERS|",
            "TARGET_BOOTSTRAP_SERVERS|' '",
            "SOURCE_AUTH|kerberos",
            "TARGET_AUTH|plain",
            "TOPICS|customer(",
            "TOPICS|'customer,orders('",
            "TOPICS_EXCLUDE|','",
            "GROUPS_EXCLUDE|[a-",
            "STARTING_POSITION|middle",
            "REPLICATOR_NAME|has space",
            "SKIP_MSK_REPLICATOR_RECORDS|yes",
            "GROUP_SYNC_INTERVAL_MS|0",
            "METRICS_INTERVAL_MS|soon",
            "LANES|0",
            "LANES|65",
    })
    void aBadOrMissingVariableFailsWithOneLineNamingIt(String variable, String value) {
        Map<String, String> env = minimal();
        if (value == null) {
            env.remove(variable);
        } else {
            env.put(variable, value);
        }
        InvalidConfigurationException error = assertThrows(InvalidConfigurationException.class,
                () -> ReplicatorConfig.fromEnvironment(env));
        assertTrue(error.getMessage().startsWith(variable + " "), error.getMessage());
        assertFalse(error.getMessage().contains("\n"), "one line: " + error.getMessage());
    }

    /** The configuration table of docs/replicator.md names every variable the task reads: the table cannot drift. */
    @Test
    void everyVariableTheTaskReadsIsDocumented() throws Exception {
        java.util.Set<String> read = new java.util.TreeSet<>();
        Map<String, String> recording = new java.util.HashMap<>(minimal()) {
            @Override
            public String get(Object key) {
                read.add(String.valueOf(key));
                return super.get(key);
            }
        };
        ReplicatorConfig.fromEnvironment(recording);
        read.remove("COPIER_THREADS"); // refused with a message naming LANES, not documented as a variable
        read.addAll(java.util.List.of("SOURCE_KAFKA_*", "TARGET_KAFKA_*")); // read by prefix
        String documentation = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "replicator.md"));
        java.util.List<String> missing = read.stream().filter(variable -> !documentation.contains("`" + variable + "`")).toList();
        assertTrue(missing.isEmpty(), "variables the task reads that docs/replicator.md's table does not name: " + missing);
        assertTrue(read.size() > 15, "the recording saw the reads: " + read);
    }
}
