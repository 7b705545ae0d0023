package com.mskfailover.drill;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * What a set of records holds, against the messages expected ({@code message N}), without keeping the records: a
 * million of them are counted as they stream by. Missing = expected and absent; duplicated = each extra copy;
 * unexpected = present and not expected.
 */
record Tally(long records, long missing, long duplicated, long unexpected, String sample) {

    /** Messages {@code first..last} (inclusive) plus any listed separately. */
    record Expected(BitSet numbers) {
        static Expected range(int first, int last) {
            BitSet numbers = new BitSet();
            if (last >= first) {
                numbers.set(first, last + 1);
            }
            return new Expected(numbers);
        }

        Expected and(Expected other) {
            BitSet union = (BitSet) numbers.clone();
            union.or(other.numbers);
            return new Expected(union);
        }

        int count() {
            return numbers.cardinality();
        }
    }

    boolean exact() {
        return missing == 0 && duplicated == 0 && unexpected == 0;
    }

    @Override
    public String toString() {
        return records + " records, " + missing + " missing, " + duplicated + " duplicated, " + unexpected + " unexpected"
                + (sample.isEmpty() ? "" : " (" + sample + ")");
    }

    /** Counts values as they come. */
    static final class Counter {
        private final Expected expected;
        private final BitSet seen = new BitSet();
        private long records;
        private long duplicated;
        private long unexpected;
        private final StringBuilder sample = new StringBuilder();

        Counter(Expected expected) {
            this.expected = expected;
        }

        void add(String value) {
            records++;
            int number = numberOf(value);
            if (number < 0 || !expected.numbers().get(number)) {
                unexpected++;
                note("unexpected " + value);
            } else if (seen.get(number)) {
                duplicated++;
                note("twice " + value);
            } else {
                seen.set(number);
            }
        }

        private void note(String what) {
            if (sample.length() < 120) {
                sample.append(sample.length() == 0 ? "" : ", ").append(what);
            }
        }

        Tally result() {
            BitSet absent = (BitSet) expected.numbers().clone();
            absent.andNot(seen);
            if (!absent.isEmpty()) {
                note("first missing " + Drill.message(absent.nextSetBit(0)));
            }
            return new Tally(records, absent.cardinality(), duplicated, unexpected, sample.toString());
        }
    }

    static int numberOf(String value) {
        if (value == null || !value.startsWith("message ")) {
            return -1;
        }
        try {
            return Integer.parseInt(value.substring("message ".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Every committed record of the topic (read_committed), from the beginning to its end now. */
    static Tally ofTopic(KafkaConsumer<String, String> consumer, String topic, Expected expected) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        Counter counter = new Counter(expected);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (partitions.stream().anyMatch(partition -> consumer.position(partition) < ends.get(partition))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading " + topic + " did not reach " + ends + " within 5 minutes");
            }
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                counter.add(record.value());
            }
        }
        return counter.result();
    }
}
