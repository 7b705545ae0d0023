package com.mskfailover.replicator.bench;

import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Soak under faults: two 3-broker clusters shaped like MSK's (replication factor 3, min.insync.replicas 2),
 * replicator-task in both directions at once (child JVMs), continuous produce on both sides, and faults
 * injected at random: kill -9 of a replicator, kill -9 of a broker (the leader of a partition), a whole
 * cluster away for 1-3 minutes, a record the target refuses until an operator raises the limit. Then
 * every partition is verified record by record (read_committed) and the figures printed. Not a test:
 * bench/soak.sh runs it.
 *
 * <p>Arguments: [minutes (10)] [seed (time)] [tasks per direction (1): tasks sharing the flow's lanes, of which a
 * replicator kill hits one].
 */
public final class ReplicatorSoak {

    private static final String TOPIC = "soak";
    private static final int PARTITIONS = 3;
    private static final Pattern LATENCY = Pattern.compile("\"ReplicationLatency\":(\\d+)");

    private final Duration length;
    private final Random random;
    private final Path work;
    private final Map<String, Integer> faults = new TreeMap<>();
    private final AtomicLong worstLag = new AtomicLong();
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final Map<String, AtomicLong> acknowledged = new ConcurrentHashMap<>();

    private final int tasks;

    private ReplicatorSoak(Duration length, long seed, Path work, int tasks) {
        this.length = length;
        this.tasks = tasks;
        this.random = new Random(seed);
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        double minutes = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : System.currentTimeMillis();
        int tasks = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path work = Files.createTempDirectory(Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : "/tmp"), "replicator-soak-");
        System.out.printf("soak: %.1f minutes, seed %d, %d task(s) per direction, work dir %s%n", minutes, seed, tasks, work);
        int exit = new ReplicatorSoak(Duration.ofSeconds((long) (minutes * 60)), seed, work, tasks).run();
        System.exit(exit);
    }

    private int run() throws Exception {
        try (LocalKafkaCluster east = cluster("east"); LocalKafkaCluster west = cluster("west")) {
            for (LocalKafkaCluster cluster : List.of(east, west)) {
                try (Admin admin = cluster.admin()) {
                    admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3))).all().get(60, TimeUnit.SECONDS);
                }
            }
            Flow eastToWest = new Flow("soak-east-west", east, west);
            Flow westToEast = new Flow("soak-west-east", west, east);
            List<Flow> flows = List.of(eastToWest, westToEast);
            flows.forEach(Flow::start);
            List<Thread> producers = List.of(producer("east", east), producer("west", west));
            producers.forEach(Thread::start);
            Thread lagSampler = Thread.ofPlatform().daemon().start(() -> sampleLag(flows));

            long start = System.nanoTime();
            long end = start + length.toNanos();
            int outages = 0;
            while (System.nanoTime() < end) {
                pause(Duration.ofSeconds(4 + random.nextInt(6)));
                if (System.nanoTime() >= end) {
                    break;
                }
                int kind = random.nextInt(10);
                LocalKafkaCluster cluster = random.nextBoolean() ? east : west;
                // At least one outage per run: by the middle of the run at the latest.
                boolean outageDue = outages == 0 && System.nanoTime() > start + length.toNanos() / 2;
                if ((kind == 0 || outageDue) && outages < Math.max(1, length.toMinutes() / 5)) {
                    outages++;
                    clusterOutage(cluster, Duration.ofSeconds(60 + random.nextInt(121)));
                } else if (kind <= 3) {
                    killReplicator(random.nextBoolean() ? eastToWest : westToEast);
                } else if (kind <= 7) {
                    killBroker(cluster);
                } else {
                    refusedRecord(cluster == east ? east : west, cluster == east ? west : east);
                }
            }
            producing.set(false);
            for (Thread producer : producers) {
                producer.join(Duration.ofMinutes(10));
            }
            System.out.printf("produce stopped after %.1f minutes; waiting for both flows to reach lag 0%n",
                    (System.nanoTime() - start) / 60e9);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!(eastToWest.caughtUp() && westToEast.caughtUp()) && System.nanoTime() < deadline) {
                pause(Duration.ofSeconds(1));
            }
            lagSampler.interrupt();
            boolean caughtUp = eastToWest.caughtUp() && westToEast.caughtUp();
            flows.forEach(Flow::stop);
            return report((System.nanoTime() - start) / 60e9, caughtUp, east, west, flows);
        }
    }

    private LocalKafkaCluster cluster(String name) {
        return LocalKafkaCluster.builder(name).brokers(3).dataDir(work.resolve(name)).start();
    }

    // ---- faults -------------------------------------------------------------------------------------

    private void killReplicator(Flow flow) {
        count("kill -9 of a replicator");
        flow.kill();
        pause(Duration.ofSeconds(1 + random.nextInt(5)));
        flow.start();
    }

    private void killBroker(LocalKafkaCluster cluster) {
        count("kill -9 of a broker (a partition leader)");
        int node = cluster.leaderOf(new TopicPartition(TOPIC, random.nextInt(PARTITIONS)))
                .orElse(cluster.brokerNodeIds().get(random.nextInt(cluster.brokerNodeIds().size())));
        System.out.printf("  kill -9 broker %d of %s%n", node, cluster.name());
        cluster.killBroker(node);
        pause(Duration.ofSeconds(5 + random.nextInt(15)));
        cluster.restartBroker(node);
    }

    private void clusterOutage(LocalKafkaCluster cluster, Duration outage) {
        count("whole-cluster outage (1-3 min)");
        System.out.printf("  %s away for %d s%n", cluster.name(), outage.toSeconds());
        cluster.kill();
        pause(outage);
        cluster.restart();
    }

    /** The target topic's limit is lowered, a large record produced on the source, the limit restored 20-40 s later. */
    private void refusedRecord(LocalKafkaCluster source, LocalKafkaCluster target) throws Exception {
        count("record refused by the target");
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        try (Admin admin = target.admin()) {
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "4000"),
                    AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
            byte[] bytes = new byte[8_000];
            random.nextBytes(bytes);
            String big = source.name() + ":big:" + java.util.HexFormat.of().formatHex(bytes);
            try (KafkaProducer<String, String> producer = source.clients().producer(Map.of("enable.idempotence", true, "acks", "all"))) {
                producer.send(new ProducerRecord<>(TOPIC, random.nextInt(PARTITIONS), "big", big)).get(60, TimeUnit.SECONDS);
            }
            acknowledged.computeIfAbsent(source.name(), ignored -> new AtomicLong()).incrementAndGet();
            pause(Duration.ofSeconds(20 + random.nextInt(21)));
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", ""),
                    AlterConfigOp.OpType.DELETE)))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private void count(String fault) {
        faults.merge(fault, 1, Integer::sum);
        System.out.printf("%s fault %d: %s%n", java.time.LocalTime.now().withNano(0), faults.values().stream().mapToInt(i -> i).sum(), fault);
    }

    // ---- load and observation -----------------------------------------------------------------------

    /** Values {@code <side>:<partition>:<sequence>}: each side's records, numbered per partition in send order. */
    private Thread producer(String side, LocalKafkaCluster cluster) {
        AtomicLong acks = acknowledged.computeIfAbsent(side, ignored -> new AtomicLong());
        return Thread.ofPlatform().name("produce-" + side).unstarted(() -> {
            long[] sequence = new long[PARTITIONS];
            // Idempotent, and patient enough for an outage: every record sent is acknowledged exactly once.
            try (KafkaProducer<String, String> producer = cluster.clients().producer(Map.of(
                    "enable.idempotence", true, "acks", "all", "linger.ms", 5,
                    "delivery.timeout.ms", 900_000, "max.block.ms", 900_000, "request.timeout.ms", 10_000))) {
                while (producing.get()) {
                    for (int i = 0; i < 20; i++) {
                        int partition = random.nextInt(PARTITIONS);
                        String value = side + ":" + partition + ":" + sequence[partition]++;
                        producer.send(new ProducerRecord<>(TOPIC, partition, "k", value), (metadata, error) -> {
                            if (error == null) {
                                acks.incrementAndGet();
                            } else {
                                System.out.println("  PRODUCE FAILED on " + side + ": " + error);
                            }
                        });
                    }
                    pause(Duration.ofMillis(100));
                }
                producer.flush();
            }
        });
    }

    private void sampleLag(List<Flow> flows) {
        while (!Thread.currentThread().isInterrupted()) {
            for (Flow flow : flows) {
                try {
                    worstLag.accumulateAndGet(flow.lag(), Math::max);
                } catch (Exception e) {
                    // a cluster is away: no figure this round
                }
            }
            try {
                TimeUnit.SECONDS.sleep(2); // a sampling period, not a synchronisation
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---- verification -------------------------------------------------------------------------------

    private int report(double minutes, boolean caughtUp, LocalKafkaCluster east, LocalKafkaCluster west, List<Flow> flows)
            throws Exception {
        Map<Integer, List<String>> onEast = read(east);
        Map<Integer, List<String>> onWest = read(west);
        Counts eastToWest = compare("east", onEast, onWest);
        Counts westToEast = compare("west", onWest, onEast);
        long uncommittedExtra = readUncommittedCount(east) + readUncommittedCount(west)
                - onEast.values().stream().mapToLong(List::size).sum() - onWest.values().stream().mapToLong(List::size).sum();
        long worstLatency = flows.stream().mapToLong(Flow::worstLatency).max().orElse(0);
        int totalFaults = faults.values().stream().mapToInt(i -> i).sum();

        System.out.println();
        System.out.println("SOAK RESULT");
        System.out.printf("  minutes                              %.1f%n", minutes);
        System.out.printf("  faults injected                      %d%n", totalFaults);
        faults.forEach((kind, count) -> System.out.printf("    %-36s %d%n", kind, count));
        System.out.printf("  records produced (acknowledged)      east %d, west %d%n", acknowledged.get("east").get(), acknowledged.get("west").get());
        System.out.printf("  records copied                       east->west %d, west->east %d%n", eastToWest.copied, westToEast.copied);
        System.out.printf("  missing                              %d%n", eastToWest.missing + westToEast.missing);
        System.out.printf("  duplicated                           %d%n", eastToWest.duplicated + westToEast.duplicated);
        System.out.printf("  out of order                         %d%n", eastToWest.outOfOrder + westToEast.outOfOrder);
        System.out.printf("  aborted records a read_uncommitted reader also sees  %d%n", uncommittedExtra);
        System.out.printf("  worst lag seen                       %d records%n", worstLag.get());
        System.out.printf("  worst ReplicationLatency reported    %d ms%n", worstLatency);
        System.out.printf("  both flows at lag 0 at the end       %s%n", caughtUp);
        boolean passed = caughtUp && eastToWest.missing + westToEast.missing + eastToWest.duplicated + westToEast.duplicated
                + eastToWest.outOfOrder + westToEast.outOfOrder == 0;
        System.out.println(passed ? "SOAK PASSED" : "SOAK FAILED");
        return passed ? 0 : 1;
    }

    private record Counts(long copied, long missing, long duplicated, long outOfOrder) {}

    /** What {@code side} produced (as its own cluster holds it) against the copies on the other cluster. */
    private static Counts compare(String side, Map<Integer, List<String>> origin, Map<Integer, List<String>> copies) {
        long copied = 0;
        long missing = 0;
        long duplicated = 0;
        long outOfOrder = 0;
        for (int partition = 0; partition < PARTITIONS; partition++) {
            List<String> produced = origin.getOrDefault(partition, List.of()).stream().filter(v -> v.startsWith(side + ":")).toList();
            List<String> copiedHere = copies.getOrDefault(partition, List.of()).stream().filter(v -> v.startsWith(side + ":")).toList();
            Map<String, Integer> order = new HashMap<>();
            for (int i = 0; i < produced.size(); i++) {
                order.put(produced.get(i), i);
            }
            Set<String> seen = new HashSet<>();
            int last = -1;
            for (String value : copiedHere) {
                if (!seen.add(value)) {
                    duplicated++;
                    continue;
                }
                Integer position = order.get(value);
                if (position != null) {
                    if (position < last) {
                        outOfOrder++;
                    }
                    last = Math.max(last, position);
                }
            }
            copied += seen.size();
            missing += produced.stream().filter(value -> !seen.contains(value)).count();
        }
        return new Counts(copied, missing, duplicated, outOfOrder);
    }

    private static Map<Integer, List<String>> read(LocalKafkaCluster cluster) {
        Map<Integer, List<String>> byPartition = new TreeMap<>();
        for (ConsumerRecord<String, String> record : cluster.clients().readAll(TOPIC)) {
            byPartition.computeIfAbsent(record.partition(), ignored -> new ArrayList<>()).add(record.value());
        }
        return byPartition;
    }

    private static long readUncommittedCount(LocalKafkaCluster cluster) {
        try (KafkaConsumer<String, String> consumer = cluster.clients().consumer(null, Map.of("isolation.level", "read_uncommitted"))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long count = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.nanoTime() < deadline) {
                count += consumer.poll(Duration.ofMillis(200)).count();
            }
            return count;
        }
    }

    private static void pause(Duration duration) {
        try {
            TimeUnit.MILLISECONDS.sleep(duration.toMillis()); // the soak's pacing, not a synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One direction: its replicator-task child JVMs (sharing LANES = tasks), a killed one restarted, their output kept. */
    private final class Flow {
        private final String name;
        private final LocalKafkaCluster source;
        private final LocalKafkaCluster target;
        private final Path log;
        private final Process[] processes = new Process[tasks];

        Flow(String name, LocalKafkaCluster source, LocalKafkaCluster target) {
            this.name = name;
            this.source = source;
            this.target = target;
            this.log = work.resolve(name + ".log");
        }

        /** Starts every task of the flow that is not running. */
        void start() {
            for (int task = 0; task < tasks; task++) {
                if (processes[task] == null || !processes[task].isAlive()) {
                    processes[task] = startTask();
                }
            }
        }

        private Process startTask() {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx384m", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), "com.mskfailover.replicator.Main")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> env = builder.environment();
            env.put("SOURCE_BOOTSTRAP_SERVERS", source.bootstrapServers());
            env.put("TARGET_BOOTSTRAP_SERVERS", target.bootstrapServers());
            env.put("SOURCE_AUTH", "none");
            env.put("TARGET_AUTH", "none");
            env.put("REPLICATOR_NAME", name);
            env.put("TOPICS", TOPIC);
            env.put("METRICS_INTERVAL_MS", "5000");
            env.put("LANES", Integer.toString(tasks));
            try {
                Process process = builder.start();
                Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
                return process;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** kill -9 of one of the flow's tasks. */
        void kill() {
            int task = random.nextInt(tasks);
            System.out.printf("  kill -9 replicator %s (task %d of %d)%n", name, task + 1, tasks);
            Process process = processes[task];
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() {
            for (Process process : processes) {
                process.destroy();
            }
            for (Process process : processes) {
                try {
                    if (!process.waitFor(40, TimeUnit.SECONDS)) {
                        System.out.println("  " + name + " did not stop on SIGTERM within 40 s");
                        process.destroyForcibly();
                    } else if (process.exitValue() != 0) {
                        System.out.println("  " + name + " exited " + process.exitValue() + " on SIGTERM");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** The lag contract: source end offsets minus the flow's committed position on the source. */
        long lag() throws Exception {
            try (Admin admin = source.admin()) {
                Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    request.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
                }
                var ends = admin.listOffsets(request).all().get(5, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(name)
                        .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
                long lag = 0;
                for (TopicPartition partition : request.keySet()) {
                    OffsetAndMetadata offset = committed.get(partition);
                    lag += ends.get(partition).offset() - (offset == null ? 0 : offset.offset());
                }
                return lag;
            }
        }

        boolean caughtUp() {
            try {
                return lag() == 0;
            } catch (Exception e) {
                return false;
            }
        }

        long worstLatency() {
            try {
                Matcher matcher = LATENCY.matcher(Files.readString(log));
                long worst = 0;
                while (matcher.find()) {
                    worst = Math.max(worst, Long.parseLong(matcher.group(1)));
                }
                return worst;
            } catch (IOException e) {
                return -1;
            }
        }
    }
}
