package com.mskfailover.replicator;

import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.server.policy.CreateTopicPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static com.mskfailover.replicator.ReplicationTestSupport.await;
import static com.mskfailover.replicator.ReplicationTestSupport.closeAll;
import static com.mskfailover.replicator.ReplicationTestSupport.caughtUp;
import static com.mskfailover.replicator.ReplicationTestSupport.count;
import static com.mskfailover.replicator.ReplicationTestSupport.env;
import static com.mskfailover.replicator.ReplicationTestSupport.start;
import static com.mskfailover.replicator.ReplicationTestSupport.totalLag;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Topic sync on real brokers: one refused topic stays apart, configs let the target hold every copy. */
@Tag("integration")
class TopicSyncTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static LocalKafkaCluster source;
    private static LocalKafkaCluster target;

    /** The target refuses to create topics whose name starts with "refused-", as a topic policy or a quota would. */
    public static final class RefuseSomeTopics implements CreateTopicPolicy {
        @Override
        public void validate(RequestMetadata request) {
            if (request.topic().startsWith("refused-")) {
                throw new PolicyViolationException("topic " + request.topic() + " is not allowed here");
            }
        }

        @Override
        public void configure(Map<String, ?> configs) {}

        @Override
        public void close() {}
    }

    @BeforeAll
    static void startClusters() {
        source = LocalKafkaCluster.start("source");
        target = LocalKafkaCluster.builder("target")
                .brokerProperty("create.topic.policy.class.name", RefuseSomeTopics.class.getName())
                // Stricter than the defaults: a target that would refuse copies of old or future records.
                .brokerProperty("log.message.timestamp.before.max.ms", "86400000")
                .brokerProperty("log.message.timestamp.after.max.ms", "60000")
                .start();
    }

    @AfterAll
    static void stopClusters() {
        closeAll(target, source);
    }

    @Test
    void aTopicTheTargetRefusesToCreateStaysApartWithItsLagVisibleWhileTheOthersFlow() {
        source.clients().createTopic("refused-audit", 2);
        source.clients().createTopic("orders", 2);
        IntStream.range(0, 10).forEach(i -> {
            source.clients().produce("refused-audit", "k" + i, "audit-" + i);
            source.clients().produce("orders", "k" + i, "order-" + i);
        });
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        ReplicatorConfig config = ReplicatorConfig.fromEnvironment(env(source, target, "isolation",
                "TOPICS", "refused-audit|orders", "METRICS_INTERVAL_MS", "200"));
        try (Replicator replicator = Replicator.start(config, new PrintStream(lines, true, StandardCharsets.UTF_8))) {
            await("orders copied although refused-audit cannot be created", WAIT,
                    () -> count(target, "orders") == 10 && caughtUp(source, "isolation", "orders"));
            await("a metrics line counts the refused topic's partitions as stalled and its records as lag", WAIT, () ->
                    lines.toString(StandardCharsets.UTF_8).contains("\"MessageLag\":10,"));
            String last = lines.toString(StandardCharsets.UTF_8).lines().reduce((a, b) -> b).orElseThrow();
            assertTrue(last.contains("\"StalledPartitions\":2"), last);
            assertEquals(10, totalLag(source, "isolation", "refused-audit"), "the lag contract shows the whole topic waiting");
            assertEquals(-1, count(target, "refused-audit"));
        }
    }

    @Test
    void copiesKeepSourceTimestampsOfLogAppendTimeTopicsAndOldRecordsAreAccepted() throws Exception {
        String appendTime = "stamped-by-broker";
        String old = "history";
        source.clients().createTopic(appendTime, 1, Map.of("message.timestamp.type", "LogAppendTime"));
        // The source accepts records up to 3 hours ahead; the target cluster's default would refuse them.
        source.clients().createTopic(old, 1, Map.of("message.timestamp.after.max.ms", Long.toString(Duration.ofHours(3).toMillis())));
        source.clients().produce(appendTime, "k", "v");
        long tenYearsAgo = System.currentTimeMillis() - Duration.ofDays(3650).toMillis();
        long inTwoHours = System.currentTimeMillis() + Duration.ofHours(2).toMillis();
        source.clients().produce(List.of(new ProducerRecord<>(old, 0, tenYearsAgo, "k", "old"),
                new ProducerRecord<>(old, 0, inTwoHours, "k", "future")));
        long sourceStamp = source.clients().readAll(appendTime).getFirst().timestamp();

        try (Replicator replicator = start(source, target, "timestamps", "TOPICS", appendTime + "|" + old)) {
            await("both topics copied", WAIT, () -> count(target, appendTime) == 1 && count(target, old) == 2);
        }
        assertEquals(sourceStamp, target.clients().readAll(appendTime).getFirst().timestamp(), "the source's append time, kept");
        assertEquals(List.of(tenYearsAgo, inTwoHours), target.clients().readAll(old).stream().map(ConsumerRecord::timestamp).toList());
    }

    @Test
    void aSourceTopicDeletedAndCreatedAgainIsCopiedFromItsBeginning() throws Exception {
        String topic = "recreated";
        source.clients().createTopic(topic, 1);
        IntStream.range(0, 10).forEach(i -> source.clients().produce(topic, "k", "first-" + i));
        try (Replicator replicator = start(source, target, "recreate", "TOPICS", topic)) {
            await("the first topic copied", WAIT, () -> count(target, topic) == 10 && caughtUp(source, "recreate", topic));
        }
        try (Admin admin = source.admin()) {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        }
        await("the topic is gone", WAIT, () -> count(source, topic) == -1);
        source.clients().createTopic(topic, 1);
        IntStream.range(0, 20).forEach(i -> source.clients().produce(topic, "k", "second-" + i));
        try (Replicator replicator = start(source, target, "recreate", "TOPICS", topic)) {
            await("every record of the new topic copied", WAIT, () -> count(target, topic) == 30);
            await("lag 0", WAIT, () -> caughtUp(source, "recreate", topic));
        }
        List<String> values = target.clients().readAll(topic).stream().map(ConsumerRecord::value).toList();
        assertEquals(IntStream.range(0, 20).mapToObj(i -> "second-" + i).toList(), values.subList(10, 30));
    }
}
