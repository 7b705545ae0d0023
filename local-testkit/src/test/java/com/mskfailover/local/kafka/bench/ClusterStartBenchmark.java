package com.mskfailover.local.kafka.bench;

import com.mskfailover.local.kafka.LocalKafkaCluster;

import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints what the test fixture costs: the start time of each in-process cluster, the heap they hold together,
 * the hard-kill recovery of a child-JVM cluster (kill -9, restart with its data, serving again), and the 3-broker
 * form in both layouts: start, a killed leader serving again and back in the ISR, memory per broker, whole-cluster
 * outage.
 * Usage: local-testkit/bench/run.sh [in-process clusters, default 3]
 */
public final class ClusterStartBenchmark {

    private ClusterStartBenchmark() {
    }

    /** The 3-broker form: start, one broker killed and restarted, memory per broker, a whole-cluster outage. */
    private static void threeBrokers(boolean dedicatedController) throws InterruptedException {
        String layout = dedicatedController ? "3 brokers + 1 controller" : "3 broker,controller nodes";
        long start = System.nanoTime();
        try (LocalKafkaCluster cluster = LocalKafkaCluster.builder("bench-3az").brokers(3)
                .dedicatedController(dedicatedController).start()) {
            System.out.printf("%s: serving after %5d ms%n", layout, millisSince(start));
            cluster.clients().createTopic("customer", 3);
            cluster.clients().produce("customer", "k", "v");
            TopicPartition partition = new TopicPartition("customer", 0);
            int leader = cluster.leaderOf(partition).orElseThrow();
            start = System.nanoTime();
            cluster.killBroker(leader);
            while (cluster.leaderOf(partition).orElse(leader) == leader) {
                Thread.sleep(Duration.ofMillis(50));
            }
            System.out.printf("%s: leader killed with kill -9, a new leader after %5d ms%n", layout, millisSince(start));
            start = System.nanoTime();
            cluster.restartBroker(leader);
            long serving = millisSince(start);
            while (!cluster.inSyncReplicasOf(partition).contains(leader)) {
                Thread.sleep(Duration.ofMillis(50));
            }
            System.out.printf("%s: the killed broker serving again %5d ms and back in the ISR %5d ms after its restart began%n",
                    layout, serving, millisSince(start));
            for (int id : cluster.brokerNodeIds()) {
                long pid = cluster.brokerPid(id);
                System.out.printf("%s: broker %d resident %4d MiB, heap after GC %3d MiB%n",
                        layout, id, residentMiB(pid), heapAfterGcMiB(pid));
            }
            cluster.kill();
            start = System.nanoTime();
            cluster.restart();
            int records = cluster.clients().readAll("customer").size();
            System.out.printf("%s: after kill -9 of every node, serving again with its %d record(s) after %5d ms%n",
                    layout, records, millisSince(start));
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long residentMiB(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024)
                    .findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Heap in use after a full GC, summed over the generations that {@code jcmd GC.heap_info} lists. */
    private static long heapAfterGcMiB(long pid) {
        jcmd(pid, "GC.run");
        Matcher used = Pattern.compile("^\\s*\\S.* total \\d+K, used (\\d+)K", Pattern.MULTILINE).matcher(jcmd(pid, "GC.heap_info"));
        long kib = 0;
        while (used.find()) {
            kib += Long.parseLong(used.group(1));
        }
        return kib / 1024;
    }

    private static String jcmd(long pid, String command) {
        try {
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(pid), command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        List<LocalKafkaCluster> clusters = new ArrayList<>();
        try {
            for (int i = 1; i <= count; i++) {
                long start = System.nanoTime();
                LocalKafkaCluster cluster = LocalKafkaCluster.start("bench-" + i);
                clusters.add(cluster);
                System.out.printf("in-process cluster %d serving after %5d ms%n", i, (System.nanoTime() - start) / 1_000_000);
            }
            System.gc();
            long heapPerCluster = (memory.getHeapMemoryUsage().getUsed() - heapBefore) / count;
            System.out.printf("heap held per in-process cluster (after GC): %d MiB%n", heapPerCluster / (1024 * 1024));

            long start = System.nanoTime();
            LocalKafkaCluster child = LocalKafkaCluster.builder("bench-child").mode(LocalKafkaCluster.Mode.CHILD_JVM).start();
            clusters.add(child);
            System.out.printf("child-JVM cluster serving after %5d ms%n", (System.nanoTime() - start) / 1_000_000);
            child.clients().createTopic("customer", 3);
            child.clients().produce("customer", "k", "v");
            child.kill();
            start = System.nanoTime();
            child.restart();
            int records = child.clients().readAll("customer").size();
            System.out.printf("child-JVM cluster after kill -9: serving again with its %d record(s) after %5d ms%n",
                    records, (System.nanoTime() - start) / 1_000_000);
            child.close();

            for (boolean dedicatedController : new boolean[] {false, true}) {
                threeBrokers(dedicatedController);
            }
        } finally {
            clusters.forEach(LocalKafkaCluster::close);
        }
    }
}
