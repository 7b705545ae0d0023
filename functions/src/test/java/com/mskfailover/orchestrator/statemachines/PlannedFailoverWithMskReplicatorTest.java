package com.mskfailover.orchestrator.statemachines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.local.msk.LocalCloudWatch;
import com.mskfailover.local.msk.LocalMskReplicator;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.local.wait.Polling;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.GroupOffsetHandover;
import com.mskfailover.orchestrator.local.FileBootstrapAliases;
import com.mskfailover.orchestrator.local.LocalReverseMskReplicators;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The planned failover in the template's default mode: MSK Replicator forward (local stand-in: LEGACY offset sync, which
 * stops once the secondary takes records of its own), through the real failover.asl.json on real brokers. A producer
 * writes on the secondary as soon as the producer alias moved, and a late one writes once more on the primary, whose
 * copy lands after it; the consumers then read everything on the primary and stop. They must resume on the secondary
 * at the first record they did not read: never past the record written there (the replicator's sync would have left
 * them three records back, re-reading them), re-reading at most the late record's copy, which lies after it.
 */
@org.junit.jupiter.api.Tag("integration")
class PlannedFailoverWithMskReplicatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final KafkaClients primary = SharedClusters.primary().clients();
    private final KafkaClients secondary = SharedClusters.secondary().clients();

    @Test
    void consumersResumeOnTheSecondaryAtTheFirstRecordTheyDidNotRead() throws Exception {
        String topic = "customer-planned-mskr";
        String group = "msk-consumer-planned-mskr";
        primary.createTopic(topic, 1);
        LocalCloudWatch cloudWatch = new LocalCloudWatch(LocalCloudWatch.Timing.scaled(Duration.ofMillis(300)));
        try (LocalMskReplicator forward = LocalMskReplicator.start(new LocalMskReplicator.Config("forward-planned", primary.bootstrapServers(),
                secondary.bootstrapServers(), List.of(topic), LocalMskReplicator.StartingPosition.EARLIEST, List.of(group)), cloudWatch)) {
            // Before: seven records read on the primary, three more not yet; the forward flow copies them and syncs the group.
            for (int i = 0; i < 7; i++) {
                primary.produce(topic, "k" + i, "before " + i);
            }
            assertEquals(7, primary.consumeAsGroup(group, topic).size());
            for (int i = 7; i < 10; i++) {
                primary.produce(topic, "k" + i, "before " + i);
            }
            Polling.until("the forward flow to copy the records and sync the group", Duration.ofSeconds(30),
                    () -> forward.copiedRecords() == 10 && Long.valueOf(7).equals(secondary.committedOffsets(group).get(new TopicPartition(topic, 0))));

            TestPorts ports = new TestPorts(dir, List.of(topic), List.of(group), writesWhenTheProducersMove(new FileBootstrapAliases(dir.resolve("aliases.json")), () -> {
                secondary.produce(topic, "n", "written on the secondary");
                primary.produce(topic, "late", "late on the primary");
                // The consumers read what is left on the primary (the three, and the late one), then stop.
                assertEquals(4, primary.consumeAsGroup(group, topic).size());
            }));
            ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
            ports.tasks = null;
            ports.forwardReplication = LocalReverseMskReplicators.forward(LocalReverseMskReplicators.StandIn.of(forward));
            String input = Files.readString(StateMachineRun.event("planned-failover-start.json"));

            ExecutionResult result = StateMachineRun.run("failover", ports.ports(), input).result();

            assertTrue(result.succeeded(), result.timelineTable());
            String catchUp = result.lastRun("CheckForwardReplicationCaughtUp").orElseThrow().output().path("forwardCatchUp").path("poll")
                    .path("detail").asText();
            assertTrue(catchUp.contains("their offsets handed over onto the secondary"), catchUp);
            assertEquals(TestPorts.SECONDARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS));
            // Secondary: the ten copies, the record written there (offset 10), the late record's copy (11).
            OffsetAndMetadata handedOver = committed(group, topic);
            assertEquals(10, handedOver.offset(), "at the record written on the secondary, the first one the group did not read");
            assertEquals(GroupOffsetHandover.handoverMetadata(11), handedOver.metadata());
            assertEquals(List.of("written on the secondary", "late on the primary"),
                    secondary.consumeAsGroup(group, topic).stream().map(ConsumerRecord::value).toList(),
                    "nothing skipped; the late record, copied after it, read twice (the runbook's bound)");
        }
    }

    private OffsetAndMetadata committed(String group, String topic) throws Exception {
        try (var admin = secondary.admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).get(new TopicPartition(topic, 0));
        }
    }

    /** The alias store, running {@code whenProducersMove} right after the change that moves the producer alias. */
    private static BootstrapAliases writesWhenTheProducersMove(BootstrapAliases aliases, Runnable whenProducersMove) {
        return new BootstrapAliases() {
            @Override
            public Map<String, BootstrapAliasRecord> read(Collection<String> aliasNames) {
                return aliases.read(aliasNames);
            }

            @Override
            public String change(List<BootstrapAliasRecord> records, String comment) {
                String change = aliases.change(records, comment);
                if (records.stream().anyMatch(record -> record.aliasName().equals(TestPorts.PRODUCER_ALIAS))
                        && records.stream().noneMatch(record -> record.aliasName().equals(TestPorts.CONSUMER_ALIAS))) {
                    whenProducersMove.run();
                }
                return change;
            }

            @Override
            public boolean isInSync(String changeId) {
                return aliases.isInSync(changeId);
            }
        };
    }
}
