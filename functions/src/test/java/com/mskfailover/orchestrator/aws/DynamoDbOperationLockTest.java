package com.mskfailover.orchestrator.aws;

import com.mskfailover.local.dynamodb.LocalDynamoDb;
import com.mskfailover.orchestrator.domain.DependencyFailedException;
import com.mskfailover.orchestrator.domain.OperationLock.Holder;
import com.mskfailover.orchestrator.local.DynaliteOperationLocks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DynamoDbOperationLock through the AWS SDK against dynalite, a DynamoDB-compatible server this test starts (npm, in
 * memory): the conditions themselves are what is tested, at the HTTP level, not a model of them.
 */
@Tag("integration")
class DynamoDbOperationLockTest {

    private static final Instant NOW = Instant.parse("2026-12-07T18:00:00Z");
    private static final String FAILBACK = "arn:aws:states:us-east-2:123456789012:execution:msk-failover-failback:operator-1";
    private static final String FAILOVER = "arn:aws:states:us-east-2:123456789012:execution:msk-failover-failover:alarm-1";

    private static LocalDynamoDb dynamoDb;
    private static DynamoDbClient client;
    private DynamoDbOperationLock lock;

    @BeforeAll
    static void start() {
        dynamoDb = LocalDynamoDb.start();
        client = DynaliteOperationLocks.client(dynamoDb);
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamoDb.close();
    }

    @BeforeEach
    void table() {
        lock = new DynamoDbOperationLock(client, DynaliteOperationLocks.createTable(client));
    }

    private static Holder holder(String execution, Instant leaseUntil) {
        return new Holder(execution, execution.contains("failback") ? "failback" : "failover", NOW, leaseUntil);
    }

    @Test
    void aFreeLockIsTakenAndThenRefusedToAnotherExecutionNamingItsHolder() {
        Holder failback = holder(FAILBACK, NOW.plus(Duration.ofHours(12)));
        assertEquals(Optional.empty(), lock.acquire(failback, NOW));
        assertEquals(Optional.of(failback), lock.holder(), "read back as written");

        Optional<Holder> refused = lock.acquire(holder(FAILOVER, NOW.plus(Duration.ofHours(12))), NOW.plusSeconds(60));
        assertEquals(Optional.of(failback), refused);
        assertEquals(Optional.of(failback), lock.holder(), "the refused acquire changed nothing");
    }

    @Test
    void theSameExecutionTakesItAgainWithoutAnyoneElseGettingIt() {
        // A retried AcquireOperationLock (its Lambda timed out after writing) must not refuse its own execution.
        Holder failover = holder(FAILOVER, NOW.plus(Duration.ofHours(12)));
        assertEquals(Optional.empty(), lock.acquire(failover, NOW));
        assertEquals(Optional.empty(), lock.acquire(failover, NOW.plusSeconds(5)));
        assertEquals(FAILOVER, lock.holder().orElseThrow().executionArn());
    }

    @Test
    void anExpiredLeaseIsTakenByTheNextExecutionButNotASecondBefore() {
        Instant leaseUntil = NOW.plus(Duration.ofHours(12));
        lock.acquire(holder(FAILBACK, leaseUntil), NOW);
        Holder failover = holder(FAILOVER, leaseUntil.plus(Duration.ofHours(12)));

        assertEquals(FAILBACK, lock.acquire(failover, leaseUntil).orElseThrow().executionArn(), "the lease's last second still holds");
        assertEquals(Optional.empty(), lock.acquire(failover, leaseUntil.plusSeconds(1)), "one second later the lease has expired");
        assertEquals(FAILOVER, lock.holder().orElseThrow().executionArn());
    }

    @Test
    void aTakeoverSucceedsOnlyFromTheHolderAsReadAndOnlyOnce() {
        Holder dead = holder(FAILBACK, NOW.plus(Duration.ofHours(12)));
        lock.acquire(dead, NOW);
        Holder failover = holder(FAILOVER, NOW.plus(Duration.ofHours(13)));
        Holder other = holder(FAILOVER + "-other", NOW.plus(Duration.ofHours(13)));

        assertFalse(lock.takeOver(holder(FAILBACK, NOW.plus(Duration.ofHours(11))), failover), "a stale read of the lease takes nothing");
        assertTrue(lock.takeOver(dead, failover));
        assertFalse(lock.takeOver(dead, other), "the second takeover from the same dead holder finds it gone");
        assertEquals(FAILOVER, lock.holder().orElseThrow().executionArn());
        assertFalse(lock.takeOver(dead, failover), "nor does the first one again");
    }

    @Test
    void onlyTheOwnerReleasesTheLock() {
        lock.acquire(holder(FAILBACK, NOW.plus(Duration.ofHours(12))), NOW);

        assertFalse(lock.release(FAILOVER), "another execution cannot free it");
        assertEquals(FAILBACK, lock.holder().orElseThrow().executionArn());
        assertTrue(lock.release(FAILBACK));
        assertEquals(Optional.empty(), lock.holder());
        assertFalse(lock.release(FAILBACK), "releasing twice: the second finds nothing");
        assertEquals(Optional.empty(), lock.acquire(holder(FAILOVER, NOW.plus(Duration.ofHours(12))), NOW), "free for the next one");
    }

    @Test
    void ofManyExecutionsAcquiringAtOnceExactlyOneWins() throws Exception {
        int contenders = 8;
        CyclicBarrier start = new CyclicBarrier(contenders);
        ExecutorService threads = Executors.newFixedThreadPool(contenders);
        try {
            List<Future<Optional<Holder>>> results = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                Holder contender = holder(FAILOVER + "-" + i, NOW.plus(Duration.ofHours(12)));
                Callable<Optional<Holder>> acquire = () -> {
                    start.await();
                    return lock.acquire(contender, NOW);
                };
                results.add(threads.submit(acquire));
            }
            List<Optional<Holder>> outcomes = new ArrayList<>();
            for (Future<Optional<Holder>> result : results) {
                outcomes.add(result.get());
            }
            assertEquals(1, outcomes.stream().filter(Optional::isEmpty).count(), outcomes.toString());
            String winner = lock.holder().orElseThrow().executionArn();
            // Every loser was told the same winner.
            outcomes.stream().filter(Optional::isPresent).forEach(loser -> assertEquals(winner, loser.get().executionArn()));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aMissingTableIsADependencyFailureNamingIt() {
        DynamoDbOperationLock nowhere = new DynamoDbOperationLock(client, "no-such-table");
        DependencyFailedException failure = assertThrows(DependencyFailedException.class,
                () -> nowhere.acquire(holder(FAILOVER, NOW.plus(Duration.ofHours(12))), NOW));
        assertTrue(failure.getMessage().contains("no-such-table") && failure.getMessage().contains("ResourceNotFoundException"), failure.getMessage());
    }
}
