package com.mskfailover.orchestrator.statemachines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.local.wait.Polling;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.OperationLock;
import com.mskfailover.orchestrator.local.FileBootstrapAliases;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One operation at a time, on the real state machine files: the lock (the real DynamoDB adapter on dynalite) is taken
 * first by both machines, refused naming its holder, free again after success and failure, and taken over from an
 * execution that ended without releasing it.
 */
@Tag("integration")
class OperationLockStateMachineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "customer";
    private static final String REFUSED = "com.mskfailover.orchestrator.domain.OperationLockedException";

    @TempDir
    Path dir;

    /** Ports on the shared clusters, both holding the topic, every alias on the primary. */
    private TestPorts portsOnPrimary() {
        return portsOnPrimary(null);
    }

    /** @param aliases null: a file of its own */
    private TestPorts portsOnPrimary(BootstrapAliases aliases) {
        SharedClusters.primary().clients().createTopic(TOPIC, 3);
        SharedClusters.secondary().clients().createTopic(TOPIC, 3);
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), aliases);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        return ports;
    }

    /** {@link #portsOnPrimary()}, the lock held by a running execution of that machine for a day. */
    private TestPorts portsWithTheLockHeldByARunning(String machine, String name) {
        TestPorts ports = portsOnPrimary();
        holdLock(ports, machine, name, Instant.now().plus(Duration.ofHours(24)));
        ports.executions.setRunning(name, true);
        return ports;
    }

    /** The ARN the local runner gives an execution of statemachines/{machine}.asl.json ($$.Execution.Id). */
    private static String executionArn(String machine, String name) {
        return "arn:aws:states:us-east-2:000000000000:execution:" + machine + ":" + name;
    }

    private static String input(String file) throws IOException {
        return Files.readString(StateMachineRun.event(file));
    }

    private static void holdLock(TestPorts ports, String machine, String name, Instant leaseUntil) {
        ports.lock.acquire(new OperationLock.Holder(executionArn(machine, name), machine, Instant.now(), leaseUntil), Instant.now());
    }

    @Test
    void aFailoverStartedDuringAFailbacksDrainIsRefusedNamingItAndMovesNothing() throws IOException {
        TestPorts ports = portsWithTheLockHeldByARunning("failback", "failback-draining");
        // The failback has moved the producers and waits for the consumers on the secondary to drain.
        BootstrapAliasRecord consumersOnSecondary = BootstrapAliasRecord.of(TestPorts.CONSUMER_ALIAS, TestPorts.SECONDARY_ARN, "us-east-2",
                SharedClusters.secondary().bootstrapServers());
        ports.aliases.change(List.of(consumersOnSecondary), "consumers still on the secondary");

        var outcome = StateMachineRun.run("failover", ports.ports(), input("failover-start.json"), "manual-failover");
        ExecutionResult result = outcome.result();

        assertEquals(List.of("ValidateFailoverInput", "AcquireOperationLock", "NotifyFailoverRefused", "FailoverRefused"), result.statePath(),
                result.timelineTable());
        assertEquals("FAILED", result.status());
        assertEquals(REFUSED, result.error(), "the console shows the refusal as the execution's error");
        assertTrue(result.cause().contains(executionArn("failback", "failback-draining")) && result.cause().contains("stop-execution"), result.cause());
        assertEquals(0, outcome.endpoint().invocationCount("FlipBootstrapAliases"));
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS), "nothing moved");
        assertEquals(TestPorts.SECONDARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS), "nothing moved");
        assertTrue(ports.notifier.last().subject().contains("failover REFUSED"), ports.notifier.last().toString());
        assertTrue(ports.notifier.last().message().contains("failback-draining"), ports.notifier.last().message());
        assertEquals(executionArn("failback", "failback-draining"), ports.lock.holder().orElseThrow().executionArn(), "the failback keeps its lock");
    }

    @Test
    void aFailbackStartedWhileAFailoverRunsIsRefusedToo() throws IOException {
        TestPorts ports = portsWithTheLockHeldByARunning("failover", "alarm-failover");

        // These ports name no consumer group: the failback accepts that only when told so.
        ObjectNode failback = (ObjectNode) new ObjectMapper().readTree(input("failback-start.json"));
        failback.putArray("force").add("emptyConsumerGroups");
        var outcome = StateMachineRun.run("failback", ports.ports(), failback.toString());

        assertEquals(List.of("ValidateFailbackInput", "AcquireOperationLock", "NotifyFailbackRefused", "FailbackRefused"),
                outcome.result().statePath(), outcome.result().timelineTable());
        assertEquals(REFUSED, outcome.result().error());
        assertEquals(0, outcome.endpoint().invocationCount("StartReverseReplication"), "no reverse flow started");
    }

    @Test
    void theLockIsFreeAfterASuccessAndAfterAFailure() throws IOException {
        TestPorts ports = portsOnPrimary();

        ExecutionResult succeeded = StateMachineRun.run("failover", ports.ports(), input("failover-start.json")).result();
        assertTrue(succeeded.succeeded(), succeeded.timelineTable());
        List<String> path = succeeded.statePath();
        assertEquals("AcquireOperationLock", path.get(1));
        assertEquals(List.of("ReleaseOperationLock", "NotifyFailoverSucceeded", "FailoverSucceeded"), path.subList(path.size() - 3, path.size()));
        assertEquals(Optional.empty(), ports.lock.holder(), "free after a success");

        // The secondary lacks the topic: CheckSecondaryReady fails after the lock was taken.
        TestPorts failing = new TestPorts(dir.resolve("failing"), List.of("no-such-topic-" + System.nanoTime()), List.of(), null);
        failing.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ExecutionResult failed = StateMachineRun.run("failover", failing.ports(), input("failover-start.json")).result();
        assertEquals(List.of("ValidateFailoverInput", "AcquireOperationLock", "CheckSecondaryReady", "ReleaseOperationLockAfterFailure",
                "NotifyFailoverFailed", "FailoverFailed"), failed.statePath(), failed.timelineTable());
        assertTrue(failed.lastRun("AcquireOperationLock").isPresent());
        assertEquals(Optional.empty(), failing.lock.holder(), "free after a failure");
    }

    @Test
    void aLockLeftByAnAbortedExecutionIsTakenOverAndOneLeftByAKilledOneExpires() throws IOException {
        TestPorts ports = portsOnPrimary();
        // Aborted by an operator mid-failback: it never reached a release state, Step Functions says ABORTED.
        holdLock(ports, "failback", "aborted-failback", Instant.now().plus(Duration.ofHours(24)));
        ports.executions.setStatus(executionArn("failback", "aborted-failback"), "ABORTED");

        ExecutionResult result = StateMachineRun.run("failover", ports.ports(), input("failover-start.json")).result();
        assertTrue(result.succeeded(), result.timelineTable());
        assertTrue(result.lastRun("AcquireOperationLock").orElseThrow().output().path("lock").path("detail").asText().contains("taken over"),
                result.timelineTable());
        assertEquals(Optional.empty(), ports.lock.holder());

        // A lease that ended: its owner is taken as gone even while Step Functions cannot say so (still RUNNING here).
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        holdLock(ports, "failback", "killed-failback", Instant.now().minusSeconds(1));
        ports.executions.setRunning("killed-failback", true);
        ExecutionResult afterExpiry = StateMachineRun.run("failover", ports.ports(), input("failover-start.json")).result();
        assertTrue(afterExpiry.succeeded(), afterExpiry.timelineTable());
        assertEquals(Optional.empty(), ports.lock.holder());
    }

    @Test
    void twoFailoversStartedByTwoAlarmsAtOnceOneRunsTheOtherIsRefusedNamingIt() throws Exception {
        CountDownLatch refusalSeen = new CountDownLatch(1);
        FileBootstrapAliases file = new FileBootstrapAliases(dir.resolve("aliases.json"));
        // The first failover's wait for INSYNC is held until the second has been refused: both run at the same time.
        BootstrapAliases heldInSync = new BootstrapAliases() {
            @Override
            public Map<String, BootstrapAliasRecord> read(Collection<String> aliasNames) {
                return file.read(aliasNames);
            }

            @Override
            public String change(List<BootstrapAliasRecord> records, String comment) {
                return file.change(records, comment);
            }

            @Override
            public boolean isInSync(String changeId) {
                try {
                    return refusalSeen.await(60, TimeUnit.SECONDS) && file.isInSync(changeId);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        };
        TestPorts ports = portsOnPrimary(heldInSync);
        ports.executions.setRunning("alarm-a", true);

        CompletableFuture<StateMachineRun.Outcome> first = CompletableFuture.supplyAsync(() -> {
            try {
                return StateMachineRun.run("failover", ports.ports(), input("failover-start.json"), "alarm-a");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Polling.until("the first failover to hold the lock", Duration.ofSeconds(60), () -> ports.lock.holder().isPresent());
        var second = StateMachineRun.run("failover", ports.ports(), input("failover-start.json"), "alarm-b");
        refusalSeen.countDown();
        ExecutionResult firstResult = first.get(120, TimeUnit.SECONDS).result();
        ports.executions.setRunning("alarm-a", false);

        assertTrue(firstResult.succeeded(), firstResult.timelineTable());
        assertEquals(REFUSED, second.result().error(), second.result().timelineTable());
        assertTrue(second.result().cause().contains(executionArn("failover", "alarm-a")), second.result().cause());
        assertEquals(0, second.endpoint().invocationCount("FlipBootstrapAliases"), "the refused one moved nothing");
        assertEquals(Optional.empty(), ports.lock.holder(), "free once the first is done");
    }

    @Test
    void aDryRunWhileAFailbackRunsPassesTakesNoLockAndSaysARealFailoverWouldBeRefused() throws IOException {
        TestPorts ports = portsWithTheLockHeldByARunning("failback", "failback-running");
        ObjectNode dryRun = (ObjectNode) JSON.readTree(input("failover-start.json"));
        dryRun.put("dryRun", true);

        ExecutionResult result = StateMachineRun.run("failover", ports.ports(), dryRun.toString()).result();

        assertTrue(result.succeeded(), result.timelineTable());
        assertTrue(result.statePath().contains("NotifyFailoverDryRun"), result.timelineTable());
        assertTrue(ports.notifier.last().message().contains("would be refused now"), ports.notifier.last().message());
        assertEquals(executionArn("failback", "failback-running"), ports.lock.holder().orElseThrow().executionArn());
    }
}
