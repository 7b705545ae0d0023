package com.mskfailover.orchestrator.domain;

import com.mskfailover.orchestrator.aws.DynamoDbOperationLock;
import com.mskfailover.orchestrator.local.DynaliteOperationLocks;
import com.mskfailover.orchestrator.local.RecordingExecutions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lock's decisions (refuse, take over, dry run, lease) on the real adapter and dynalite, Step Functions answered locally. */
@Tag("integration")
class OperationLockingTest {

    private static final Instant NOW = Instant.parse("2026-12-07T18:00:00Z");
    private static final String FAILBACK_NAME = "operator-failback-1";
    private static final String FAILBACK = "arn:aws:states:us-east-2:123456789012:execution:msk-failover-failback:" + FAILBACK_NAME;
    private static final String FAILOVER = "arn:aws:states:us-east-2:123456789012:execution:msk-failover-failover:manual-failover-1";
    private static final String STARTED = "2026-12-07T17:59:58.123Z";

    private final DynamoDbOperationLock lock = DynaliteOperationLocks.fresh();
    private final RecordingExecutions executions = new RecordingExecutions();
    private final OperationLocking locking = new OperationLocking(lock, executions, Clock.fixed(NOW, ZoneOffset.UTC));

    private static Plan plan(String operation, boolean dryRun) {
        return new Plan(operation,
                new ClusterRef("arn:aws:kafka:us-east-1:123456789012:cluster/p/1", "us-east-1", null),
                new ClusterRef("arn:aws:kafka:us-east-2:123456789012:cluster/s/2", "us-east-2", null),
                List.of("customer"), List.of("msk-consumer"), List.of("p"), List.of("c"),
                new Timeouts(30, 60, 60, 30), 300, true, "failback-replicator", 1, "test", dryRun, false, 0);
    }

    private void failbackRunningWithTheLock() {
        locking.acquire(plan("failback", false), FAILBACK, STARTED);
        executions.setRunning(FAILBACK_NAME, true);
    }

    @Test
    void theLeaseEndsWhenTheStateMachinesTimeoutWouldHaveStoppedTheExecutionPlusTheClockSkew() {
        OperationLocking.Lock taken = locking.acquire(plan("failover", false), FAILOVER, STARTED);
        assertTrue(taken.held());
        // StartTime 17:59:58.123 + 24 h + 5 min, to the second below.
        assertEquals("2026-12-08T18:04:58Z", taken.leaseUntil());
        assertEquals(Instant.parse("2026-12-08T18:04:58Z"), lock.holder().orElseThrow().leaseUntil());
    }

    @Test
    void aFailoverWhileAFailbackRunsIsRefusedNamingItAndWhatToDo() {
        failbackRunningWithTheLock();

        OperationLockedException refused = assertThrows(OperationLockedException.class,
                () -> locking.acquire(plan("failover", false), FAILOVER, STARTED));

        String message = refused.getMessage();
        assertTrue(message.contains("failback execution " + FAILBACK_NAME + " of state machine msk-failover-failback"), message);
        assertTrue(message.contains("aws stepfunctions describe-execution --execution-arn " + FAILBACK), message);
        assertTrue(message.contains("aws stepfunctions stop-execution --execution-arn " + FAILBACK), message);
        assertTrue(message.contains("this failover changed nothing"), message);
        assertEquals(FAILBACK, lock.holder().orElseThrow().executionArn(), "the holder keeps it");
    }

    @Test
    void aLockLeftByAnAbortedOrVanishedExecutionIsTakenOverAtOnceNotAfterTheLease() {
        failbackRunningWithTheLock();
        executions.setRunning(FAILBACK_NAME, false);
        executions.setStatus(FAILBACK, "ABORTED");

        OperationLocking.Lock taken = locking.acquire(plan("failover", false), FAILOVER, STARTED);

        assertTrue(taken.held());
        assertTrue(taken.detail().contains("taken over") && taken.detail().contains(FAILBACK) && taken.detail().contains("ABORTED"), taken.detail());
        assertEquals(FAILOVER, lock.holder().orElseThrow().executionArn());

        // An owner Step Functions does not know at all (deleted state machine, another account's ARN) is not running either.
        String next = FAILOVER + "-next";
        executions.setStatus(FAILOVER, null);
        OperationLocking.Lock again = locking.acquire(plan("failover", false), next, STARTED);
        assertTrue(again.detail().contains("unknown to Step Functions"), again.detail());
        assertEquals(next, lock.holder().orElseThrow().executionArn());
    }

    @Test
    void aSucceededOwnerThatNeverReleasedIsTakenOverButARunningOneIsNeverEvenAfterRetries() {
        failbackRunningWithTheLock();
        for (int attempt = 0; attempt < 3; attempt++) {
            assertThrows(OperationLockedException.class, () -> locking.acquire(plan("failover", false), FAILOVER, STARTED));
        }
        executions.setRunning(FAILBACK_NAME, false);
        executions.setStatus(FAILBACK, "SUCCEEDED");
        assertTrue(locking.acquire(plan("failover", false), FAILOVER, STARTED).held());
    }

    @Test
    void aDryRunTakesNoLockAndIsNotRefusedButSaysARealRunWouldBe() {
        OperationLocking.Lock free = locking.acquire(plan("failover", true), FAILOVER, STARTED);
        assertFalse(free.held());
        assertEquals(Optional.empty(), lock.holder(), "a dry run takes nothing");
        assertTrue(free.detail().contains("would take it"), free.detail());

        failbackRunningWithTheLock();
        OperationLocking.Lock held = locking.acquire(plan("failover", true), FAILOVER, STARTED);
        assertFalse(held.held());
        assertTrue(held.detail().contains("would be refused now") && held.detail().contains(FAILBACK), held.detail());
        assertEquals(FAILBACK, lock.holder().orElseThrow().executionArn());
    }

    @Test
    void aRealFailoverIsNeverRefusedBecauseADryRunIsRunning() {
        String dryRunName = "dry-run-1";
        String dryRun = "arn:aws:states:us-east-2:123456789012:execution:msk-failover-failback:" + dryRunName;
        locking.acquire(plan("failback", true), dryRun, STARTED);
        executions.setRunning(dryRunName, true);

        assertTrue(locking.acquire(plan("failover", false), FAILOVER, STARTED).held());
    }

    @Test
    void releaseFreesOnlyTheOwnersLock() {
        failbackRunningWithTheLock();
        OperationLocking.Release notMine = locking.release(FAILOVER);
        assertFalse(notMine.released());
        assertEquals(FAILBACK, lock.holder().orElseThrow().executionArn());

        assertTrue(locking.release(FAILBACK).released());
        assertEquals(Optional.empty(), lock.holder());
    }

    @Test
    void aStateWithoutItsExecutionFailsNamingTheFieldAndTakesNothing() {
        InvalidInputException noId = assertThrows(InvalidInputException.class, () -> locking.acquire(plan("failover", false), null, STARTED));
        assertEquals("execution.id", noId.field());
        InvalidInputException badStart = assertThrows(InvalidInputException.class, () -> locking.acquire(plan("failover", false), FAILOVER, "yesterday"));
        assertEquals("execution.startTime", badStart.field());
        assertEquals(Optional.empty(), lock.holder());
        assertEquals("execution.id", assertThrows(InvalidInputException.class, () -> locking.release(" ")).field());
    }
}
