package com.mskfailover.replicator;

import com.mskfailover.local.kafka.LocalKafkaCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static com.mskfailover.replicator.ReplicationTestSupport.await;
import static com.mskfailover.replicator.ReplicationTestSupport.closeAll;
import static com.mskfailover.replicator.ReplicationTestSupport.byPartition;
import static com.mskfailover.replicator.ReplicationTestSupport.caughtUp;
import static com.mskfailover.replicator.ReplicationTestSupport.count;
import static com.mskfailover.replicator.ReplicationTestSupport.env;
import static com.mskfailover.replicator.ReplicationTestSupport.startChildJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The target cluster goes away (a child JVM killed with SIGKILL) while the replicator copies. */
@Tag("integration")
class RecordCopierOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Client timeouts far below the outage, so every one of them expires while the target is away. */
    private static final String[] SHORT_TARGET_TIMEOUTS = {
            "TARGET_KAFKA_MAX_BLOCK_MS", "2000", "TARGET_KAFKA_REQUEST_TIMEOUT_MS", "1500",
            "TARGET_KAFKA_DELIVERY_TIMEOUT_MS", "3000", "TARGET_KAFKA_DEFAULT_API_TIMEOUT_MS", "3000"};

    private static LocalKafkaCluster source;
    private static LocalKafkaCluster target;

    @BeforeAll
    static void startClusters() {
        source = LocalKafkaCluster.start("source");
        target = LocalKafkaCluster.builder("target").mode(LocalKafkaCluster.Mode.CHILD_JVM).start();
    }

    @AfterAll
    static void stopClusters() {
        closeAll(target, source);
    }

    /**
     * An outage several times longer than every client timeout: sends fail, transactions abort, sessions
     * restart, and when the target is back the copy is exact: nothing lost, nothing twice, in order.
     */
    @Test
    void anOutageLongerThanEveryClientTimeoutEndsWithAnExactCopy() throws Exception {
        String topic = "outage";
        source.clients().createTopic(topic, 2);
        produce(topic, 0, 500);
        Map<String, String> env = env(source, target, "outage", concat(new String[] {"TOPICS", topic}, SHORT_TARGET_TIMEOUTS));
        try (Replicator replicator = Replicator.start(ReplicatorConfig.fromEnvironment(env))) {
            await("the first 500 copied", WAIT, () -> count(target, topic) == 500 && caughtUp(source, "outage", topic));
            target.kill();
            long outageEnds = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            int produced = 500;
            while (System.nanoTime() < outageEnds) { // the fault's duration, not a synchronisation
                produce(topic, produced, 101);
                produced += 101;
                TimeUnit.MILLISECONDS.sleep(1_000);
            }
            assertTrue(ReplicationTestSupport.totalLag(source, "outage", topic) > 0, "the lag shows what waits during the outage");
            target.restart();
            int expected = produced;
            await("caught up after the outage", WAIT, () -> caughtUp(source, "outage", topic) && count(target, topic) == expected);
        }
        assertEquals(byPartition(source.clients().readAll(topic)), byPartition(target.clients().readAll(topic)),
                "every partition an exact, ordered copy");
    }

    /** SIGTERM while the target is away: the task still exits 0 within STOP_TIMEOUT_MS (ECS's stopTimeout). */
    @Test
    void sigtermWithTheTargetAwayExitsZeroWithinTheStopTimeout() throws Exception {
        String topic = "stopping";
        source.clients().createTopic(topic, 1);
        produce(topic, 0, 100);
        Map<String, String> env = env(source, target, "stopping",
                concat(new String[] {"TOPICS", topic, "STOP_TIMEOUT_MS", "8000"}, SHORT_TARGET_TIMEOUTS));
        Path log = Files.createTempFile("replicator-stop-", ".log");
        Process replicator = startChildJvm(env, log);
        await("copied", WAIT, () -> caughtUp(source, "stopping", topic));
        target.kill();
        try {
            produce(topic, 100, 100);
            await("the replicator has records waiting", WAIT, () -> ReplicationTestSupport.totalLag(source, "stopping", topic) > 0);
            long start = System.nanoTime();
            replicator.destroy(); // SIGTERM
            assertTrue(replicator.waitFor(12, TimeUnit.SECONDS), "exits within the stop timeout (8 s) and a margin; log: " + log);
            long tookMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertEquals(0, replicator.exitValue(), "exit status 0 after " + tookMillis + " ms; log: " + log);
        } finally {
            replicator.destroyForcibly();
            target.restart();
        }
    }

    private static void produce(String topic, int first, int count) {
        source.clients().produce(IntStream.range(first, first + count)
                .mapToObj(i -> new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "k" + i, "v" + i)).toList());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
