package com.mskfailover.drill;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The live-traffic account's own rules, which the scenario's expectations rest on. */
class LiveTrafficTest {

    @Test
    void aPauseIsTheLongestGapBetweenSuccessesOverlappingTheWindowAndOneNotOverCountsUpToItsEnd() {
        List<Long> acks = List.of(100L, 200L, 300L, 5_300L, 5_400L);

        assertEquals(5_000, LiveTraffic.longestGap(acks, 250, 6_000), "from the last success before the trouble to the first after");
        assertEquals(100, LiveTraffic.longestGap(acks, 0, 250), "a pause that begins after the window is not its");
        assertEquals(600, LiveTraffic.longestGap(acks, 5_350, 6_000), "no success since 5,400: open up to the window's end");
        assertEquals(1_000, LiveTraffic.longestGap(List.of(), 1_000, 2_000), "nothing at all in the window: all of it");
    }

    @Test
    void afterAFailoverOnlyRecordsReadPastTheSyncedCommitOrNotCopiedYetMayBeReadAgain() {
        BitSet readOnThePrimary = new BitSet();
        readOnThePrimary.set(10, 14); // messages 10..13
        Map<Integer, ConsumerRecord<String, String>> onTheSecondary = Map.of(
                10, record(0, 4), 11, record(0, 5), 12, record(1, 7)); // 13 was not copied when the primary died
        Map<TopicPartition, Long> synced = Map.of(new TopicPartition(Drill.TOPIC, 0), 5L, new TopicPartition(Drill.TOPIC, 1), 7L);

        BitSet allowed = LiveTraffic.mayReReadAfterFailover(readOnThePrimary, synced, onTheSecondary);

        BitSet expected = new BitSet();
        expected.set(11); // at the synced offset of partition 0: not read as far as the secondary knows
        expected.set(12); // at the synced offset of partition 1
        expected.set(13); // copied only once the primary is back
        assertEquals(expected, allowed, "message 10 lies before partition 0's synced commit: reading it again would exceed the bound");
    }

    private static ConsumerRecord<String, String> record(int partition, long offset) {
        return new ConsumerRecord<>(Drill.TOPIC, partition, offset, "key", "value");
    }
}
