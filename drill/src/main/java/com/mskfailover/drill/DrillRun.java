package com.mskfailover.drill;

import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.local.kafka.LocalKafkaCluster;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The walkthrough's steps, shared by every scenario: two clusters, the control plane, the forward flow, the clients
 * going through the aliases, the failover, the failback and the final checks. A scenario calls them in its order and
 * adds its fault in between. It keeps what each cluster and msk-consumer should hold, so the end checks are exact.
 */
final class DrillRun implements AutoCloseable {

    static final String TOPIC = Drill.TOPIC;
    static final String GROUP = Drill.GROUP;
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(120);

    final DrillOptions options;
    final DrillReport report;
    LocalKafkaCluster primary;
    LocalKafkaCluster secondary;
    LocalControlPlane controlPlane;

    private int lastMessage;
    private Tally.Expected onPrimary = Tally.Expected.range(1, 0);
    private Tally.Expected onSecondary = Tally.Expected.range(1, 0);
    /** Produced and not read by msk-consumer yet. */
    private Tally.Expected unread = Tally.Expected.range(1, 0);
    private Instant impaired;

    DrillRun(DrillOptions options, DrillReport report) {
        this.options = options;
        this.report = report;
    }

    /** Clusters (the primary killable), aliases on the primary, topic customer, forward flow, messages 1 and 2 read. */
    void setUp(int brokers) throws Exception {
        setUp(brokers, false);
    }

    /**
     * {@link #setUp(int)}; {@code dedicatedController}: the primary's brokers next to a controller-only node, so that
     * losing brokers does not take the KRaft quorum with them.
     */
    void setUp(int brokers, boolean dedicatedController) throws Exception {
        Drill.prepareWorkDir(options.workDir());
        String shape = brokers == 1 ? "" : " (" + brokers + " brokers, replication factor 3"
                + (dedicatedController ? ", a dedicated controller" : "") + ")";
        primary = report.step("Start the primary cluster" + shape + " (child JVMs, so it can be killed)", () ->
                LocalKafkaCluster.builder("primary").mode(LocalKafkaCluster.Mode.CHILD_JVM).brokers(brokers).dedicatedController(dedicatedController)
                        .dataDir(options.workDir().resolve("primary")).start());
        secondary = report.step("Start the secondary cluster" + shape, () -> {
            LocalKafkaCluster.Builder builder = LocalKafkaCluster.builder("secondary").dataDir(options.workDir().resolve("secondary"));
            return brokers == 1 ? builder.start() : builder.mode(LocalKafkaCluster.Mode.CHILD_JVM).brokers(brokers).start();
        });
        controlPlane = new LocalControlPlane(options, primary, secondary);
        report.step("Point the bootstrap aliases at the primary", () -> controlPlane.pointAliasesAt(primary));
        report.step("Create topic customer (3 partitions) on the primary", () -> {
            primary.clients().createTopic(TOPIC, Drill.PARTITIONS);
            return null;
        });
        report.step("Start the forward replication primary -> secondary (" + (options.mskReplicator()
                ? "MSK Replicator stand-in; the failback creates another as its reverse flow" : "replicator-task") + ")", controlPlane::startForwardReplication);
        produce("the producer alias (the primary)", 2);
        consume("msk-consumer reads through the consumer alias (the primary)");
        report.step("Wait until the secondary has both messages and the group's offsets", () ->
                awaitCaughtUp(primary.clients(), secondary.clients()));
        ExecutionResult preflight = report.step("Run the preflight: would a failover and a failback work now? (moves nothing)",
                controlPlane::runPreflight);
        report.execution("Preflight", preflight);
        preflight.output().path("report").path("lines").forEach(line -> {
            String text = line.asText();
            String verdict = text.substring(text.indexOf(':') + 2);
            report.figure("preflight " + text.substring(0, text.indexOf(':')), verdict.length() > 100 ? verdict.substring(0, 100) + "..." : verdict);
        });
        report.expect("the preflight passed: a failover and a failback would find what they need", preflight.succeeded(),
                preflight.status() + " " + preflight.cause());
    }

    /**
     * The walkthrough up to the failback, where most scenarios inject their fault: set up with {@code brokers} per
     * cluster, lose the primary, fail over, produce messages 3 and 4 and {@code extraRecords} more on the secondary,
     * recover the primary.
     */
    void failOverThenRecover(int brokers, int extraRecords) throws Exception {
        setUp(brokers);
        impairPrimary();
        expectSucceeded("failover", failover());
        produceAfterFailover(extraRecords);
        recoverPrimary();
    }

    /** The number of the last message produced (message N). */
    int lastMessage() {
        return lastMessage;
    }

    /** kill -9 of the primary; ProbePrimary must see it unreachable. */
    void impairPrimary() throws Exception {
        impair("Impair the primary Region (kill -9 of the primary's brokers)", primary::kill);
        boolean reachable = report.step("ProbePrimary probes the primary from the secondary Region", controlPlane::primaryReachable);
        report.expect("ProbePrimary reports the primary unreachable (PrimaryReachable 0 feeds the alarm)", !reachable, reachable);
    }

    /** The scenario's impairment of the primary: the RTO is measured from its end. */
    void impair(String step, LocalControlPlane.Fault fault) throws Exception {
        impaired = report.step(step, () -> {
            fault.inject();
            return Instant.now();
        });
    }

    /** The alarm reaches DetectImpairment (twice: a duplicate delivery), which starts the failover; it is run. */
    ExecutionResult failover() throws Exception {
        ExecutionResult failover = report.step("Raise the alarm: DetectImpairment starts the failover", controlPlane::raiseAlarmAndRunFailover);
        return failoverRan(failover);
    }

    /** Reports a failover execution and, if it succeeded, the RTO and that every alias moved. */
    ExecutionResult failoverRan(ExecutionResult failover) {
        Instant flipped = Instant.now();
        report.execution("Failover", failover);
        if (failover.succeeded()) {
            report.expect("the aliases point at the secondary", controlPlane.aliasesPointAt(secondary), controlPlane.aliasTargets());
            report.figure("RTO (impairment -> aliases flipped, INSYNC)", Duration.between(impaired, flipped).toMillis() + " ms");
        }
        return failover;
    }

    void expectSucceeded(String what, ExecutionResult execution) {
        report.expect("the " + what + " execution succeeded", execution.succeeded(), execution.status() + " " + execution.error() + " " + execution.cause());
    }

    /** Messages 3 and 4 (and {@code extra} more) produced through the alias after failover; msk-consumer reads them. */
    void produceAfterFailover(int extra) throws Exception {
        produce("the producer alias (the secondary)", 2 + extra);
        consume("msk-consumer reads through the consumer alias (the secondary)");
    }

    /** Produces the next {@code count} messages through the producer alias, wherever it points now. */
    void produce(String through, int count) throws Exception {
        int first = lastMessage + 1;
        int last = lastMessage + count;
        report.step("Produce message" + (count == 1 ? " " + first : "s " + first + ".." + last) + " through " + through, () -> {
            produceRange(controlPlane.resolveProducerBootstrap(), TOPIC, first, last);
            return null;
        });
        lastMessage = last;
        produced(Tally.Expected.range(first, last), controlPlane.resolveProducerBootstrap().equals(primary.bootstrapServers()));
    }

    /** Where produced messages are expected: on the cluster written, and copied to the secondary if that was the primary. */
    private void produced(Tally.Expected produced, boolean toPrimary) {
        if (toPrimary) {
            onPrimary = onPrimary.and(produced);
            onSecondary = onSecondary.and(produced); // the forward flow copies them
        } else {
            onSecondary = onSecondary.and(produced);
        }
        unread = unread.and(produced);
    }

    /** A producer that resolved the alias before it moved writes the next message straight to the primary. */
    void produceToPrimaryLate() {
        int message = ++lastMessage;
        produceRange(primary.bootstrapServers(), TOPIC, message, message);
        produced(Tally.Expected.range(message, message), true);
    }

    /** msk-consumer reads what is next for it through the consumer alias; it must be exactly what it has not read. */
    Tally consume(String step) throws Exception {
        Tally.Expected expected = unread;
        Tally read = report.step(step, () -> readAsGroup(controlPlane.resolveConsumerBootstrap(), expected));
        report.expect(step.replace(" reads ", " read ") + ": exactly the " + expected.count() + " messages it had not read",
                read.exact(), read);
        unread = Tally.Expected.range(1, 0);
        return read;
    }

    /** Waits until the secondary holds every message it should: the forward flow copies what producers wrote to the primary. */
    void awaitSecondaryHoldsEverything(String step) throws Exception {
        Tally holds = report.step(step, () -> tally(secondary, onSecondary, true));
        report.expect(step + ": every message, once", holds.exact(), holds);
    }

    /** The secondary lost topic customer and its records (a fault of the scenario): it is expected to hold none. */
    void secondaryLostTopic() {
        onSecondary = Tally.Expected.range(1, 0);
    }

    void recoverPrimary() throws Exception {
        report.step("Recover the primary Region (restart the primary's brokers)", primary::restart);
    }

    /** After a failback that succeeded: every alias on the primary, which now holds what the secondary got. */
    void failbackSucceeded(ExecutionResult failback) {
        expectSucceeded("failback", failback);
        report.expect("the aliases point at the primary", controlPlane.aliasesPointAt(primary), controlPlane.aliasTargets());
        if (failback.succeeded()) {
            onPrimary = onPrimary.and(onSecondary);
        }
    }

    /**
     * The end: msk-consumer reads through its alias (only what it had not read: no re-read), and each cluster holds
     * exactly what it should, read with read_committed; figures for the summary.
     */
    void finish() throws Exception {
        if (!primary.isRunning() || primary.brokerNodeIds().stream().anyMatch(id -> !primary.isBrokerRunning(id))) {
            report.step("Restart what is down of the primary, to count its records", primary::startNode);
        }
        Tally.Expected expectedUnread = unread;
        Tally lastRead = report.step("msk-consumer reads through the consumer alias (" + controlPlane.aliasTarget(LocalControlPlane.CONSUMER_ALIAS) + ")",
                () -> readAsGroup(controlPlane.resolveConsumerBootstrap(), expectedUnread));
        report.expect("msk-consumer read only what it had not read (" + expectedUnread.count() + " messages): no re-read, no gap",
                lastRead.exact(), lastRead);
        report.figure("re-reads by msk-consumer at the end", lastRead.duplicated() + lastRead.unexpected());
        Tally primaryHolds = report.step("Count the records on the primary", () -> tally(primary, onPrimary, false));
        Tally secondaryHolds = report.step("Count the records on the secondary (waiting for the forward flow)", () -> tally(secondary, onSecondary, true));
        report.expect("the primary holds exactly messages it should (" + onPrimary.count() + "), no duplicate", primaryHolds.exact(), primaryHolds);
        report.expect("the secondary holds exactly the messages it should (" + onSecondary.count() + "), no duplicate",
                secondaryHolds.exact(), secondaryHolds);
        report.figure("records on the primary", primaryHolds.records());
        report.figure("records on the secondary", secondaryHolds.records());
        report.figure("missing on the primary / secondary", primaryHolds.missing() + " / " + secondaryHolds.missing());
        report.figure("duplicated on the primary / secondary", primaryHolds.duplicated() + " / " + secondaryHolds.duplicated());
        report.figure("aliases (producers, consumers)", controlPlane.aliasTarget(LocalControlPlane.PRODUCER_ALIAS) + ", "
                + controlPlane.aliasTarget(LocalControlPlane.CONSUMER_ALIAS));
        report.figure("operators were told", controlPlane.notifications().stream().map(n -> n.subject()).toList());
        report.expect("every fault of the scenario was injected", controlPlane.faultFailures().isEmpty(), controlPlane.faultFailures());
    }

    /** The last notification's subject and message, for a scenario's expectations. */
    String lastNotification() {
        var notifications = controlPlane.notifications();
        return notifications.isEmpty() ? "(none)" : notifications.getLast().subject() + "\n" + notifications.getLast().message();
    }

    private Tally tally(LocalKafkaCluster cluster, Tally.Expected expected, boolean waitForIt) throws InterruptedException {
        long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
        while (true) {
            Tally holds;
            try (KafkaConsumer<String, String> consumer = cluster.clients().consumer(null, Map.of())) {
                holds = Tally.ofTopic(consumer, TOPIC, expected);
            }
            if (holds.exact() || !waitForIt || System.nanoTime() > deadline) {
                return holds;
            }
            Thread.sleep(200); // polling pace only: the deadline above bounds the wait
        }
    }

    /** Sends without keeping a future per record (a million fit), and fails on the first refused one. */
    static void produceRange(String bootstrapServers, String topic, int first, int last) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, String> producer = new KafkaClients(bootstrapServers).producer(Map.of("linger.ms", 5))) {
            for (int i = first; i <= last && failure.get() == null; i++) {
                producer.send(new ProducerRecord<>(topic, "customer-" + i, Drill.message(i)), (metadata, error) -> {
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing to " + bootstrapServers + " failed", failure.get());
        }
    }

    /** What msk-consumer reads next, as a member of the group up to the end offsets seen at its start; it commits and leaves. */
    static Tally readAsGroup(String bootstrapServers, Tally.Expected expected) {
        try (KafkaConsumer<String, String> consumer = new KafkaClients(bootstrapServers).consumer(GROUP, Map.of())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(TOPIC, info.partition())).toList();
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            consumer.subscribe(List.of(TOPIC));
            Tally.Counter counter = new Tally.Counter(expected);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!consumer.assignment().containsAll(partitions)
                    || partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("msk-consumer did not reach " + ends + " within 5 minutes");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    counter.add(record.value());
                }
            }
            consumer.commitSync(Duration.ofSeconds(30));
            return counter.result();
        }
    }

    /**
     * Polls until the target has the source's records of the topic and the group's committed offsets, each
     * just after the copy of the last record the group read or past the transaction marker that follows it (so
     * offsets are compared through the records, not as numbers).
     */
    private static String awaitCaughtUp(KafkaClients source, KafkaClients target) throws InterruptedException {
        long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
        List<ConsumerRecord<String, String>> sourceRecords = source.readAll(TOPIC);
        Map<TopicPartition, Long> sourceGroup = nonZero(source.committedOffsets(GROUP));
        while (System.nanoTime() < deadline) {
            try {
                List<ConsumerRecord<String, String>> targetRecords = target.readAll(TOPIC);
                if (byPartition(targetRecords).equals(byPartition(sourceRecords))) {
                    Map<TopicPartition, Long> expected = translated(sourceGroup, sourceRecords, targetRecords);
                    Map<TopicPartition, Long> committed = nonZero(target.committedOffsets(GROUP));
                    if (committed.keySet().equals(expected.keySet()) && expected.entrySet().stream().allMatch(entry ->
                            withinTheEmptyOffsetsAfter(entry.getValue(), committed.get(entry.getKey()), entry.getKey(), targetRecords, target))) {
                        return sourceRecords.size() + " records, group offsets " + committed.values();
                    }
                }
            } catch (IllegalStateException notYet) {
                // The topic or the group is not on the target yet.
            }
            Thread.sleep(200); // polling pace only: the deadline above bounds the wait
        }
        throw new IllegalStateException("the secondary did not catch up within " + CATCH_UP_TIMEOUT);
    }

    private static Map<Integer, List<String>> byPartition(List<ConsumerRecord<String, String>> records) {
        return records.stream().collect(Collectors.groupingBy(ConsumerRecord::partition,
                Collectors.mapping(ConsumerRecord::value, Collectors.toList())));
    }

    /** Where the group resumes on the target: just after the copy of the record before its source offset. */
    private static Map<TopicPartition, Long> translated(Map<TopicPartition, Long> sourceGroup,
                                                        List<ConsumerRecord<String, String>> sourceRecords,
                                                        List<ConsumerRecord<String, String>> targetRecords) {
        Map<String, Long> targetOffsetOfValue = targetRecords.stream()
                .collect(Collectors.toMap(ConsumerRecord::value, ConsumerRecord::offset, (a, b) -> a));
        Map<TopicPartition, Long> expected = new java.util.HashMap<>();
        sourceGroup.forEach((partition, committed) -> sourceRecords.stream()
                .filter(r -> r.partition() == partition.partition() && r.offset() == committed - 1)
                .findFirst()
                .ifPresent(lastRead -> expected.put(partition, targetOffsetOfValue.getOrDefault(lastRead.value(), -2L) + 1)));
        return expected;
    }

    /**
     * Whether a group's offset on the target is just after the copy of the last record it read ({@code afterCopy}) or
     * past the empty offsets that follow it (the copies' transaction marker): never at or past the next record there.
     */
    private static boolean withinTheEmptyOffsetsAfter(long afterCopy, long committed, TopicPartition partition,
                                                      List<ConsumerRecord<String, String>> targetRecords, KafkaClients target) {
        long nextRecord = targetRecords.stream().filter(r -> r.partition() == partition.partition() && r.offset() >= afterCopy)
                .mapToLong(ConsumerRecord::offset).min().orElseGet(() -> target.endOffsets(TOPIC).getOrDefault(partition, afterCopy));
        return committed >= afterCopy && committed <= nextRecord;
    }

    /** A committed offset of 0 says no more than no commit at all: the replicator need not copy it. */
    private static <K> Map<K, Long> nonZero(Map<K, Long> offsets) {
        return offsets.entrySet().stream().filter(entry -> entry.getValue() > 0)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    @Override
    public void close() {
        if (controlPlane != null) {
            controlPlane.close();
        }
        if (secondary != null) {
            secondary.close();
        }
        if (primary != null) {
            primary.close();
        }
    }
}
