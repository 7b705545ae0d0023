package com.mskfailover.orchestrator.statemachines;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.client.BootstrapAliasResolver;
import com.mskfailover.contract.ReplicatorEnvironment;
import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.local.wait.Polling;
import com.mskfailover.orchestrator.SharedClusters;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.local.InProcessReplicatorTasks;
import com.mskfailover.orchestrator.local.LocalWiring;
import com.mskfailover.orchestrator.local.RecordingNotifier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failback of statemachines/failback.asl.json with the applications working throughout, on real brokers: the
 * forward flow (the project's replicator-task, primary -> secondary) copies every new primary record into the
 * secondary the whole time, producers write through the producer alias and restart when the failback tells them to,
 * a consumer reads through the consumer alias and stops and starts when told. Every record produced must end on the
 * primary and be read exactly once (the consumer commits after each poll and stops cleanly, so the runbook's re-read
 * bound is 0 here).
 */
@Tag("integration")
class FailbackWithLiveTrafficTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PACE = Duration.ofMillis(50);

    @TempDir
    Path dir;

    private final InProcessReplicatorTasks tasks = new InProcessReplicatorTasks();
    private final ExecutorService operators = Executors.newSingleThreadExecutor();
    private final List<AutoCloseable> clients = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        operators.shutdownNow();
        tasks.stopAll();
    }

    @Test
    void producersAndAConsumerWorkingThroughoutLoseNothingLeaveNothingOnTheSecondaryAndReadEachRecordOnce() throws Exception {
        Traffic traffic = new Traffic("customer-live", "msk-consumer-live");

        ExecutionResult result = traffic.failback(traffic.input(120)).result();

        assertTrue(result.succeeded(), result.timelineTable());
        assertEquals(TestPorts.PRIMARY_ARN, traffic.ports.clusterOf(TestPorts.PRODUCER_ALIAS));
        assertEquals(TestPorts.PRIMARY_ARN, traffic.ports.clusterOf(TestPorts.CONSUMER_ALIAS));
        List<String> subjects = traffic.notifier.notifications().stream().map(RecordingNotifier.Notification::subject).toList();
        assertEquals(List.of("MSK failback: restart producers now", "MSK failback: stop consumers on the secondary now",
                "MSK failback: start consumers on the primary now", "MSK failback succeeded"), subjects);
        String restart = traffic.notifier.notifications().getFirst().message();
        assertTrue(restart.contains("Still writing to the secondary: " + "customer-live-") && restart.contains("producer id"), restart);
        // The drain finished although the forward flow copied primary records into the secondary all along: it drained to
        // the last application record there, which the forward flow's copies had left behind.
        var drained = result.lastRun("CheckSecondaryConsumersDrained").orElseThrow().output();
        long target = 0;
        for (var end : drained.path("secondaryQuiet").path("applicationEnds")) {
            target += end.asLong();
        }
        assertTrue(traffic.copiesOnTheSecondary() > 0 && target > 0, drained.toString());
        assertTrue(drained.path("consumerDrain").path("poll").path("detail").asText().contains("msk-consumer-live lag 0 to the last application record"),
                drained.toString());
        traffic.keepProducingOnThePrimaryThenStop();
        traffic.assertEveryRecordOnThePrimaryAndReadExactlyOnce();
        System.out.println("live traffic: " + traffic.figures());
    }

    @Test
    void aStragglerThatNeverReResolvesHoldsTheFailbackNamedAndARunAfterItRestartedFinishesWithNothingLeftBehind() throws Exception {
        Traffic traffic = new Traffic("customer-straggler", "msk-consumer-straggler");
        AliasProducer straggler = traffic.producer("straggler", () -> SharedClusters.secondary().bootstrapServers());

        ExecutionResult held = traffic.failback(traffic.input(15)).result();

        assertEquals("FailbackFailed", held.error(), held.timelineTable());
        var gate = held.lastRun("CheckSecondaryQuiet").orElseThrow();
        assertEquals("com.mskfailover.orchestrator.domain.WaitTimedOutException", gate.error());
        assertTrue(gate.cause().contains("applications still write to the secondary") && gate.cause().contains("producer id")
                && gate.cause().matches("(?s).*customer-straggler-[0-2] producer id \\d+ \\(last write 20.*"), gate.cause());
        assertFalse(held.statePath().contains("MoveConsumersToPrimary"), "consumers stay where the straggler's records are");
        assertEquals(TestPorts.SECONDARY_ARN, traffic.ports.clusterOf(TestPorts.CONSUMER_ALIAS));
        String message = traffic.notifier.last().message();
        assertTrue(message.contains("producer id") && message.contains("keep replicator-task running"), message);
        assertTrue(held.lastRun("StopReverseReplication").isEmpty(), "the reverse flow keeps copying what the straggler writes");

        // The operator restarts it: it resolves the alias again, to the primary, and the same input finishes.
        straggler.bootstrap = () -> traffic.resolver.resolve(TestPorts.PRODUCER_ALIAS).bootstrapServers();
        straggler.restart();
        ExecutionResult again = traffic.failback(traffic.input(120)).result();

        assertTrue(again.succeeded(), again.timelineTable());
        traffic.keepProducingOnThePrimaryThenStop();
        traffic.assertEveryRecordOnThePrimaryAndReadExactlyOnce();
        System.out.println("straggler: " + traffic.figures());
    }

    @Test
    void aProducerThatWritesToTheSecondaryAfterTheConsumersMovedHoldsTheReverseFlowUntilItRestartedAndItsRecordsAreReadOnThePrimary() throws Exception {
        Traffic traffic = new Traffic("customer-late", "msk-consumer-late");
        // A client that resolved the alias during the outage and connects only now, once the consumers read on the primary.
        // Its first record is written before the failback goes on from that notification: a write after the last gate's check
        // is one no check can see (the runbook says so).
        traffic.beforeTheFailbackGoesOn("start consumers on the primary now", () -> {
            AliasProducer late = traffic.producer("late", () -> SharedClusters.secondary().bootstrapServers());
            Polling.until("the late producer wrote to the secondary", Duration.ofSeconds(60), () -> !late.acked().isEmpty());
        });
        traffic.onNotification("a producer still writes to the secondary", () -> {
            AliasProducer late = traffic.producers.getLast();
            late.bootstrap = () -> traffic.resolver.resolve(TestPorts.PRODUCER_ALIAS).bootstrapServers();
            late.restart();
        });

        ExecutionResult result = traffic.failback(traffic.input(120)).result();

        assertTrue(result.succeeded(), result.timelineTable());
        List<String> path = result.statePath();
        assertTrue(path.indexOf("NotifyProducersStillOnSecondary") > path.indexOf("MoveConsumersToPrimary")
                && path.indexOf("NotifyProducersStillOnSecondary") < path.indexOf("StopReverseReplication"), path.toString());
        String named = traffic.notifier.notifications().stream().filter(n -> n.subject().endsWith("a producer still writes to the secondary"))
                .findFirst().orElseThrow().message();
        assertTrue(named.matches("(?s).*customer-late-[0-2] producer id \\d+ \\(last write 20.*") && named.contains("Restart that producer"), named);
        assertTrue(traffic.producers.getLast().acked().stream().anyMatch(value -> value.contains("-late-")), "the late producer wrote");

        traffic.keepProducingOnThePrimaryThenStop();
        traffic.assertEveryRecordOnThePrimaryAndReadExactlyOnce();
        System.out.println("late producer: " + traffic.figures());
    }

    /** The applications and both flows around one topic and group, failed over to the secondary. */
    private final class Traffic {
        final String topic;
        final String group;
        final TestPorts ports;
        final RecordingNotifier notifier = new RecordingNotifier();
        final BootstrapAliasResolver resolver;
        final List<AliasProducer> producers = new java.util.concurrent.CopyOnWriteArrayList<>();
        final AliasConsumer consumer;
        final Map<String, Runnable> reactions = new java.util.concurrent.ConcurrentHashMap<>();
        /** Reactions the notification waits for: what operators do before the execution's next state. */
        final Map<String, Runnable> reactionsFirst = new java.util.concurrent.ConcurrentHashMap<>();

        Traffic(String topic, String group) {
            this.topic = topic;
            this.group = group;
            SharedClusters.primary().clients().createTopic(topic, 3);
            SharedClusters.secondary().clients().createTopic(topic, 3);
            ports = new TestPorts(dir, List.of(topic), List.of(group), null);
            ports.pointAliasesAt(TestPorts.SECONDARY_ARN);
            ports.tasks = tasks;
            resolver = new BootstrapAliasResolver((com.mskfailover.orchestrator.local.FileBootstrapAliases) ports.aliases);
            // The forward flow runs all along, as in the blog; during the outage it had nothing to copy.
            tasks.start("forward-" + topic, ReplicatorEnvironment.flow("forward-" + topic, SharedClusters.primary().bootstrapServers(),
                    SharedClusters.secondary().bootstrapServers()).auth("none").topics(List.of(topic)).groups(List.of(group)).fromEarliest().toMap());
            producer(topic, () -> resolver.resolve(TestPorts.PRODUCER_ALIAS).bootstrapServers());
            consumer = new AliasConsumer(topic, group, () -> resolver.resolve(TestPorts.CONSUMER_ALIAS).bootstrapServers());
            clients.add(consumer);
            consumer.start();
            Polling.until("the applications at work on the secondary", Duration.ofSeconds(60),
                    () -> producers.getFirst().acked().size() >= 20 && consumer.read().size() >= 10);
        }

        AliasProducer producer(String name, Supplier<String> bootstrap) {
            AliasProducer producer = new AliasProducer(topic, name, bootstrap);
            producers.add(producer);
            clients.add(producer);
            return producer;
        }

        /** @param gateSeconds how long the quiet gates and the drain may wait (consumerDrainSeconds) */
        ObjectNode input(int gateSeconds) throws IOException {
            ObjectNode input = (ObjectNode) JSON.readTree(Files.readString(StateMachineRun.event("failback-start.json")));
            input.putArray("topics").add(topic);
            input.putArray("consumerGroups").add(group);
            // The shared clusters hold every test's topics: this test is not about the ones it does not name (PlanComparisonTest is).
            input.putArray("force").add("unlistedTopics");
            input.put("reverseReplicatorName", "failback-replicator-" + topic.replace("customer-", ""));
            input.withObjectProperty("timeouts").put("replicationCatchUpSeconds", 120).put("consumerDrainSeconds", gateSeconds);
            return input;
        }

        /** The failback, with operators doing what its notifications ask (the restarts run beside it, as people would). */
        StateMachineRun.Outcome failback(ObjectNode input) {
            LocalWiring.LocalPorts base = ports.ports();
            var local = new LocalWiring.LocalPorts(base.settings(), base.clusterDirectory(), base.kafkaInspector(), base.bootstrapAliases(),
                    base.replicatorTasks(), base.forwardReplication(), (subject, message) -> {
                notifier.publish(subject, message);
                reactionsFirst.forEach((subjectEnd, reaction) -> {
                    if (subject.endsWith(subjectEnd)) {
                        reaction.run();
                    }
                });
                operators.submit(() -> act(subject));
            }, base.alarmStates(), base.executions()).withOperationLock(base.operationLock());
            return StateMachineRun.run("failback", local, input.toString());
        }

        /** What the operators also do when a notification's subject ends so. */
        void onNotification(String subjectEnd, Runnable reaction) {
            reactions.put(subjectEnd, reaction);
        }

        void beforeTheFailbackGoesOn(String subjectEnd, Runnable reaction) {
            reactionsFirst.put(subjectEnd, reaction);
        }

        private void act(String subject) {
            reactions.forEach((subjectEnd, reaction) -> {
                if (subject.endsWith(subjectEnd)) {
                    reaction.run();
                }
            });
            if (subject.endsWith("restart producers now")) {
                producers.forEach(AliasProducer::restart);
            } else if (subject.endsWith("stop consumers on the secondary now")) {
                consumer.stop();
            } else if (subject.endsWith("start consumers on the primary now")) {
                consumer.start();
            }
        }

        void keepProducingOnThePrimaryThenStop() throws Exception {
            int before = producers.getFirst().acked().size();
            Polling.until("more records produced on the primary", Duration.ofSeconds(60), () -> producers.getFirst().acked().size() >= before + 20);
            for (AliasProducer producer : producers) {
                producer.close();
            }
        }

        void assertEveryRecordOnThePrimaryAndReadExactlyOnce() {
            Set<String> produced = new HashSet<>();
            producers.forEach(producer -> produced.addAll(producer.acked()));
            Polling.until("the consumer read every record produced", Duration.ofSeconds(90), () -> new HashSet<>(consumer.read()).containsAll(produced));
            Set<String> onThePrimary = new HashSet<>(KafkaClients.values(SharedClusters.primary().clients().readAll(topic)));
            Set<String> lost = new HashSet<>(produced);
            lost.removeAll(onThePrimary);
            assertEquals(Set.of(), lost, "every record produced is on the primary (none stays on the secondary only)");
            List<String> read = consumer.read();
            assertEquals(read.size(), new HashSet<>(read).size(), "each record read once: " + duplicates(read));
        }

        long copiesOnTheSecondary() {
            return SharedClusters.secondary().clients().readAll(topic).stream()
                    .filter(record -> record.headers().lastHeader(com.mskfailover.contract.CopyHeaders.REPLICATED_FROM) != null).count();
        }

        String figures() {
            Set<String> produced = new HashSet<>();
            producers.forEach(producer -> produced.addAll(producer.acked()));
            List<String> read = consumer.read();
            return produced.size() + " produced, " + read.size() + " read, " + duplicates(read).size() + " read twice; producers paused at most "
                    + producers.stream().map(AliasProducer::longestPause).max(Duration::compareTo).orElseThrow().toMillis()
                    + " ms; the consumer paused " + consumer.longestPause().toMillis() + " ms";
        }
    }

    private static List<String> duplicates(List<String> read) {
        Set<String> seen = new HashSet<>();
        return read.stream().filter(value -> !seen.add(value)).toList();
    }

    /**
     * A producer as applications run one: it resolves its bootstrap when it (re)starts and keeps that connection;
     * one record every {@link #PACE}, each acknowledged before the next (all acks, idempotent).
     */
    private static final class AliasProducer implements AutoCloseable {
        private final String topic;
        private final String name;
        volatile Supplier<String> bootstrap;
        private final List<String> acked = Collections.synchronizedList(new ArrayList<>());
        private final List<Long> ackedAt = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean running = true;
        private volatile boolean restart;
        private final Thread thread;

        AliasProducer(String topic, String name, Supplier<String> bootstrap) {
            this.topic = topic;
            this.name = name;
            this.bootstrap = bootstrap;
            this.thread = new Thread(this::run, "producer-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            int sequence = 0;
            while (running) {
                try (KafkaProducer<String, String> producer = new KafkaClients(bootstrap.get()).producer(Map.of())) {
                    restart = false;
                    while (running && !restart) {
                        String value = topic + "-" + name + "-" + (++sequence);
                        producer.send(new ProducerRecord<>(topic, value, value)).get();
                        acked.add(value);
                        ackedAt.add(System.nanoTime());
                        Thread.sleep(PACE); // the application's own pace, not a synchronization
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    throw new IllegalStateException(name + " failed", e);
                }
            }
        }

        void restart() {
            restart = true;
        }

        List<String> acked() {
            synchronized (acked) {
                return List.copyOf(acked);
            }
        }

        Duration longestPause() {
            synchronized (ackedAt) {
                long longest = 0;
                for (int i = 1; i < ackedAt.size(); i++) {
                    longest = Math.max(longest, ackedAt.get(i) - ackedAt.get(i - 1));
                }
                return Duration.ofNanos(longest);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(Duration.ofSeconds(30));
        }
    }

    /** A consumer as applications run one: it resolves its bootstrap when it starts, commits after each poll, stops cleanly. */
    private static final class AliasConsumer implements AutoCloseable {
        private final String topic;
        private final String group;
        private final Supplier<String> bootstrap;
        private final List<String> read = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean running;
        private Thread thread;
        private long stoppedAt;
        private long longestPause;

        AliasConsumer(String topic, String group, Supplier<String> bootstrap) {
            this.topic = topic;
            this.group = group;
            this.bootstrap = bootstrap;
        }

        synchronized void start() {
            if (stoppedAt != 0) {
                longestPause = Math.max(longestPause, System.nanoTime() - stoppedAt);
            }
            running = true;
            String servers = bootstrap.get();
            thread = new Thread(() -> {
                try (KafkaConsumer<String, String> consumer = new KafkaClients(servers).consumer(group, Map.of())) {
                    consumer.subscribe(List.of(topic));
                    while (running) {
                        var records = consumer.poll(Duration.ofMillis(100));
                        for (ConsumerRecord<String, String> record : records) {
                            read.add(record.value());
                        }
                        if (!records.isEmpty()) {
                            consumer.commitSync();
                        }
                    }
                }
            }, "consumer-" + group);
            thread.setDaemon(true);
            thread.start();
        }

        synchronized void stop() {
            running = false;
            try {
                thread.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stoppedAt = System.nanoTime();
        }

        List<String> read() {
            synchronized (read) {
                return List.copyOf(read);
            }
        }

        Duration longestPause() {
            return Duration.ofNanos(longestPause);
        }

        @Override
        public void close() {
            if (running) {
                stop();
            }
        }
    }
}
