package com.mskfailover.orchestrator.domain;

import java.time.Instant;
import java.util.Optional;

/**
 * Port: the one lock that lets a single failover or failback run at a time across both state machines (a DynamoDB
 * item written with conditions in AWS). Every write is conditional, so two executions racing for it cannot both win.
 */
public interface OperationLock {

    /**
     * Who holds the lock.
     *
     * @param executionArn the owner execution's ARN ({@code $$.Execution.Id})
     * @param operation    failover or failback
     * @param leaseUntil   when the lock frees itself if its owner never releases it (aborted, timed out)
     */
    record Holder(String executionArn, String operation, Instant acquiredAt, Instant leaseUntil) {
    }

    /**
     * Takes the lock for {@code owner} when nobody holds it, when its holder's lease ended before {@code now}, or when
     * {@code owner}'s execution already holds it (a re-run of the same state keeps it). Returns empty when {@code owner}
     * holds it now, else the holder that kept it.
     */
    Optional<Holder> acquire(Holder owner, Instant now);

    /** Takes the lock from {@code previous} only if it still holds it exactly as read (same execution, same lease). */
    boolean takeOver(Holder previous, Holder owner);

    /** Frees the lock if {@code executionArn} holds it; false when it held nothing (never taken, released, taken over). */
    boolean release(String executionArn);

    /** The current holder, read consistently; empty when free. */
    Optional<Holder> holder();
}
