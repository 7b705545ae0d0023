package com.mskfailover.orchestrator.kafka;

import com.mskfailover.local.kafka.LocalKafkaCluster;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.local.StaticClusterDirectory;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forward replicator-task as its consumer group on a real primary shows it: a quiet flow moves nothing. */
@Tag("integration")
class ReplicatorGroupForwardReplicationTest {

    private static final String PRIMARY_ARN = "arn:aws:kafka:us-east-1:123456789012:cluster/msk-primary/forward-group-test";
    private static final String TOPIC = "forward-group-quiet";
    private static final String GROUP = "forward-group-replicator";

    @Test
    void aCaughtUpFlowReportsNoThroughputAndLagZeroWhileRecordsWaitingCountAsMoving() {
        LocalKafkaCluster primary = SharedClusters.primary();
        primary.clients().createTopic(TOPIC, 2);
        primary.clients().produce(TOPIC, "k1", "v1");
        primary.clients().produce(TOPIC, "k2", "v2");
        commitAtTheEnd(primary);
        ForwardReplication forward = new ReplicatorGroupForwardReplication(
                new KafkaAdminInspector(bootstrap -> KafkaAdminInspector.clientConfig(bootstrap, "none")),
                new StaticClusterDirectory(Map.of(PRIMARY_ARN, primary.bootstrapServers())), PRIMARY_ARN, GROUP, List.of(TOPIC), 1000);

        ForwardReplication.Status quiet = forward.status();
        assertTrue(quiet.running(), quiet.detail());
        assertEquals(0.0, quiet.throughputPerSecond(), "caught up, nothing moves (no nominal rate): " + quiet.detail());
        assertEquals(OptionalLong.of(0), forward.messageLag(Instant.now()));

        primary.clients().produce(TOPIC, "k3", "v3");
        ForwardReplication.Status behind = forward.status();
        assertTrue(behind.running(), behind.detail());
        assertTrue(behind.throughputPerSecond() > 0, "a record waits within the bound: moving, " + behind.detail());
        assertEquals(OptionalLong.of(1), forward.messageLag(Instant.now()));
    }

    /** What the replicator-task does after copying: commits its positions at the log ends. */
    private static void commitAtTheEnd(LocalKafkaCluster primary) {
        Map<TopicPartition, Long> ends = primary.clients().endOffsets(TOPIC);
        try (KafkaConsumer<String, String> consumer = primary.clients().consumer(GROUP, Map.of())) {
            consumer.commitSync(ends.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, end -> new OffsetAndMetadata(end.getValue()))));
        }
    }
}
