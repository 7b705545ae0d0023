package com.mskfailover.replicator.bench;

import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.mirror.MirrorMaker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Prints throughput figures: this replicator (its shaded jar in a child JVM capped at 512 MiB of heap)
 * against MirrorMaker 2 with IdentityReplicationPolicy, on the same two loopback clusters in one run,
 * with raw produce throughput into the target as the ceiling. Not a test: bench/run.sh runs it.
 *
 * <p>Arguments: [records (1000000)] [record size in bytes (1024)] [partitions (4)].
 */
public final class ReplicatorBenchmark {

    private static final String TOPIC = "bench";
    private static final Duration POLL = Duration.ofMillis(50);
    /** What a small Fargate task gives the replicator; override with -Dreplicator.jvm.flags="...". */
    private static final String JVM_FLAGS = "-Xmx512m";

    private final int records;
    private final int recordSize;
    private final int partitions;

    private ReplicatorBenchmark(int records, int recordSize, int partitions) {
        this.records = records;
        this.recordSize = recordSize;
        this.partitions = partitions;
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int recordSize = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path jar = Path.of(System.getProperty("replicator.jar", "replicator-task/target/replicator-task.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException("build the shaded jar first: " + jar.toAbsolutePath());
        }
        new ReplicatorBenchmark(records, recordSize, partitions).run(jar);
        System.exit(0); // MirrorMaker's Connect threads are not all daemons
    }

    private void run(Path jar) throws Exception {
        System.out.printf("benchmark: %,d records x %,d B, %d partitions, loopback, %d CPUs%n",
                records, recordSize, partitions, Runtime.getRuntime().availableProcessors());
        // Broker logs in memory when possible: the figures should not depend on when the VM's disk
        // flushes the gigabytes written by the previous phase.
        Path dataRoot = Files.createTempDirectory(Path.of(System.getProperty("bench.dataDir",
                Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir"))), "replicator-bench-");
        System.out.println("broker data under " + dataRoot);
        try (LocalKafkaCluster source = LocalKafkaCluster.builder("bench-source").mode(LocalKafkaCluster.Mode.CHILD_JVM)
                        .dataDir(dataRoot.resolve("source")).start();
             LocalKafkaCluster target = LocalKafkaCluster.builder("bench-target").mode(LocalKafkaCluster.Mode.CHILD_JVM)
                     .dataDir(dataRoot.resolve("target")).start()) {
            createTopic(source, TOPIC);
            // Clusters in use hold consumer groups already; a fresh one creates __consumer_offsets on the
            // first group request, which would add about half a second to whoever asks first.
            createConsumerOffsetsTopic(source);
            createConsumerOffsetsTopic(target);
            double sourceRate = produce(source, TOPIC);
            System.out.printf("loaded source:           %,10.0f records/s%n", sourceRate);

            // The machine may be shared: the ceiling is measured just before and just after the
            // replicator's run, and their mean is the figure it is compared with.
            double ceilingBefore = rawProduceIntoTarget(target);
            Run ours = runReplicator(jar, source, target, 1, "bench");
            deleteTopic(target, TOPIC);
            double ceilingAfter = rawProduceIntoTarget(target);
            double ceiling = (ceilingBefore + ceilingAfter) / 2;
            System.out.printf("raw produce into target: %,10.0f records/s  (%.1f MiB/s)  <- ceiling (before %,.0f, after %,.0f)%n",
                    ceiling, mib(ceiling), ceilingBefore, ceilingAfter);
            System.out.printf("replicator-task:         %,10.0f records/s  (%.1f MiB/s), first record after %,d ms, end to end %,d ms%n",
                    ours.copyRate(), mib(ours.copyRate()), ours.firstRecordMillis(), ours.totalMillis());

            String scaleOut = System.getProperty("bench.tasks", "1,2,4");
            if (!scaleOut.isBlank()) {
                scaleOut(jar, source, target, scaleOut);
                deleteTopic(target, TOPIC); // MirrorMaker 2 below copies into an empty target too
            }
            if (!Boolean.parseBoolean(System.getProperty("bench.mirrormaker", "true"))) {
                System.out.printf("replicator-task / raw ceiling   = %.2f; heap %s%n", ours.copyRate() / ceiling, ours.heap());
                return; // a quick run while tuning
            }
            Run mirrorMaker = runMirrorMaker(source, target);
            System.out.printf("MirrorMaker 2 (4 tasks): %,10.0f records/s  (%.1f MiB/s), first record after %,d ms, end to end %,d ms%n",
                    mirrorMaker.copyRate(), mib(mirrorMaker.copyRate()), mirrorMaker.firstRecordMillis(), mirrorMaker.totalMillis());

            System.out.printf("replicator-task / MirrorMaker 2 = %.2fx (goal >= 1.5x)%n", ours.copyRate() / mirrorMaker.copyRate());
            System.out.printf("replicator-task / raw ceiling   = %.2f (goal >= 0.8)%n", ours.copyRate() / ceiling);
            System.out.printf("first record copied after %,d ms (goal < 3000 ms), heap %s (goal <= 512 MiB)%n",
                    ours.firstRecordMillis(), ours.heap());
        } finally {
            deleteRecursively(dataRoot); // in memory: give it back
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /**
     * The same copy by 1, 2, 4... tasks of one REPLICATOR_NAME sharing LANES = tasks (a fresh name each time, so
     * each copies everything), each task in its own child JVM with the same flags.
     */
    private void scaleOut(Path jar, LocalKafkaCluster source, LocalKafkaCluster target, String counts) throws Exception {
        for (String count : counts.split(",")) {
            int tasks = Integer.parseInt(count.strip());
            deleteTopic(target, TOPIC);
            Run run = runReplicator(jar, source, target, tasks, "bench-" + tasks + "-tasks");
            System.out.printf("replicator-task x %d task(s) (LANES=%d): %,10.0f records/s  (%.1f MiB/s), first record after %,d ms, heap of one %s%n",
                    tasks, tasks, run.copyRate(), mib(run.copyRate()), run.firstRecordMillis(), run.heap());
        }
    }

    private record Run(long firstRecordMillis, long totalMillis, double copyRate, String heap) {}

    private Run runReplicator(Path jar, LocalKafkaCluster source, LocalKafkaCluster target, int tasks, String name) throws Exception {
        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        List<Path> gcLogs = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int task = 0; task < tasks; task++) {
                Path log = Files.createTempFile("bench-replicator-", ".log");
                Path gcLog = Files.createTempFile("bench-replicator-gc-", ".log");
                logs.add(log);
                gcLogs.add(gcLog);
                processes.add(startReplicator(jar, source, target, tasks, name, log, gcLog));
            }
            Run run = awaitCopies(target, start);
            for (int task = 0; task < tasks; task++) {
                Process process = processes.get(task);
                process.destroy(); // SIGTERM: flush, commit, print peak heap
                if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IllegalStateException("the replicator did not stop cleanly; see " + logs.get(task));
                }
            }
            return new Run(run.firstRecordMillis(), run.totalMillis(), run.copyRate(), heapFromGcLog(gcLogs.getFirst()));
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }

    private Process startReplicator(Path jar, LocalKafkaCluster source, LocalKafkaCluster target, int tasks, String name,
                                    Path log, Path gcLog) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString()));
        command.addAll(List.of(System.getProperty("replicator.jvm.flags", JVM_FLAGS).split(" ")));
        command.addAll(List.of("-Xlog:gc:file=" + gcLog, "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(Map.of(
                "SOURCE_BOOTSTRAP_SERVERS", source.bootstrapServers(),
                "TARGET_BOOTSTRAP_SERVERS", target.bootstrapServers(),
                "SOURCE_AUTH", "none",
                "TARGET_AUTH", "none",
                "TOPICS", TOPIC,
                "REPLICATOR_NAME", name,
                "LANES", Integer.toString(tasks)));
        // Client tuning experiments: SOURCE_KAFKA_* / TARGET_KAFKA_* in the benchmark's environment pass through.
        System.getenv().forEach((variable, value) -> {
            if (variable.startsWith("SOURCE_KAFKA_") || variable.startsWith("TARGET_KAFKA_") || (tasks == 1 && variable.equals("LANES"))) {
                builder.environment().put(variable, value);
            }
        });
        return builder.start();
    }

    /**
     * The largest heap occupancy any collection started from, and the most any left behind, read
     * from the JVM's own GC log (e.g. "GC(3) Pause Young (Normal) (G1 Evacuation Pause) 105M->20M(512M)").
     */
    static String heapFromGcLog(Path gcLog) throws IOException {
        Pattern pause = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");
        long peak = 0;
        long live = 0;
        long capacity = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher matcher = pause.matcher(line);
            if (matcher.find()) {
                peak = Math.max(peak, Long.parseLong(matcher.group(1)));
                live = Math.max(live, Long.parseLong(matcher.group(2)));
                capacity = Math.max(capacity, Long.parseLong(matcher.group(3)));
            }
        }
        return peak + " MiB used at most (at most " + live + " MiB left after a collection, heap capacity " + capacity + " MiB)";
    }

    private Run runMirrorMaker(LocalKafkaCluster source, LocalKafkaCluster target) throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put("clusters", "source, target");
        config.put("source.bootstrap.servers", source.bootstrapServers());
        config.put("target.bootstrap.servers", target.bootstrapServers());
        config.put("source->target.enabled", "true");
        config.put("target->source.enabled", "false");
        config.put("source->target.topics", TOPIC);
        config.put("replication.policy.class", "org.apache.kafka.connect.mirror.IdentityReplicationPolicy");
        config.put("tasks.max", String.valueOf(partitions));
        for (String topicKind : List.of("replication.factor", "offset-syncs.topic.replication.factor",
                "checkpoints.topic.replication.factor", "heartbeats.topic.replication.factor",
                "offset.storage.replication.factor", "status.storage.replication.factor", "config.storage.replication.factor")) {
            config.put(topicKind, "1");
        }
        config.put("sync.topic.acls.enabled", "false");
        // The same batching as replicator-task's producer, so the comparison is about the design.
        config.put("target.producer.linger.ms", "10");
        config.put("target.producer.batch.size", String.valueOf(512 * 1024));
        config.put("source.consumer.max.poll.records", "5000");
        long start = System.nanoTime();
        MirrorMaker mirrorMaker = new MirrorMaker(config, List.of("target"));
        mirrorMaker.start();
        try {
            return awaitCopies(target, start);
        } finally {
            mirrorMaker.stop();
        }
    }

    /** Polls the target's end offsets until every record is there; the copy rate is measured from the first one. */
    private Run awaitCopies(LocalKafkaCluster target, long startNanos) throws Exception {
        long firstNanos = 0;
        long deadline = startNanos + TimeUnit.MINUTES.toNanos(20);
        try (Admin admin = target.admin()) {
            while (System.nanoTime() < deadline) {
                long copied = count(admin);
                long now = System.nanoTime();
                if (copied > 0 && firstNanos == 0) {
                    firstNanos = now;
                }
                if (copied >= records) {
                    double seconds = (now - firstNanos) / 1e9;
                    return new Run(TimeUnit.NANOSECONDS.toMillis(firstNanos - startNanos),
                            TimeUnit.NANOSECONDS.toMillis(now - startNanos), records / seconds, "n/a");
                }
                Thread.sleep(POLL.toMillis());
            }
        }
        throw new IllegalStateException("records not copied within 20 minutes");
    }

    private long count(Admin admin) {
        try {
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(TOPIC)) {
                return 0;
            }
            Map<TopicPartition, OffsetSpec> request = IntStream.range(0, partitions).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(TOPIC, p), p -> OffsetSpec.latest()));
            return admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values().stream()
                    .mapToLong(info -> info.offset()).sum();
        } catch (Exception e) {
            return 0; // the topic is being created
        }
    }

    /** Produces the records with the same producer settings replicator-task uses; returns records/s. */
    private double produce(LocalKafkaCluster cluster, String topic) throws Exception {
        byte[] value = new byte[recordSize];
        new Random(42).nextBytes(value);
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, null, value));
            }
            producer.flush();
        }
        return records / ((System.nanoTime() - start) / 1e9);
    }

    private double rawProduceIntoTarget(LocalKafkaCluster target) throws Exception {
        createTopic(target, "ceiling");
        double rate = produce(target, "ceiling");
        deleteTopic(target, "ceiling");
        return rate;
    }

    private void createTopic(LocalKafkaCluster cluster, String topic) throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void createConsumerOffsetsTopic(LocalKafkaCluster cluster) throws Exception {
        try (Admin admin = cluster.admin()) {
            admin.alterConsumerGroupOffsets("bench-warm-up", Map.of(new TopicPartition(TOPIC, 0),
                    new org.apache.kafka.clients.consumer.OffsetAndMetadata(0))).all().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            // The target has no topic "bench" yet: the coordinator, and so __consumer_offsets, exists anyway.
        }
    }

    private static void deleteTopic(LocalKafkaCluster cluster, String topic) throws Exception {
        try (Admin admin = cluster.admin()) {
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
                return;
            }
            admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic) && System.nanoTime() < deadline) {
                Thread.sleep(POLL.toMillis());
            }
        }
    }

    private double mib(double recordsPerSecond) {
        return recordsPerSecond * recordSize / (1024 * 1024);
    }
}
