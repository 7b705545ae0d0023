package com.mskfailover.orchestrator.kafka;

import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drain's reads of many groups in one request each, on a real broker: the same answers as one group at a time. */
class KafkaAdminInspectorBatchTest {

    @Test
    void manyGroupsInOneRequestAnswerAsOneAtATime() {
        KafkaClients secondary = SharedClusters.secondary().clients();
        secondary.createTopic("batch-orders", 2);
        secondary.produce("batch-orders", "k", "v");
        try (KafkaConsumer<String, String> committer = secondary.consumer("batch-committed", Map.of())) {
            committer.commitSync(Map.of(new TopicPartition("batch-orders", 1), new OffsetAndMetadata(1, "meta")));
        }
        KafkaAdminInspector inspector = new KafkaAdminInspector("none");
        String bootstrap = secondary.bootstrapServers();
        List<String> groups = List.of("batch-committed", "batch-connected", "batch-never-seen");
        try (KafkaConsumer<String, String> connected = secondary.consumer("batch-connected", Map.of())) {
            connected.subscribe(List.of("batch-orders"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (connected.assignment().isEmpty() && System.nanoTime() < deadline) {
                connected.poll(Duration.ofMillis(100));
            }

            Map<String, Map<String, KafkaInspector.CommittedOffset>> offsets = inspector.committedOffsets(bootstrap, groups, List.of("batch-orders"));
            assertEquals(groups, List.copyOf(offsets.keySet()), "every group, in the order asked");
            assertEquals(Map.of("batch-orders-1", new KafkaInspector.CommittedOffset(1, "meta")), offsets.get("batch-committed"));
            assertEquals(Map.of(), offsets.get("batch-never-seen"));
            groups.forEach(group -> assertEquals(inspector.committedOffsets(bootstrap, group, List.of("batch-orders")), offsets.get(group), group));

            Map<String, java.util.Optional<String>> toStop = inspector.consumersToStop(bootstrap, groups, "secondary");
            assertEquals(groups, List.copyOf(toStop.keySet()));
            assertTrue(toStop.get("batch-connected").orElseThrow().startsWith("group batch-connected still has 1 active member(s) on the secondary"),
                    toStop.toString());
            assertEquals(java.util.Optional.empty(), toStop.get("batch-committed"));
            assertEquals(java.util.Optional.empty(), toStop.get("batch-never-seen"));
        }
        assertEquals(Map.of(), inspector.committedOffsets(bootstrap, List.of(), List.of("batch-orders")));
    }
}
