package com.mskfailover.drill;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The applications of the live-traffic scenario and the end-to-end account of their records: producers that
 * re-resolve the producer alias when restarted, one straggler that is never restarted onto another cluster, and
 * msk-consumer reading through the consumer alias.
 */
final class LiveTraffic implements AutoCloseable {

    final LiveProducer producerA;
    final LiveProducer producerB;
    final LiveProducer straggler;
    final LiveConsumer consumer;

    LiveTraffic(LocalControlPlane controlPlane, int lastMessage) {
        AtomicInteger numbers = new AtomicInteger(lastMessage);
        producerA = new LiveProducer("a", numbers, controlPlane::resolveProducerBootstrap);
        producerB = new LiveProducer("b", numbers, controlPlane::resolveProducerBootstrap);
        straggler = new LiveProducer("straggler", numbers, controlPlane::resolveProducerBootstrap);
        consumer = new LiveConsumer(controlPlane::resolveConsumerBootstrap);
    }

    List<LiveProducer> producers() {
        return List.of(producerA, producerB, straggler);
    }

    /** The producers the operators restart when told (the straggler is the one they cannot move that way). */
    List<LiveProducer> restartable() {
        return List.of(producerA, producerB);
    }

    BitSet acked() {
        BitSet all = new BitSet();
        producers().forEach(producer -> all.or(producer.acked()));
        return all;
    }

    BitSet failed() {
        BitSet all = new BitSet();
        producers().forEach(producer -> all.or(producer.failed()));
        return all;
    }

    /** Numbers read by msk-consumer so far, once each. */
    BitSet read() {
        BitSet read = new BitSet();
        consumer.reads().forEach(r -> read.set(r.number()));
        return read;
    }

    /** Per record number, how many times it is in the records. */
    static Map<Integer, Integer> counts(List<ConsumerRecord<String, String>> records) {
        return records.stream().collect(Collectors.toMap(record -> Tally.numberOf(record.value()), record -> 1, Integer::sum));
    }

    /** Where each record number first is among the records (partition, offset). */
    static Map<Integer, ConsumerRecord<String, String>> places(List<ConsumerRecord<String, String>> records) {
        Map<Integer, ConsumerRecord<String, String>> places = new HashMap<>();
        records.forEach(record -> places.putIfAbsent(Tally.numberOf(record.value()), record));
        return places;
    }

    /**
     * The records msk-consumer may read again after an unplanned failover: those it had read on the primary that lie,
     * on the secondary, at or past the group's offset there when the primary died (what the forward flow had synced of
     * its commits), or that were not on the secondary yet then (the forward flow copies them once the primary is back).
     */
    static BitSet mayReReadAfterFailover(BitSet readOnThePrimary, Map<TopicPartition, Long> secondaryCommitAtImpairment,
                                          Map<Integer, ConsumerRecord<String, String>> onTheSecondary) {
        BitSet allowed = new BitSet();
        readOnThePrimary.stream().forEach(number -> {
            ConsumerRecord<String, String> copy = onTheSecondary.get(number);
            Long committed = copy == null ? null : secondaryCommitAtImpairment.get(new TopicPartition(copy.topic(), copy.partition()));
            if (copy == null || committed == null || copy.offset() >= committed) {
                allowed.set(number);
            }
        });
        return allowed;
    }

    /** What msk-consumer read again in runs whose name starts with {@code runPrefix}: the numbers, and each extra read. */
    record ReReads(BitSet numbers, long reads) {
    }

    ReReads reReadIn(String runPrefix) {
        BitSet seen = new BitSet();
        BitSet again = new BitSet();
        long reads = 0;
        for (LiveConsumer.Read read : consumer.reads()) {
            if (seen.get(read.number()) && read.run().startsWith(runPrefix)) {
                again.set(read.number());
                reads++;
            }
            seen.set(read.number());
        }
        return new ReReads(again, reads);
    }

    /**
     * The longest gap between successive moments (ascending, epoch ms) that overlaps [{@code fromMs}, {@code toMs}];
     * a gap still open at {@code toMs} counts up to it.
     */
    static long longestGap(List<Long> moments, long fromMs, long toMs) {
        long longest = 0;
        Long previous = null;
        for (long moment : moments) {
            if (moment <= fromMs) {
                previous = moment;
                continue;
            }
            long start = previous == null ? fromMs : previous;
            if (start >= toMs) {
                break;
            }
            longest = Math.max(longest, moment - start);
            previous = moment;
        }
        long start = previous == null ? fromMs : previous;
        return start < toMs ? Math.max(longest, toMs - start) : longest;
    }

    static String sample(BitSet numbers) {
        return numbers.isEmpty() ? "" : " (e.g. " + numbers.stream().limit(5).mapToObj(Drill::message).toList() + ")";
    }

    @Override
    public void close() throws InterruptedException {
        for (LiveProducer producer : producers()) {
            producer.close();
        }
        consumer.stop();
    }
}
