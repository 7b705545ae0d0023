package com.mskfailover.orchestrator.domain;

import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.local.msk.LocalCloudWatch;
import com.mskfailover.local.msk.LocalMskReplicator;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.kafka.KafkaAdminInspector;
import com.mskfailover.orchestrator.local.LocalReverseMskReplicators;
import com.mskfailover.orchestrator.local.StaticClusterDirectory;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The check before the reverse MSK Replicator is deleted, on the two real clusters, with the local stand-in. */
@Tag("integration")
class LastRecordsCopiedTest {

    private final KafkaClients primary = SharedClusters.primary().clients();
    private final KafkaClients secondary = SharedClusters.secondary().clients();
    private final StaticClusterDirectory clusters = new StaticClusterDirectory(Map.of(TestPorts.PRIMARY_ARN, primary.bootstrapServers(),
            TestPorts.SECONDARY_ARN, secondary.bootstrapServers()));
    private final KafkaAdminInspector kafka = new KafkaAdminInspector("none");

    @Test
    void theDeleteIsRefusedNamingThePartitionWhileTheSecondarysLastOwnRecordIsNotOnThePrimaryAndDoneOnceItIs() {
        String topic = "customer-delete-check";
        long t = System.currentTimeMillis() - 60_000;
        primary.createTopic(topic, 3);
        secondary.createTopic(topic, 3);
        // Before the outage: a record on the primary, copied forward (the copy carries __mskmr).
        primary.produce(List.of(new ProducerRecord<>(topic, 0, t, "k0", "from the primary")));
        secondary.produce(List.of(copy(topic, 0, t, "k0", "from the primary")));
        // During the failover: partition 1 gets records on the secondary, then a forward copy lands after them (a
        // producer still on the primary); partition 2 gets nothing but forward copies.
        secondary.produce(List.of(new ProducerRecord<>(topic, 1, t + 1, "k1", "failover 1"), new ProducerRecord<>(topic, 1, t + 2, "k2", "failover 2")));
        secondary.produce(List.of(copy(topic, 1, t + 3, "k3", "late on the primary"), copy(topic, 2, t + 4, "k4", "only copies here")));
        primary.produce(List.of(new ProducerRecord<>(topic, 1, t + 3, "k3", "late on the primary"), new ProducerRecord<>(topic, 2, t + 4, "k4", "only copies here")));

        // The reverse replicator is still CREATING: nothing of the secondary is on the primary.
        LocalCloudWatch cloudWatch = new LocalCloudWatch(new LocalCloudWatch.Timing(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMinutes(10)));
        List<LocalMskReplicator> started = new ArrayList<>();
        LocalReverseMskReplicators replicators = new LocalReverseMskReplicators(clusters, (name, source, target, topics) -> {
            LocalMskReplicator replicator = LocalMskReplicator.start(new LocalMskReplicator.Config(name, source, target, topics,
                    LocalMskReplicator.StartingPosition.EARLIEST, List.of()), cloudWatch);
            started.add(replicator);
            return LocalReverseMskReplicators.StandIn.of(replicator);
        });
        try {
            Plan plan = new Plan("failback", new ClusterRef(TestPorts.PRIMARY_ARN, "us-east-1", null), new ClusterRef(TestPorts.SECONDARY_ARN, "us-east-2", null),
                    List.of(topic), List.of("msk-consumer"), List.of("p"), List.of("c"), new Timeouts(30, 60, 60, 30), 0, true,
                    "delete-check", 1, "test", false, false, 0);
            ReverseReplicationSteps steps = new ReverseReplicationSteps(null, replicators, kafka, clusters, "none", Clock.systemUTC());
            ReverseReplication replication = steps.start(plan);

            var refused = assertThrows(NotReadyException.class, () -> steps.stop(plan, replication));
            assertTrue(refused.getMessage().startsWith("refusing to delete MSK Replicator delete-check"), refused.getMessage());
            assertTrue(refused.getMessage().contains(topic + "-1: the secondary's last own record (offset 1, timestamp " + java.time.Instant.ofEpochMilli(t + 2) + ") "
                    + "is not on the primary"), "the forward copy after it is not taken for it: " + refused.getMessage());
            assertTrue(!refused.getMessage().contains(topic + "-0") && !refused.getMessage().contains(topic + "-2"),
                    "partitions with no record of the secondary's own have nothing to wait for: " + refused.getMessage());
            assertEquals("CREATING", replicators.state(replication.taskIds().getFirst()).status(), "the replicator keeps running");

            // Its copy arrives (same key, value and timestamp; behind a record producers wrote on the primary meanwhile).
            primary.produce(List.of(new ProducerRecord<>(topic, 1, t + 5, "k5", "new on the primary"), copy(topic, 1, t + 2, "k2", "failover 2")));
            assertEquals(List.of(), new LastRecordsCopied(kafka, clusters).notOnThePrimary(plan));
            List<ReplicatorTasks.TaskState> states = steps.stop(plan, replication);
            assertTrue(states.getFirst().stopped(), states.toString());
        } finally {
            started.forEach(LocalMskReplicator::close);
        }
    }

    /** A record as MSK Replicator writes its copy: same partition, key, value and timestamp, and the header {@code __mskmr}. */
    private static ProducerRecord<String, String> copy(String topic, int partition, long timestamp, String key, String value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(LocalMskReplicator.HEADER, "other-cluster".getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, partition, timestamp, key, value, headers);
    }
}
