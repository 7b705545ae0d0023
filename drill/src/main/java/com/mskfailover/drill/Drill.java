package com.mskfailover.drill;

import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.local.kafka.LocalKafkaCluster;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The blog's walkthrough, end to end on this machine, through the project's real parts: two real Kafka clusters,
 * replicator-task as a local process for the forward flow and for failback, the real state machine files run by
 * the local ASL interpreter with the real Java handlers, and local stand-ins where AWS would be (alias records
 * in a file the clients resolve at start-up, the Fargate task as a local process, the alarm as the sample event).
 */
public final class Drill {

    static final String TOPIC = "customer";
    static final String GROUP = "msk-consumer";
    static final int PARTITIONS = 3;
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(120);
    private static final String WORK_DIR_MARKER = ".drill-work-dir";

    private final DrillOptions options;
    private final DrillReport report;

    Drill(DrillOptions options, PrintStream out) {
        this.options = options;
        this.report = new DrillReport(out);
    }

    public static void main(String[] args) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(DrillOptions.USAGE);
            return;
        }
        DrillOptions options;
        try {
            options = DrillOptions.parse(args, Path.of("").toAbsolutePath());
        } catch (IllegalArgumentException e) {
            System.err.println("drill: " + e.getMessage());
            System.err.print(DrillOptions.USAGE);
            System.exit(2);
            return;
        }
        DrillReport report = new Drill(options, System.out).run();
        System.exit(report.allMet() ? 0 : 1);
    }

    /** Runs the whole walkthrough and returns its report; never throws for a failed expectation. */
    DrillReport run() {
        try {
            walkthrough();
        } catch (IllegalArgumentException badOption) {
            report.expect("the walkthrough ran to its end", false, badOption.getMessage());
        } catch (Exception e) {
            report.expect("the walkthrough ran to its end", false, e.toString());
            e.printStackTrace();
        }
        report.printSummary();
        return report;
    }

    private void walkthrough() throws Exception {
        prepareWorkDir(options.workDir());
        try (LocalKafkaCluster primary = report.step("Start the primary cluster (a child JVM, so it can be killed)", () ->
                     LocalKafkaCluster.builder("primary").mode(LocalKafkaCluster.Mode.CHILD_JVM)
                             .dataDir(options.workDir().resolve("primary")).start());
             LocalKafkaCluster secondary = report.step("Start the secondary cluster", () ->
                     LocalKafkaCluster.builder("secondary").dataDir(options.workDir().resolve("secondary")).start());
             LocalControlPlane controlPlane = new LocalControlPlane(options, primary, secondary)) {

            report.step("Point the bootstrap aliases at the primary", () -> controlPlane.pointAliasesAt(primary));
            report.step("Create topic customer (3 partitions) on the primary", () -> {
                primary.clients().createTopic(TOPIC, PARTITIONS);
                return null;
            });
            report.step("Start the forward replication primary -> secondary (replicator-task)", controlPlane::startForwardReplication);

            report.step("Produce messages 1 and 2 through the producer alias", () -> produceThroughAlias(controlPlane, 1, 2));
            List<String> firstRead = report.step("msk-consumer reads through the consumer alias",
                    () -> KafkaClients.values(consumeThroughAlias(controlPlane)));
            report.expect("msk-consumer read messages 1 and 2 on the primary", sorted(firstRead).equals(messages(1, 2)), firstRead);
            report.step("Wait until the secondary has both messages and the group's offsets", () ->
                    awaitCaughtUp(primary.clients(), secondary.clients()));

            Instant impaired = report.step("Impair the primary Region (kill -9 of the primary broker)", () -> {
                primary.kill();
                return Instant.now();
            });
            boolean reachable = report.step("ProbePrimary probes the primary from the secondary Region", controlPlane::primaryReachable);
            report.expect("ProbePrimary reports the primary unreachable (PrimaryReachable 0 feeds the alarm)", !reachable, reachable);
            ExecutionResult failover = report.step("Raise the alarm: DetectImpairment starts the failover", controlPlane::raiseAlarmAndRunFailover);
            Instant flipped = Instant.now();
            report.execution("Failover", failover);
            report.expect("the failover execution succeeded", failover.succeeded(), failover.status() + " " + failover.error());
            report.expect("the aliases point at the secondary", controlPlane.aliasesPointAt(secondary), controlPlane.aliasTargets());
            report.figure("RTO (impairment -> aliases flipped, INSYNC)", Duration.between(impaired, flipped).toMillis() + " ms");

            int lastMessage = 4 + options.extraRecords();
            report.step("Produce messages 3 and 4" + (options.extraRecords() > 0 ? " (and " + options.extraRecords() + " more)" : "")
                    + " through the producer alias", () -> produceThroughAlias(controlPlane, 3, lastMessage));
            List<String> afterFailover = report.step("msk-consumer reads through the consumer alias",
                    () -> KafkaClients.values(consumeThroughAlias(controlPlane)));
            report.expect("msk-consumer read exactly the messages produced after failover, on the secondary",
                    sorted(afterFailover).equals(sorted(messages(3, lastMessage))), summarize(afterFailover));

            report.step("Recover the primary Region (restart the primary broker)", primary::restart);
            ExecutionResult failback = report.step("Start the failback (events/failback-start.json)", controlPlane::runFailback);
            report.execution("Failback", failback);
            report.expect("the failback execution succeeded", failback.succeeded(), failback.status() + " " + failback.error());
            report.expect("the aliases point at the primary", controlPlane.aliasesPointAt(primary), controlPlane.aliasTargets());

            List<String> afterFailback = report.step("msk-consumer reads through the consumer alias",
                    () -> KafkaClients.values(consumeThroughAlias(controlPlane)));
            report.expect("msk-consumer on the primary has nothing left to read (no re-read)", afterFailback.isEmpty(), summarize(afterFailback));
            report.figure("re-reads by msk-consumer after failback", afterFailback.size());

            List<String> onPrimary = KafkaClients.values(primary.clients().readAll(TOPIC));
            List<String> onSecondary = KafkaClients.values(secondary.clients().readAll(TOPIC));
            report.figure("records on the primary", onPrimary.size());
            report.figure("records on the secondary", onSecondary.size());
            report.figure("duplicates on the primary", duplicates(onPrimary));
            report.figure("duplicates on the secondary", duplicates(onSecondary));
            report.expect("the primary holds exactly messages 1.." + lastMessage + ", no duplicate",
                    sorted(onPrimary).equals(sorted(messages(1, lastMessage))), summarize(onPrimary));
            report.expect("the secondary holds exactly messages 1.." + lastMessage + ", no duplicate",
                    sorted(onSecondary).equals(sorted(messages(1, lastMessage))), summarize(onSecondary));
        }
    }

    private Void produceThroughAlias(LocalControlPlane controlPlane, int first, int last) {
        KafkaClients clients = new KafkaClients(controlPlane.resolveProducerBootstrap());
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            records.add(new ProducerRecord<>(TOPIC, "customer-" + i, message(i)));
        }
        clients.produce(records);
        return null;
    }

    private List<ConsumerRecord<String, String>> consumeThroughAlias(LocalControlPlane controlPlane) {
        // A client resolves the alias when it starts, as real clients do after a flip.
        return new KafkaClients(controlPlane.resolveConsumerBootstrap()).consumeAsGroup(GROUP, TOPIC);
    }

    /**
     * Polls until the target has the source's records of the topic and the group's committed offsets, each
     * just after the copy of the last record the group read (a transaction marker may follow a copy, so
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
                    if (nonZero(target.committedOffsets(GROUP)).equals(expected)) {
                        return sourceRecords.size() + " records, group offsets " + expected.values();
                    }
                }
            } catch (IllegalStateException notYet) {
                // The topic or the group is not on the target yet.
            }
            Thread.sleep(200);
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

    /** A committed offset of 0 says no more than no commit at all: the replicator need not copy it. */
    private static <K> Map<K, Long> nonZero(Map<K, Long> offsets) {
        return offsets.entrySet().stream().filter(entry -> entry.getValue() > 0)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    static String message(int i) {
        return "message " + i;
    }

    static List<String> messages(int first, int last) {
        List<String> messages = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            messages.add(message(i));
        }
        return messages;
    }

    private static List<String> sorted(List<String> values) {
        return values.stream().sorted().toList();
    }

    static long duplicates(List<String> values) {
        return values.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
                .values().stream().mapToLong(count -> count - 1).sum();
    }

    private static String summarize(List<String> values) {
        return values.size() <= 8 ? values.toString() : values.size() + " records, " + duplicates(values) + " duplicates";
    }

    /**
     * Empties the work directory of an earlier drill run. A directory that holds anything else is refused: a mistyped
     * --work-dir must not delete someone's files.
     */
    static void prepareWorkDir(Path workDir) throws java.io.IOException {
        Path marker = workDir.resolve(WORK_DIR_MARKER);
        if (Files.isDirectory(workDir) && !Files.exists(marker)) {
            try (Stream<Path> entries = Files.list(workDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--work-dir " + workDir + " is not empty and was not made by the drill: "
                            + "name an empty or new directory");
                }
            }
        }
        deleteRecursively(workDir);
        Files.createDirectories(workDir);
        Files.writeString(marker, "made by drill/run; emptied at the start of every run\n");
    }

    private static void deleteRecursively(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
