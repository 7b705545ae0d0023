package com.mskfailover.replicator;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

import java.util.HashMap;
import java.util.Map;

/**
 * What the errors of the copier's writes mean: a record the target refuses stalls its partition only; a
 * writer fenced or not allowed to write transactionally stops; anything else aborts and copies again.
 */
final class CopyFailures {

    private CopyFailures() {
    }

    /** A send that failed: the first (lowest) failed offset of a partition in the current transaction. */
    record SendFailure(long offset, long size, Exception error) {
        static SendFailure first(SendFailure one, SendFailure other) {
            return one.offset <= other.offset ? one : other;
        }

        String reason() {
            return "the target refused the record (" + size + " bytes of key and value): " + error;
        }
    }

    /** Another writer of this lane's transactional id fenced this one. */
    static final class LaneTakenOver extends RuntimeException {
        LaneTakenOver(String message) {
            super(message);
        }
    }

    /** Errors that concern one record or one topic: stall that partition, keep the others flowing. */
    static boolean refusesRecord(Throwable error) {
        return error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException
                || error instanceof InvalidRecordException || error instanceof CorruptRecordException
                || error instanceof InvalidTimestampException || error instanceof PolicyViolationException
                || (error instanceof AuthorizationException && !(error instanceof TransactionalIdAuthorizationException)
                        && !(error instanceof ClusterAuthorizationException));
    }

    /** Errors after which this writer must stop: another one took over, or it may not write transactionally. */
    static boolean endsWriter(KafkaException error) {
        return error instanceof ProducerFencedException || error instanceof InvalidProducerEpochException
                || error instanceof TransactionalIdAuthorizationException || error instanceof ClusterAuthorizationException
                || error instanceof UnsupportedVersionException;
    }

    /** Of an aborted transaction's failed sends, those whose partition stalls at the refused record. */
    static Map<TopicPartition, SendFailure> refused(Map<TopicPartition, SendFailure> failures) {
        Map<TopicPartition, SendFailure> refused = new HashMap<>();
        failures.forEach((partition, failure) -> {
            if (refusesRecord(failure.error())) {
                refused.put(partition, failure);
            }
        });
        return refused;
    }

    /** For an error that {@link #endsWriter}: why this lane's writer stops, as the copier reports it. */
    static RuntimeException writerEnded(KafkaException e, String replicatorName, int lane) {
        String id = RecordCopier.transactionalId(replicatorName, lane);
        if (e instanceof TransactionalIdAuthorizationException || e instanceof ClusterAuthorizationException) {
            return new FatalReplicationException("replicator " + replicatorName + " may not write transactionally"
                    + " on the target (transactional id " + id + "): grant kafka-cluster:DescribeTransactionalId and"
                    + " AlterTransactionalId on transactional-id " + replicatorName + "* (" + e + ")", e);
        }
        if (e instanceof UnsupportedVersionException) {
            return new FatalReplicationException("the target cluster does not support transactions: " + e, e);
        }
        return new LaneTakenOver("transactional id " + id + " was fenced: " + e);
    }
}
