package com.mskfailover.local.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The 3-broker form: each broker in its own JVM, killed with SIGKILL one at a time or all together. */
@Tag("integration")
class MultiBrokerClusterTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    void aKilledLeaderIsReplacedWritesContinueAndItRejoinsTheIsrAfterItsRestart() throws Exception {
        try (LocalKafkaCluster cluster = LocalKafkaCluster.builder("three-az").brokers(3).start()) {
            assertEquals(List.of(1, 2, 3), cluster.brokerNodeIds());
            assertEquals(3, cluster.bootstrapServers().split(",").length);
            KafkaClients clients = cluster.clients();
            clients.createTopic("orders", 3);
            try (Admin admin = cluster.admin()) {
                assertEquals(List.of("az1", "az2", "az3"), admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                        .map(Node::rack).sorted().toList());
                TopicDescription orders = admin.describeTopics(List.of("orders")).allTopicNames().get(10, TimeUnit.SECONDS).get("orders");
                for (TopicPartitionInfo partition : orders.partitions()) {
                    assertEquals(3, partition.replicas().size());
                    assertEquals(3, partition.isr().size());
                }
            }
            TopicPartition partition = new TopicPartition("orders", 0);
            clients.produce(records(partition, 0, 10));

            int leader = cluster.leaderOf(partition).orElseThrow();
            cluster.killBroker(leader);
            assertFalse(cluster.isBrokerRunning(leader));
            assertTrue(cluster.isRunning());
            await("a new leader of " + partition, () -> {
                OptionalInt current = cluster.leaderOf(partition);
                return current.isPresent() && current.getAsInt() != leader ? current.getAsInt() : null;
            });
            await("the killed broker out of the ISR",
                    () -> cluster.inSyncReplicasOf(partition).contains(leader) ? null : true);
            assertEquals(2, cluster.inSyncReplicasOf(partition).size());

            // acks=all with min.insync.replicas=2: two in-sync replicas are enough.
            clients.produce(records(partition, 10, 20));
            assertEquals(IntStream.range(0, 20).mapToObj(i -> "message " + i).toList(),
                    KafkaClients.values(clients.readAll("orders")));
            assertEquals(20, clients.consumeAsGroup("replicator", "orders").size());

            cluster.restartBroker(leader);
            assertTrue(cluster.isBrokerRunning(leader));
            try (Admin admin = cluster.admin()) {
                assertTrue(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream().anyMatch(node -> node.id() == leader));
            }
            await("broker " + leader + " back in the ISR of " + partition,
                    () -> cluster.inSyncReplicasOf(partition).equals(List.of(1, 2, 3)) ? true : null);
            assertTrue(cluster.leaderOf(partition).isPresent());
        }
    }

    @Test
    void aWholeClusterOutageKeepsEveryAcknowledgedRecordAndCommittedOffset() {
        try (LocalKafkaCluster cluster = LocalKafkaCluster.builder("outage").brokers(3).start()) {
            KafkaClients clients = cluster.clients();
            clients.createTopic("customer", 3);
            clients.produce(IntStream.range(0, 30)
                    .mapToObj(i -> new ProducerRecord<>("customer", "k" + i, "message " + i)).toList());
            assertEquals(30, clients.consumeAsGroup("replicator", "customer").size());
            Map<TopicPartition, Long> committed = clients.committedOffsets("replicator");
            String bootstrapBefore = cluster.bootstrapServers();

            cluster.kill();
            assertFalse(cluster.isRunning());
            cluster.brokerNodeIds().forEach(id -> assertFalse(cluster.isBrokerRunning(id)));

            cluster.restart();
            cluster.brokerNodeIds().forEach(id -> assertTrue(cluster.isBrokerRunning(id)));
            assertEquals(bootstrapBefore, cluster.bootstrapServers());
            assertEquals(IntStream.range(0, 30).mapToObj(i -> "message " + i).sorted().toList(),
                    KafkaClients.values(clients.readAll("customer")).stream().sorted().toList());
            assertEquals(committed, clients.committedOffsets("replicator"));
            clients.produce("customer", "k", "after the outage");
            assertEquals(List.of("after the outage"), KafkaClients.values(clients.consumeAsGroup("replicator", "customer")));
        }
    }

    @Test
    void withADedicatedControllerLosingTwoBrokersShrinksTheIsrToOneAndRejectsAcksAll() throws Exception {
        try (LocalKafkaCluster cluster = LocalKafkaCluster.builder("two-az-loss").brokers(3).dedicatedController(true).start()) {
            KafkaClients clients = cluster.clients();
            clients.createTopic("orders", 1);
            TopicPartition partition = new TopicPartition("orders", 0);
            clients.produce(records(partition, 0, 1));

            cluster.killBroker(1);
            cluster.killBroker(2);
            // The controller quorum is not on the brokers, so it fences both and leaves broker 3 alone in the ISR.
            await("broker 3 alone in the ISR, leading", () -> cluster.inSyncReplicasOf(partition).equals(List.of(3))
                    && cluster.leaderOf(partition).equals(OptionalInt.of(3)) ? true : null);
            try (var producer = clients.producer(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                    ProducerConfig.RETRIES_CONFIG, 0))) {
                ExecutionException rejected = assertThrows(ExecutionException.class,
                        () -> producer.send(records(partition, 1, 2).get(0)).get(30, TimeUnit.SECONDS));
                assertInstanceOf(NotEnoughReplicasException.class, rejected.getCause());
            }

            cluster.restartBroker(1);
            await("broker 1 back in the ISR", () -> cluster.inSyncReplicasOf(partition).equals(List.of(1, 3)) ? true : null);
            clients.produce(records(partition, 1, 2));
            cluster.restartBroker(2);
            assertEquals(List.of("message 0", "message 1"), KafkaClients.values(clients.readAll("orders")));
        }
    }

    private static List<ProducerRecord<String, String>> records(TopicPartition partition, int from, int to) {
        return IntStream.range(from, to)
                .mapToObj(i -> new ProducerRecord<>(partition.topic(), partition.partition(), "k" + i, "message " + i))
                .toList();
    }

    /** Polls until the supplier returns a value (not null), failing after {@link #DEADLINE}. */
    private static <T> T await(String what, Supplier<T> condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                T value = condition.get();
                if (value != null) {
                    return value;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            LocalKafkaCluster.pause(Duration.ofMillis(200));
        }
        fail("no " + what + " within " + DEADLINE + (last != null ? ": " + last : ""));
        return null;
    }
}
