package com.mskfailover.replicator.bench;

import com.mskfailover.replicator.OffsetTranslation;
import org.apache.kafka.common.TopicPartition;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Heap held by the group offset translation for many gapped partitions (issue 10 point 4): every record of
 * a Kafka Streams exactly-once output is followed by a marker on the source, and every copy by the marker of
 * its own transaction on the target, so each record is a run of its own (the worst case). Run by bench/offset-memory.sh under -Xmx512m.
 * Usage: OffsetTranslationMemory [partitions=1000] [records per partition=20000]
 */
public final class OffsetTranslationMemory {

    public static void main(String[] args) {
        int partitions = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        OffsetTranslation translation = new OffsetTranslation();
        long start = System.nanoTime();
        for (int p = 0; p < partitions; p++) {
            TopicPartition partition = new TopicPartition("streams-output", p);
            for (long record = 0; record < records; record++) {
                translation.copied(partition, 2 * record, 2 * record);
                translation.endOfTransaction(partition);
            }
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        long used = usedAfterGc(memory) - before;
        // Keeps the state reachable until measured, and shows it still answers.
        long sample = translation.translate(new TopicPartition("streams-output", 0), 2L * records - 1, 2L * records).orElse(-1);
        System.out.printf("offset translation: %,d partitions x %,d gapped records: heap used %.1f MiB (%,d bytes per partition),"
                        + " max heap %d MiB, %d s; last commit of partition 0 -> %d (exact: %d)%n",
                partitions, records, used / 1048576.0, used / partitions, memory.getHeapMemoryUsage().getMax() / 1048576, seconds, sample, 2L * records - 1);
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
