package com.mskfailover.orchestrator.kafka;

import com.mskfailover.local.kafka.LocalKafkaCluster;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.OrchestratorException;
import com.mskfailover.orchestrator.domain.PrimaryRegionHealth;
import com.mskfailover.orchestrator.local.ClusterReportedHealth;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two of three AZs lost on a 3-node cluster whose nodes are each broker and KRaft controller (the quorum goes with
 * them): the last broker still answers from its last metadata. The orchestrator's reads must end within their
 * budget, not hang to the function's timeout, and the primary Region's view must not vouch for the cluster.
 */
@Tag("integration")
class KafkaAdminInspectorTwoAzsLostTest {

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // a read that hangs (Admin.close() waiting on it) fails here instead of stalling the build
    void readsAgainstTheLastBrokerEndWithinTheirBudgetAndTheClusterIsNotVouchedFor() throws Exception {
        try (LocalKafkaCluster primary = LocalKafkaCluster.builder("two-azs-lost").brokers(3).readyTimeout(Duration.ofMinutes(4)).start()) {
            primary.clients().createTopic("orders", 3);
            primary.clients().produce("orders", "k", "v");
            String group = groupCoordinatedByALostBroker(primary);
            primary.clients().consumeAsGroup(group, "orders");
            KafkaAdminInspector kafka = new KafkaAdminInspector("none");
            ClusterReportedHealth region = new ClusterReportedHealth(primary::bootstrapServers);
            assertEquals(PrimaryRegionHealth.Report.Status.HEALTHY, region.report().status(), region.report().detail());

            primary.killBroker(2);
            primary.killBroker(3);

            assertTrue(kafka.probe(primary.bootstrapServers(), Duration.ofSeconds(2)).reachable(), "the last broker answers");
            long started = System.nanoTime();
            try {
                Map<String, KafkaInspector.CommittedOffset> read = kafka.committedOffsets(primary.bootstrapServers(), group, List.of("orders"));
                assertTrue(read.size() <= 3, read.toString());
            } catch (OrchestratorException e) {
                // Failing is fine (its coordinator is gone); hanging is not.
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(took.compareTo(KafkaAdminInspector.CALL_TIMEOUT.plusSeconds(5)) < 0, "took " + took);

            PrimaryRegionHealth.Report report = region.report();
            assertEquals(PrimaryRegionHealth.Report.Status.IMPAIRED, report.status(), report.detail());
            assertTrue(report.detail().contains("ActiveControllerCount 0"), report.detail());
        }
    }
    /**
     * A group whose coordinator (the leader of its __consumer_offsets partition, chosen as Kafka's group coordinator
     * chooses it) is broker 2 or 3, the ones killed.
     */
    private static String groupCoordinatedByALostBroker(LocalKafkaCluster cluster) throws Exception {
        cluster.clients().consumeAsGroup("orders-first-reader", "orders"); // creates __consumer_offsets
        int partitions;
        try (var admin = cluster.admin()) {
            partitions = admin.describeTopics(List.of("__consumer_offsets")).allTopicNames().get().get("__consumer_offsets").partitions().size();
        }
        for (int i = 0; i < 50; i++) {
            String group = "orders-readers-" + i;
            int partition = org.apache.kafka.common.utils.Utils.abs(group.hashCode()) % partitions;
            if (cluster.leaderOf(new org.apache.kafka.common.TopicPartition("__consumer_offsets", partition)).orElse(1) != 1) {
                return group;
            }
        }
        throw new IllegalStateException("no group among 50 is coordinated by broker 2 or 3");
    }
}
