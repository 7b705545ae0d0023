package com.mskfailover.replicator;

import com.mskfailover.replicator.CopyFailures.SendFailure;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the copier makes of its writes' errors, without brokers (RecordCopierTest provokes them on real ones). */
class CopyFailuresTest {

    private static final TopicPartition REFUSED = new TopicPartition("orders", 0);
    private static final TopicPartition AWAY = new TopicPartition("orders", 1);

    @Test
    void aRecordOrTopicTheTargetRefusesStallsItsPartitionOnly() {
        assertTrue(CopyFailures.refusesRecord(new RecordTooLargeException("too large")));
        assertTrue(CopyFailures.refusesRecord(new PolicyViolationException("policy")));
        assertTrue(CopyFailures.refusesRecord(new TopicAuthorizationException(Set.of("orders"))));
        assertFalse(CopyFailures.refusesRecord(new TransactionalIdAuthorizationException("no")), "the whole writer's");
        assertFalse(CopyFailures.refusesRecord(new ClusterAuthorizationException("no")), "the whole writer's");
        assertFalse(CopyFailures.refusesRecord(new TimeoutException("away")));
        assertFalse(CopyFailures.refusesRecord(new NotLeaderOrFollowerException("moved")));
    }

    @Test
    void aFencedOrUnauthorisedWriterStopsAnythingElseIsCopiedAgain() {
        assertTrue(CopyFailures.endsWriter(new ProducerFencedException("fenced")));
        assertTrue(CopyFailures.endsWriter(new InvalidProducerEpochException("epoch")));
        assertTrue(CopyFailures.endsWriter(new TransactionalIdAuthorizationException("no")));
        assertTrue(CopyFailures.endsWriter(new ClusterAuthorizationException("no")));
        assertTrue(CopyFailures.endsWriter(new UnsupportedVersionException("old")));
        assertFalse(CopyFailures.endsWriter(new TimeoutException("away")));
        assertFalse(CopyFailures.endsWriter(new RecordTooLargeException("too large")));
    }

    @Test
    void ofAFailedTransactionOnlyPartitionsWithARefusedRecordStallAtTheFirstOne() {
        SendFailure first = new SendFailure(5, 10, new RecordTooLargeException("too large"));
        SendFailure later = new SendFailure(9, 10, new RecordTooLargeException("too large"));
        assertEquals(first, SendFailure.first(later, first));
        SendFailure away = new SendFailure(3, 10, new TimeoutException("away"));
        assertEquals(Map.of(REFUSED, first), CopyFailures.refused(Map.of(REFUSED, first, AWAY, away)));
        assertTrue(first.reason().contains("10 bytes of key and value"));
    }

    @Test
    void aFencedWriterGivesTheLaneUpAnUnauthorisedOneStopsTheTask() {
        RuntimeException fenced = CopyFailures.writerEnded(new ProducerFencedException("fenced"), "flow", 3);
        assertInstanceOf(CopyFailures.LaneTakenOver.class, fenced);
        assertTrue(fenced.getMessage().contains("transactional id flow-3"));
        RuntimeException denied = CopyFailures.writerEnded(new TransactionalIdAuthorizationException("no"), "flow", 3);
        assertInstanceOf(FatalReplicationException.class, denied);
        assertTrue(denied.getMessage().contains("transactional-id flow*"));
        assertInstanceOf(FatalReplicationException.class, CopyFailures.writerEnded(new UnsupportedVersionException("old"), "flow", 3));
    }
}
