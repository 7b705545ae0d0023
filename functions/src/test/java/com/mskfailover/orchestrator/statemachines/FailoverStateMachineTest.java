package com.mskfailover.orchestrator.statemachines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.client.BootstrapAliasResolver;
import com.mskfailover.orchestrator.aws.CannedAwsResponses;
import com.mskfailover.orchestrator.aws.FakeAwsEndpoint;
import com.mskfailover.orchestrator.aws.Route53BootstrapAliases;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.local.FileBootstrapAliases;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** statemachines/failover.asl.json run by aws-local-stepfunctions, the Java handlers serving its Tasks, on real brokers. */
@Tag("integration")
class FailoverStateMachineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "customer";

    @TempDir
    Path dir;

    @BeforeAll
    static void topics() {
        SharedClusters.primary().clients().createTopic(TOPIC, 3);
        SharedClusters.secondary().clients().createTopic(TOPIC, 3);
    }

    private static ObjectNode sampleInput() throws IOException {
        return (ObjectNode) JSON.readTree(Files.readString(StateMachineRun.event("failover-start.json")));
    }

    @Test
    void flipsEveryAliasToTheSecondaryInOneChangeAndWaitsForInSync() throws IOException {
        // Two PENDING answers before INSYNC: the wait loop must go round.
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), new FileBootstrapAliases(dir.resolve("aliases.json"), 2));
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);

        var outcome = StateMachineRun.run("failover", ports.ports(), sampleInput().toString());
        ExecutionResult result = outcome.result();

        assertTrue(result.succeeded(), result.timelineTable());
        assertEquals(List.of("ValidateFailoverInput", "AcquireOperationLock", "CheckSecondaryReady", "DryRun?", "Planned?", "FlipAliasesToSecondary",
                "WaitForAliasSync", "CheckAliasesInSync", "AliasesInSync?",
                "WaitForAliasSync", "CheckAliasesInSync", "AliasesInSync?",
                "WaitForAliasSync", "CheckAliasesInSync", "AliasesInSync?",
                "ReleaseOperationLock", "NotifyFailoverSucceeded", "FailoverSucceeded"), result.statePath());
        assertEquals(1, outcome.endpoint().invocationCount("FlipBootstrapAliases"), "one change for all aliases");
        // What a client sees at its next start-up: the secondary's real broker names.
        var resolver = new BootstrapAliasResolver((FileBootstrapAliases) ports.aliases);
        assertEquals(SharedClusters.secondary().bootstrapServers(), resolver.resolve(TestPorts.PRODUCER_ALIAS).bootstrapServers());
        assertEquals(TestPorts.SECONDARY_ARN, resolver.resolve(TestPorts.CONSUMER_ALIAS).clusterArn());
        assertEquals("us-east-2", resolver.resolve(TestPorts.CONSUMER_ALIAS).region());
        assertTrue(ports.notifier.last().subject().contains("failover succeeded"), ports.notifier.last().toString());
    }

    @Test
    void everyLineTheHandlersLogCarriesTheExecutionAndTheStateTheyRanFor() throws IOException {
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), new FileBootstrapAliases(dir.resolve("aliases.json"), 1));
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        // The handlers' log4j2.xml writes to System.out as it is at each line (follow): this captures what they log.
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        ExecutionResult result;
        try {
            result = StateMachineRun.run("failover", ports.ports(), sampleInput().toString(), "failover-logs-test").result();
        } finally {
            System.setOut(original);
        }
        assertTrue(result.succeeded(), result.timelineTable());

        List<JsonNode> handlerLines = new ArrayList<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).lines().filter(line -> line.startsWith("{")).toList()) {
            JsonNode parsed = JSON.readTree(line);
            if (parsed.path("logger").asText().startsWith("com.mskfailover.orchestrator.")) {
                handlerLines.add(parsed);
            }
        }
        List<String> taskRuns = result.timeline().stream().filter(run -> run.stateType().equals("Task")).map(ExecutionResult.StateRun::stateName).toList();
        // One line per invocation saying what it decided, each with the execution, its state and its request id.
        assertEquals(taskRuns, handlerLines.stream().map(line -> line.path("state").asText()).toList(), handlerLines.toString());
        for (JsonNode line : handlerLines) {
            assertEquals("INFO", line.path("level").asText(), line.toString());
            assertEquals("failover-logs-test", line.path("execution").asText(), line.toString());
            assertFalse(line.path("requestId").asText().isEmpty(), line.toString());
        }
        assertTrue(handlerLines.getFirst().path("message").asText().startsWith("ValidateFailoverInput: failover planned"), handlerLines.toString());
        assertTrue(handlerLines.get(3).path("message").asText().startsWith("FlipBootstrapAliases: aliases "), handlerLines.toString());
    }

    @Test
    void aDryRunMakesEveryCheckAndChangesNothing() throws IOException {
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), null);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ObjectNode input = sampleInput().put("dryRun", true);

        var outcome = StateMachineRun.run("failover", ports.ports(), input.toString());
        ExecutionResult result = outcome.result();

        assertTrue(result.succeeded(), result.timelineTable());
        assertEquals(List.of("ValidateFailoverInput", "AcquireOperationLock", "CheckSecondaryReady", "DryRun?", "NotifyFailoverDryRun", "FailoverDryRunPassed"),
                result.statePath());
        assertEquals(0, outcome.endpoint().invocationCount("FlipBootstrapAliases"));
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS), "nothing moved");
        assertTrue(ports.notifier.last().subject().equals("MSK failover dry run passed"), ports.notifier.last().toString());

        // A dry run fails where the real run would: a topic the secondary does not have.
        input.putArray("topics").add(TOPIC).add("orders-not-on-secondary");
        ExecutionResult refused = StateMachineRun.run("failover", ports.ports(), input.toString()).result();
        assertEquals("FailoverFailed", refused.statePath().getLast(), refused.timelineTable());
        assertTrue(ports.notifier.last().message().contains("orders-not-on-secondary"), ports.notifier.last().toString());
    }

    @Test
    void aNotificationThatFailsAfterTheFlipIsRecordedAndTheFailoverStillSucceeds() throws IOException {
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), null);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        // SNS refusing for good (e.g. the topic's key policy): not transient, so the retriers pass it to the Catch.
        var base = ports.ports();
        var withBrokenSns = new com.mskfailover.orchestrator.local.LocalWiring.LocalPorts(base.settings(), base.clusterDirectory(), base.kafkaInspector(),
                base.bootstrapAliases(), base.replicatorTasks(), base.forwardReplication(), (subject, message) -> {
                    throw new com.mskfailover.orchestrator.domain.DependencyFailedException("publishing to the topic failed: AuthorizationError (HTTP 403)");
                }, base.alarmStates(), base.executions()).withOperationLock(base.operationLock());

        ExecutionResult result = StateMachineRun.run("failover", withBrokenSns, sampleInput().toString()).result();

        assertTrue(result.succeeded(), result.timelineTable());
        assertEquals("FailoverSucceeded", result.statePath().getLast());
        assertEquals(TestPorts.SECONDARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS), "the move stands");
        JsonNode error = result.output().path("notificationError");
        assertEquals("com.mskfailover.orchestrator.domain.DependencyFailedException", error.path("Error").asText(), result.output().toString());
        assertTrue(error.path("Cause").asText().contains("AuthorizationError"), error.toString());
    }

    @Test
    void secondaryNotReadyChangesNothingAndNotifiesHowToResume() throws IOException {
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), null);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ObjectNode input = sampleInput();
        input.putArray("topics").add(TOPIC).add("orders-not-on-secondary");

        ExecutionResult result = StateMachineRun.run("failover", ports.ports(), input.toString()).result();

        assertFalse(result.succeeded());
        assertEquals("FailoverFailed", result.error());
        assertEquals("com.mskfailover.orchestrator.domain.NotReadyException", result.lastRun("CheckSecondaryReady").orElseThrow().error());
        assertEquals(0, result.timesEntered("FlipAliasesToSecondary"));
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS));
        String message = ports.notifier.last().message();
        assertTrue(message.contains("topics missing") && message.contains("orders-not-on-secondary"), message);
        assertTrue(message.contains("nothing was changed") && message.contains("How to resume"), message);
    }

    @Test
    void replicationBehindTheRpoIsNotReady() throws IOException {
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), null);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ports.forwardReplication = TestPorts.fixedForward(new com.mskfailover.orchestrator.domain.ForwardReplication.Status(true, 1, "stub"),
                java.util.Optional.of(java.time.Duration.ofMinutes(20)));

        ExecutionResult result = StateMachineRun.run("failover", ports.ports(), sampleInput().toString()).result();

        assertEquals("FailoverFailed", result.error());
        assertTrue(ports.notifier.last().message().contains("exceeds the RPO of 300 s"), ports.notifier.last().message());
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS));
    }

    /** The sample input with a secondary cluster the stack was not deployed for. */
    private static ObjectNode inputNamingAnotherSecondary() throws IOException {
        ObjectNode input = sampleInput();
        input.put("secondaryClusterArn", "arn:aws:kafka:us-west-2:123456789012:cluster/someone-else/abc-1");
        return input;
    }

    @Test
    void unknownClusterArnFailsAtValidationNamingTheField() throws IOException {
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), null);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ObjectNode input = inputNamingAnotherSecondary();

        var outcome = StateMachineRun.run("failover", ports.ports(), input.toString());
        ExecutionResult result = outcome.result();

        var validation = result.lastRun("ValidateFailoverInput").orElseThrow();
        assertEquals("com.mskfailover.orchestrator.domain.InvalidInputException", validation.error());
        assertTrue(validation.cause().contains("'secondaryClusterArn'"), validation.cause());
        assertEquals(List.of("ValidateFailoverInput", "ReleaseOperationLockAfterFailure", "NotifyFailoverFailed", "FailoverFailed"), result.statePath());
        assertEquals(0, outcome.endpoint().invocationCount("FlipBootstrapAliases"));
        assertTrue(ports.notifier.last().message().contains("the input was rejected; nothing was changed"), ports.notifier.last().message());
        assertEquals(ports.notifier.last().message(), result.cause(), "the console shows the notification's text as the execution's cause");
    }

    @Test
    void aFailureWhoseNotificationFailsTooStillSaysWhyInTheExecutionsCause() throws IOException {
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), null);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ObjectNode input = inputNamingAnotherSecondary();
        var local = new com.mskfailover.orchestrator.local.LocalWiring.LocalPorts(ports.settings, ports.clusters, ports.kafka, ports.aliases,
                ports.tasks, ports.forwardReplication, (subject, message) -> {
                    throw new com.mskfailover.orchestrator.domain.DependencyFailedException("SNS: AuthorizationError (topic policy)", null);
                }, ports.alarms, ports.executions).withOperationLock(ports.lock);

        ExecutionResult result = StateMachineRun.run("failover", local, input.toString()).result();

        assertEquals("FailoverFailed", result.error(), result.timelineTable());
        assertTrue(result.statePath().contains("FailoverNotificationFailed"), result.statePath().toString());
        assertTrue(result.cause().contains("could not be sent") && result.cause().contains("AuthorizationError")
                && result.cause().contains("InvalidInputException") && result.cause().contains("secondaryClusterArn"), result.cause());
    }

    private static ObjectNode plannedInput() throws IOException {
        return (ObjectNode) JSON.readTree(Files.readString(StateMachineRun.event("planned-failover-start.json")));
    }

    /** The alias store, keeping the alias names of each change it accepted. */
    private static BootstrapAliases recording(BootstrapAliases aliases, List<List<String>> changes) {
        return new BootstrapAliases() {
            @Override
            public java.util.Map<String, com.mskfailover.client.BootstrapAliasRecord> read(java.util.Collection<String> aliasNames) {
                return aliases.read(aliasNames);
            }

            @Override
            public String change(List<com.mskfailover.client.BootstrapAliasRecord> records, String comment) {
                changes.add(records.stream().map(com.mskfailover.client.BootstrapAliasRecord::aliasName).toList());
                return aliases.change(records, comment);
            }

            @Override
            public boolean isInSync(String changeId) {
                return aliases.isInSync(changeId);
            }
        };
    }

    @Test
    void aPlannedFailoverMovesTheProducersFirstAndTheConsumersOnlyOnceThePrimaryIsQuietAndTheForwardFlowHasCopiedIt() throws IOException {
        List<List<String>> changes = new ArrayList<>();
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), recording(new FileBootstrapAliases(dir.resolve("aliases.json")), changes));
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        changes.clear();
        List<String> consumersDuringTheWait = new ArrayList<>();
        List<Long> lagAnswers = new ArrayList<>(List.of(40L, 0L));
        ForwardReplication healthy = TestPorts.healthyForward();
        ports.forwardReplication = TestPorts.fixedForward(healthy.status(), java.util.Optional.of(java.time.Duration.ofMillis(800)), since -> {
            consumersDuringTheWait.add(ports.clusterOf(TestPorts.CONSUMER_ALIAS));
            return java.util.OptionalLong.of(lagAnswers.size() > 1 ? lagAnswers.removeFirst() : lagAnswers.getFirst());
        });

        var outcome = StateMachineRun.run("failover", ports.ports(), plannedInput().toString());
        ExecutionResult result = outcome.result();

        assertTrue(result.succeeded(), result.timelineTable());
        assertEquals(List.of(List.of(TestPorts.PRODUCER_ALIAS), List.of(TestPorts.CONSUMER_ALIAS)), changes, "producers first, then consumers");
        List<String> path = result.statePath();
        assertTrue(path.indexOf("MoveProducersToSecondary") < path.indexOf("CheckForwardReplicationCaughtUp")
                && path.lastIndexOf("CheckForwardReplicationCaughtUp") < path.indexOf("MoveConsumersToSecondary"), path.toString());
        // First look, a quiet primary with 40 records still to copy, then lag 0: three checks.
        assertEquals(3, path.stream().filter("CheckForwardReplicationCaughtUp"::equals).count(), path.toString());
        assertEquals(List.of(TestPorts.PRIMARY_ARN, TestPorts.PRIMARY_ARN), consumersDuringTheWait, "consumers stay on the primary until caught up");
        assertEquals(TestPorts.SECONDARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS));
        assertEquals(TestPorts.SECONDARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS));
        assertTrue(ports.notifier.last().subject().contains("failover succeeded"), ports.notifier.last().toString());
    }

    @Test
    void producersThatKeepWritingToThePrimaryStopThePlannedFailoverWithTheConsumersStillThereAndSaySo() throws Exception {
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), null);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ObjectNode input = plannedInput();
        input.withObjectProperty("timeouts").put("replicationCatchUpSeconds", 2);
        // A producer that never moved: it appends to the primary between any two checks of the wait, however fast the
        // compressed waits come (a producer thread of its own could be starved on a loaded machine between two of them).
        String primary = SharedClusters.primary().bootstrapServers();
        com.mskfailover.orchestrator.domain.KafkaInspector writesBetweenChecks = (com.mskfailover.orchestrator.domain.KafkaInspector)
                java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{com.mskfailover.orchestrator.domain.KafkaInspector.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("offsetRanges") && primary.equals(args[0])) {
                                SharedClusters.primary().clients().produce(TOPIC, "k", "still on the primary");
                            }
                            try {
                                return method.invoke(ports.kafka, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
        var withTheProducer = new com.mskfailover.orchestrator.local.LocalWiring.LocalPorts(ports.settings, ports.clusters, writesBetweenChecks,
                ports.aliases, ports.tasks, ports.forwardReplication, ports.notifier, ports.alarms, ports.executions).withOperationLock(ports.lock);
        ExecutionResult result = StateMachineRun.run("failover", withTheProducer, input.toString()).result();

        assertEquals("FailoverFailed", result.error(), result.timelineTable());
        var lastCheck = result.lastRun("CheckForwardReplicationCaughtUp").orElseThrow();
        assertEquals("com.mskfailover.orchestrator.domain.WaitTimedOutException", lastCheck.error());
        assertTrue(lastCheck.cause().contains("the primary still takes records"), lastCheck.cause());
        assertFalse(result.statePath().contains("MoveConsumersToSecondary"), result.statePath().toString());
        assertEquals(TestPorts.SECONDARY_ARN, ports.clusterOf(TestPorts.PRODUCER_ALIAS));
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS), "consumers never move past records they have not read");
        String message = ports.notifier.last().message();
        assertTrue(message.contains("the consumer aliases still point at the primary"), message);
        assertTrue(message.contains("Producers already write to the secondary while consumers still read the primary"), message);
        assertTrue(message.contains("without \"planned\""), message);
    }

    @Test
    void aConsumerStillReadingThePrimaryHoldsTheConsumersMoveNamingItAndARunAfterItStoppedFinishes() throws Exception {
        String group = "planned-failover-readers";
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(group), null);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ObjectNode input = plannedInput();
        input.withObjectProperty("timeouts").put("replicationCatchUpSeconds", 3);
        java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.CountDownLatch joined = new java.util.concurrent.CountDownLatch(1);
        // A consumer nobody stopped: it stays a member of its group on the primary for the whole wait.
        Thread stayingConsumer = new Thread(() -> {
            try (var consumer = SharedClusters.primary().clients().consumer(group, java.util.Map.of())) {
                consumer.subscribe(List.of(TOPIC));
                while (reading.get()) {
                    consumer.poll(java.time.Duration.ofMillis(100));
                    if (!consumer.assignment().isEmpty()) {
                        joined.countDown();
                    }
                }
            }
        });
        stayingConsumer.start();
        ExecutionResult held;
        try {
            assertTrue(joined.await(60, java.util.concurrent.TimeUnit.SECONDS), "the consumer joined its group");
            held = StateMachineRun.run("failover", ports.ports(), input.toString()).result();
        } finally {
            reading.set(false);
            stayingConsumer.join();
        }

        assertEquals("FailoverFailed", held.error(), held.timelineTable());
        String cause = held.lastRun("CheckForwardReplicationCaughtUp").orElseThrow().cause();
        assertTrue(cause.contains("group " + group + " still has 1 active member(s) on the primary") && cause.contains("stop its consumers there"), cause);
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS), "the consumers stay where they read");

        // Once it stopped, the same input again finishes (every step is safe to repeat).
        ExecutionResult again = StateMachineRun.run("failover", ports.ports(), input.toString()).result();
        assertTrue(again.succeeded(), again.timelineTable());
        assertEquals(TestPorts.SECONDARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS));
    }

    @Test
    void aliasChangeNeverInSyncTimesOut() throws IOException {
        TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), new FileBootstrapAliases(dir.resolve("aliases.json"), Integer.MAX_VALUE));
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        ObjectNode input = sampleInput();
        input.withObjectProperty("timeouts").put("aliasSyncSeconds", 1);

        ExecutionResult result = StateMachineRun.run("failover", ports.ports(), input.toString()).result();

        assertEquals("FailoverFailed", result.error());
        assertEquals("com.mskfailover.orchestrator.domain.WaitTimedOutException", result.lastRun("CheckAliasesInSync").orElseThrow().error());
        assertTrue(ports.notifier.last().message().contains("not seen INSYNC yet"), ports.notifier.last().message());
    }

    @Test
    void route53ThrottlingIsRetriedThenTheFailoverFailsAndNotifies() throws IOException {
        try (FakeAwsEndpoint route53Endpoint = new FakeAwsEndpoint(request -> request.action().equals("route53:ChangeResourceRecordSets")
                ? FakeAwsEndpoint.Response.error(400, "text/xml", "<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error>"
                + "<Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>", "Throttling")
                : new CannedAwsResponses().apply(request))) {
            // Two attempts per call in the SDK (fast), then the state machine's own Retry on TransientDependencyException.
            Route53Client client = Route53Client.builder().endpointOverride(route53Endpoint.uri()).region(Region.AWS_GLOBAL)
                    .credentialsProvider(() -> AwsBasicCredentials.create("a", "b"))
                    .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(2)))
                    .httpClient(UrlConnectionHttpClient.create()).build();
            TestPorts ports = new TestPorts(dir, List.of(TOPIC), List.of(), new Route53BootstrapAliases(client, "Z0123456789ABC", 60));

            var outcome = StateMachineRun.run("failover", ports.ports(), sampleInput().toString());
            ExecutionResult result = outcome.result();

            assertEquals("FailoverFailed", result.error());
            var flip = result.lastRun("FlipAliasesToSecondary").orElseThrow();
            assertEquals("com.mskfailover.orchestrator.domain.TransientDependencyException", flip.error());
            assertEquals(4, flip.retries(), "the definition's MaxAttempts for transient errors");
            assertEquals(5, outcome.endpoint().invocationCount("FlipBootstrapAliases"));
            assertEquals(10, route53Endpoint.requests("route53:ChangeResourceRecordSets").size(), "5 invocations x 2 SDK attempts");
            String message = ports.notifier.last().message();
            assertTrue(message.contains("Throttling") && message.contains("How to resume"), message);
            assertEquals(0, result.timesEntered("CheckAliasesInSync"));
        }
    }

    @Test
    void aPlanGroupCommittedOnThePrimaryWithoutItsOffsetOnTheSecondaryStopsTheFailoverAndItsDryRunUnlessForcedByName() throws IOException {
        String group = "failover-group-not-synced";
        String topic = "failover-not-synced";
        // Its own topic: the record copied to the secondary's partition 0 would be an application's write to other tests.
        for (var cluster : List.of(SharedClusters.primary().clients(), SharedClusters.secondary().clients())) {
            cluster.createTopic(topic, 3);
            cluster.produce(List.of(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 0, "k", "copied")));
        }
        TestPorts ports = new TestPorts(dir, List.of(topic), List.of(group), null);
        ports.pointAliasesAt(TestPorts.PRIMARY_ARN);
        // It read partition 0 on the primary; the forward flow copied its record but synced nothing of the group.
        ports.kafka.commitOffsets(SharedClusters.primary().bootstrapServers(), group,
                java.util.Map.of(topic + "-0", new com.mskfailover.orchestrator.domain.KafkaInspector.CommittedOffset(1, "")));

        var outcome = StateMachineRun.run("failover", ports.ports(), sampleInput().toString());
        ExecutionResult refused = outcome.result();

        assertEquals("FailoverFailed", refused.error(), refused.timelineTable());
        assertEquals("com.mskfailover.orchestrator.domain.NotReadyException", refused.lastRun("CheckSecondaryReady").orElseThrow().error());
        assertEquals(0, outcome.endpoint().invocationCount("FlipBootstrapAliases"));
        assertEquals(TestPorts.PRIMARY_ARN, ports.clusterOf(TestPorts.CONSUMER_ALIAS), "nothing moved");
        String message = ports.notifier.last().message();
        assertTrue(message.contains(group + " [" + topic + "-0]") && message.contains("\"force\": [\"groupsWithoutOffsets\"]"), message);

        ExecutionResult dryRun = StateMachineRun.run("failover", ports.ports(), sampleInput().put("dryRun", true).toString()).result();
        assertEquals("FailoverFailed", dryRun.statePath().getLast(), "the dry run reports it as the real run would: " + dryRun.timelineTable());

        ObjectNode forced = sampleInput().put("dryRun", true);
        forced.putArray("force").add("groupsWithoutOffsets");
        ExecutionResult passed = StateMachineRun.run("failover", ports.ports(), forced.toString()).result();
        assertTrue(passed.succeeded(), passed.timelineTable());
        String said = ports.notifier.last().message();
        assertTrue(said.contains("Checks switched off by \"force\" in the input: [\"groupsWithoutOffsets\"]") && said.contains("FORCED (groupsWithoutOffsets)")
                && said.contains(group), said);
    }
}
