package com.mskfailover.replicator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** What the replicator tests share: an environment for a flow, polling with a deadline, the lag contract. */
final class ReplicationTestSupport {

    private ReplicationTestSupport() {}

    /** The environment of a plaintext flow with fast sync rounds; {@code extra} is variable, value, ... */
    static Map<String, String> env(LocalKafkaCluster source, LocalKafkaCluster target, String name, String... extra) {
        Map<String, String> env = new HashMap<>();
        env.put("SOURCE_BOOTSTRAP_SERVERS", source.bootstrapServers());
        env.put("TARGET_BOOTSTRAP_SERVERS", target.bootstrapServers());
        env.put("SOURCE_AUTH", "none");
        env.put("TARGET_AUTH", "none");
        env.put("REPLICATOR_NAME", name);
        env.put("TOPIC_SYNC_INTERVAL_MS", "500");
        env.put("GROUP_SYNC_INTERVAL_MS", "300");
        env.put("METRICS_INTERVAL_MS", "1000");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    /**
     * Runs {@link Main} in a child JVM from the test classpath with exactly this environment, so a test
     * can SIGKILL it like a crashed container. Output goes to {@code log}.
     */
    static Process startChildJvm(Map<String, String> env, Path log) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // --enable-native-access: as the image and the jar run it (no JDK warning among the JSON lines when lz4 loads).
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return process;
    }

    /**
     * The log lines of a child JVM's output (stdout and stderr), parsed. Every line is either a CloudWatch EMF line,
     * exactly as ReplicationMetrics writes it (not wrapped by the log layout), or one JSON log line with the
     * replicator's name, whatever thread wrote it.
     */
    static List<JsonNode> logLines(Path output, String replicatorName) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(output)) {
            if (line.startsWith("{\"_aws\":{\"Timestamp\":")) {
                JsonNode metrics = json.readTree(line);
                if (!metrics.path("ReplicatorName").asText().equals(replicatorName) || metrics.has("level") || metrics.has("message")) {
                    throw new AssertionError("an EMF line as ReplicationMetrics writes it: " + line);
                }
                continue;
            }
            JsonNode parsed;
            try {
                parsed = json.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not a JSON log line: " + line, e);
            }
            for (String field : List.of("timestamp", "level", "logger", "thread", "message")) {
                if (!parsed.path(field).isTextual()) {
                    throw new AssertionError("no " + field + " in " + line);
                }
            }
            if (!replicatorName.equals(parsed.path("replicator").asText())) {
                throw new AssertionError("the line does not name replicator " + replicatorName + ": " + line);
            }
            lines.add(parsed);
        }
        return lines;
    }

    static boolean logContains(Path log, String text) {
        try {
            return java.nio.file.Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    static Replicator start(LocalKafkaCluster source, LocalKafkaCluster target, String name, String... extra) {
        return Replicator.start(ReplicatorConfig.fromEnvironment(env(source, target, name, extra)));
    }

    /** Polls until the condition holds; fails with {@code what} when the deadline passes. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }

    /**
     * The lag contract other parts rely on: per partition, source log end offset minus the offset the
     * replicator committed as group {@code name} on the source (no commit: the whole partition).
     */
    static Map<TopicPartition, Long> replicationLag(LocalKafkaCluster source, String name, String topic) {
        Map<TopicPartition, Long> ends = source.clients().endOffsets(topic);
        Map<TopicPartition, Long> committed = source.clients().committedOffsets(name);
        Map<TopicPartition, Long> lag = new HashMap<>();
        ends.forEach((partition, end) -> lag.put(partition, end - committed.getOrDefault(partition, 0L)));
        return lag;
    }

    static boolean caughtUp(LocalKafkaCluster source, String name, String topic) {
        return replicationLag(source, name, topic).values().stream().allMatch(lag -> lag == 0);
    }

    /** Values by partition, in log order: what "an exact, ordered copy" compares. */
    static Map<Integer, List<String>> byPartition(List<ConsumerRecord<String, String>> records) {
        return records.stream().collect(java.util.stream.Collectors.groupingBy(ConsumerRecord::partition,
                java.util.stream.Collectors.mapping(ConsumerRecord::value, java.util.stream.Collectors.toList())));
    }

    /** Closes the clusters a test class started (any of them may be null if its start failed). */
    static void closeAll(LocalKafkaCluster... clusters) {
        for (LocalKafkaCluster cluster : clusters) {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    static List<String> sortedValues(LocalKafkaCluster cluster, String topic) {
        return cluster.clients().readAll(topic).stream().map(ConsumerRecord::value).sorted().toList();
    }

    /** Records a read_committed consumer sees in the topic, or -1 while the topic does not exist. */
    static long count(LocalKafkaCluster cluster, String topic) {
        if (endOffsetSum(cluster, topic) < 0) {
            return -1;
        }
        return cluster.clients().readAll(topic).size();
    }

    /**
     * The topic's end offsets summed, or -1 while it does not exist: a cheap progress figure (on a target
     * it also counts transaction markers, so it is not a record count).
     */
    static long endOffsetSum(LocalKafkaCluster cluster, String topic) {
        try {
            return cluster.clients().endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
        } catch (IllegalStateException e) {
            return -1;
        }
    }

    /** Total replication lag of the flow {@code name} over the topic, by the lag contract. */
    static long totalLag(LocalKafkaCluster source, String name, String topic) {
        return replicationLag(source, name, topic).values().stream().mapToLong(Long::longValue).sum();
    }
}
