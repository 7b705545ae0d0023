package com.mskfailover.replicator;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OffsetTranslationTest {

    private static final TopicPartition PARTITION = new TopicPartition("customer", 0);

    @Test
    void aConsumerResumesJustAfterTheCopyOfTheLastRecordItRead() {
        OffsetTranslation translation = new OffsetTranslation();
        // Source 0..4 copied to target 10..14, then the target wrote a record of its own (15), then 5 -> 16.
        for (long offset = 0; offset < 5; offset++) {
            translation.map(PARTITION, offset, 10 + offset);
        }
        translation.map(PARTITION, 5, 16);
        assertEquals(OptionalLong.of(13), translation.translate(PARTITION, 3, 6));
        assertEquals(OptionalLong.of(15), translation.translate(PARTITION, 5, 6));
        assertEquals(OptionalLong.of(17), translation.translate(PARTITION, 6, 6));
        assertEquals(OptionalLong.of(10), translation.translate(PARTITION, 0, 6), "nothing read: before the first copy");
    }

    @Test
    void waitsForRecordsNotReplicatedYet() {
        OffsetTranslation translation = new OffsetTranslation();
        translation.map(PARTITION, 0, 0);
        assertEquals(OptionalLong.empty(), translation.translate(PARTITION, 3, 1));
        assertEquals(OptionalLong.empty(), translation.translate(new TopicPartition("other", 0), 1, 1));
    }

    @Test
    void skippedRecordsWithAnUnknownPlaceGiveTheConservativePosition() {
        OffsetTranslation translation = new OffsetTranslation();
        translation.map(PARTITION, 0, 0);
        translation.map(PARTITION, 1, 1);
        // Source 2 and 3 were skipped (MSK Replicator records) and their place on the target is unknown.
        assertEquals(OptionalLong.of(2), translation.translate(PARTITION, 4, 4), "re-read rather than skip");
    }
}
