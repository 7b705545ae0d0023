package com.mskfailover.local.kafka.bench;

import com.mskfailover.local.kafka.LocalKafkaCluster;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints what the test fixture costs: the start time of each in-process cluster, the heap they hold together,
 * and the hard-kill recovery of a child-JVM cluster (kill -9, restart with its data, serving again).
 * Usage: local-runtime/bench/run.sh [in-process clusters, default 3]
 */
public final class ClusterStartBenchmark {

    private ClusterStartBenchmark() {
    }

    public static void main(String[] args) {
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
        } finally {
            clusters.forEach(LocalKafkaCluster::close);
        }
    }
}
