package com.mskfailover.local.msk;

import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.local.kafka.LocalKafkaCluster;
import com.mskfailover.local.wait.Polling;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stand-in does what the MSK Developer Guide documents for MSK Replicator, on two real clusters. */
class LocalMskReplicatorTest {

    /** Two real single-node clusters, closed after the class (JUnit's @AutoClose). */
    @AutoClose
    private static final LocalKafkaCluster east = LocalKafkaCluster.start("east");
    @AutoClose
    private static final LocalKafkaCluster west = LocalKafkaCluster.start("west");

    @Test
    void copiesWithTheHeaderSkipsWhatCarriesItAndBothDirectionsNeverPingPong() {
        String topic = "orders-both-ways";
        KafkaClients a = east.clients();
        KafkaClients b = west.clients();
        a.createTopic(topic, 2);
        b.createTopic(topic, 2);
        try (LocalMskReplicator eastToWest = start("east-to-west", a, b, topic, List.of());
             LocalMskReplicator westToEast = start("west-to-east", b, a, topic, List.of())) {
            a.produce(List.of(new ProducerRecord<>(topic, 0, "k1", "from east")));
            b.produce(List.of(new ProducerRecord<>(topic, 1, "k2", "from west")));
            pollUntil("both copies and both skips", () -> eastToWest.copiedRecords() == 1 && westToEast.copiedRecords() == 1
                    && eastToWest.skippedRecords() == 1 && westToEast.skippedRecords() == 1 && eastToWest.messageLag() == 0 && westToEast.messageLag() == 0);

            for (KafkaClients side : List.of(a, b)) {
                List<ConsumerRecord<String, String>> records = side.readAll(topic);
                assertEquals(List.of("from east", "from west"), records.stream().map(ConsumerRecord::value).sorted().toList(), "each record once");
                ConsumerRecord<String, String> copy = records.stream().filter(r -> r.headers().lastHeader(LocalMskReplicator.HEADER) != null)
                        .findFirst().orElseThrow();
                assertEquals(side == a ? "from west" : "from east", copy.value(), "only the other side's record is a copy");
            }
        }
    }

    @Test
    void legacyOffsetSyncTranslatesThroughTheCopiesAndStopsWhileProducersWriteToTheTarget() {
        String topic = "payments-offsets";
        String group = "payments-reader";
        KafkaClients source = east.clients();
        KafkaClients target = west.clients();
        source.createTopic(topic, 1);
        target.createTopic(topic, 1);
        // The target already holds a record of its own: copies land at other offsets than their originals.
        target.produce(List.of(new ProducerRecord<>(topic, 0, "t0", "written on the target before replication")));
        source.produce(List.of(new ProducerRecord<>(topic, 0, "s0", "one"), new ProducerRecord<>(topic, 0, "s1", "two")));
        assertEquals(2, source.consumeAsGroup(group, topic).size());
        try (LocalMskReplicator replicator = start("offsets", source, target, topic, List.of(group))) {
            TopicPartition partition = new TopicPartition(topic, 0);
            pollUntil("the group's offset translated to just after the copy of 'two'",
                    () -> Long.valueOf(3).equals(target.committedOffsets(group).get(partition)));

            // A record more is copied, then producers write to the target (a failover): the sync stops for that partition.
            source.produce(List.of(new ProducerRecord<>(topic, 0, "s2", "three")));
            pollUntil("the copy of 'three'", () -> replicator.copiedRecords() == 3 && replicator.messageLag() == 0);
            target.produce(List.of(new ProducerRecord<>(topic, 0, "t1", "written on the target after failover")));
            assertEquals(1, source.consumeAsGroup(group, topic).size());
            long rounds = replicator.syncRounds();
            pollUntil("two more sync rounds", () -> replicator.syncRounds() >= rounds + 2);
            assertEquals(Long.valueOf(3), target.committedOffsets(group).get(partition), "not synced while the target has writes of its own");
        }
    }

    @Test
    void headersOfTheRecordAreKeptAndTheMarkerAdded() {
        String topic = "headers-kept";
        KafkaClients source = east.clients();
        source.createTopic(topic, 1);
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", "abc".getBytes(StandardCharsets.UTF_8));
        source.produce(List.of(new ProducerRecord<>(topic, 0, 1_700_000_000_000L, "k", "v", headers)));
        try (LocalMskReplicator replicator = start("headers", source, west.clients(), topic, List.of())) {
            pollUntil("the copy", () -> replicator.copiedRecords() == 1);
            ConsumerRecord<String, String> copy = west.clients().readAll(topic).getFirst();
            assertNotNull(copy.headers().lastHeader("trace"));
            assertNotNull(copy.headers().lastHeader(LocalMskReplicator.HEADER));
            assertEquals(1_700_000_000_000L, copy.timestamp(), "the copy keeps the record's timestamp");
        }
    }

    @Test
    void itCopiesNothingWhileCreatingAndItsMessageLagIsReadableOnlyAsLatePerPeriodMaxima() {
        String topic = "lag-as-cloudwatch-has-it";
        KafkaClients source = east.clients();
        source.createTopic(topic, 1);
        source.produce(List.of(new ProducerRecord<>(topic, 0, "k1", "waiting"), new ProducerRecord<>(topic, 0, "k2", "waiting too")));
        LocalCloudWatch cloudWatch = new LocalCloudWatch(LocalCloudWatch.Timing.scaled(Duration.ofMillis(400)));
        long created = System.nanoTime();
        try (LocalMskReplicator replicator = LocalMskReplicator.start(new LocalMskReplicator.Config("lag-reader", source.bootstrapServers(),
                west.clients().bootstrapServers(), List.of(topic), LocalMskReplicator.StartingPosition.EARLIEST, List.of()), cloudWatch)) {
            assertEquals("CREATING", replicator.state());
            assertEquals(0, replicator.copiedRecords());
            pollUntil("RUNNING", () -> "RUNNING".equals(replicator.state()));
            assertTrue(Duration.ofNanos(System.nanoTime() - created).compareTo(cloudWatch.timing().creating()) >= 0, "CREATING lasts its time");
            pollUntil("both records copied", () -> replicator.copiedRecords() == 2);
            Instant copiedAt = Instant.now();
            pollUntil("a datapoint of a period that began after the copy", () -> cloudWatch.maximum("lag-reader", "MessageLag", 20).stream()
                    .anyMatch(datapoint -> !datapoint.periodStart().isBefore(copiedAt)));
            Instant readAt = Instant.now();
            List<LocalCloudWatch.Datapoint> datapoints = cloudWatch.maximum("lag-reader", "MessageLag", 20);
            LocalCloudWatch.Datapoint newest = datapoints.getFirst();
            assertEquals(0.0, newest.maximum(), datapoints.toString());
            assertTrue(!newest.periodStart().plus(cloudWatch.timing().period()).plus(cloudWatch.timing().publishDelay()).isAfter(readAt),
                    "readable only once its period ended and the publication delay passed: " + newest + " read at " + readAt);
            assertEquals(0, newest.periodStart().toEpochMilli() % cloudWatch.timing().period().toMillis(), "periods aligned as CloudWatch's minutes");
        }
    }

    @Test
    void aDatapointIsThePeriodsMaximumAndReadableOnlyAfterThePeriodEndedAndTheDelayPassed() {
        java.util.concurrent.atomic.AtomicReference<Instant> now = new java.util.concurrent.atomic.AtomicReference<>(Instant.parse("2026-12-07T10:00:05Z"));
        java.time.Clock clock = new java.time.Clock() {
            @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
            @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now.get(); }
        };
        LocalCloudWatch cloudWatch = new LocalCloudWatch(LocalCloudWatch.Timing.AWS, clock);
        cloudWatch.sample("r", "MessageLag", 40);
        now.set(Instant.parse("2026-12-07T10:00:50Z"));
        cloudWatch.sample("r", "MessageLag", 0);
        now.set(Instant.parse("2026-12-07T10:01:10Z"));
        cloudWatch.sample("r", "MessageLag", 0);
        now.set(Instant.parse("2026-12-07T10:02:59Z"));
        assertEquals(List.of(), cloudWatch.maximum("r", "MessageLag", 5), "the 10:00 minute is readable from 10:03 (AWS timing: 2 min late)");
        now.set(Instant.parse("2026-12-07T10:03:00Z"));
        assertEquals(List.of(new LocalCloudWatch.Datapoint(Instant.parse("2026-12-07T10:00:00Z"), 40)), cloudWatch.maximum("r", "MessageLag", 5),
                "the Maximum of the minute, not its last sample");
        now.set(Instant.parse("2026-12-07T10:04:00Z"));
        assertEquals(Instant.parse("2026-12-07T10:01:00Z"), cloudWatch.maximum("r", "MessageLag", 5).getFirst().periodStart(), "newest first");
        assertEquals(List.of(), cloudWatch.maximum("other", "MessageLag", 5));
    }

    private static LocalMskReplicator start(String name, KafkaClients source, KafkaClients target, String topic, List<String> groups) {
        return LocalMskReplicator.start(new LocalMskReplicator.Config(name, source.bootstrapServers(), target.bootstrapServers(),
                List.of(topic), LocalMskReplicator.StartingPosition.EARLIEST, groups), new LocalCloudWatch(LocalCloudWatch.Timing.scaled(Duration.ofMillis(100))));
    }

    private static void pollUntil(String what, BooleanSupplier condition) {
        Polling.until(what, Duration.ofSeconds(30), condition);
    }
}
