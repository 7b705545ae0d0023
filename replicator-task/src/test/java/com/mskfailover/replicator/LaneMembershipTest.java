package com.mskfailover.replicator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Tag;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import static com.mskfailover.replicator.ReplicationTestSupport.await;
import static com.mskfailover.replicator.ReplicationTestSupport.byPartition;
import static com.mskfailover.replicator.ReplicationTestSupport.caughtUp;
import static com.mskfailover.replicator.ReplicationTestSupport.endOffsetSum;
import static com.mskfailover.replicator.ReplicationTestSupport.env;
import static com.mskfailover.replicator.ReplicationTestSupport.logContains;
import static com.mskfailover.replicator.ReplicationTestSupport.startChildJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several tasks with one REPLICATOR_NAME share its lanes through Kafka's group protocol: tasks start at
 * the same moment, join while records flow, die (kill -9) and leave (SIGTERM), and the copy stays exact
 * for read_committed readers, with one lag figure (group REPLICATOR_NAME on the clusters.source()) for all of them.
 */
@Tag("integration")
class LaneMembershipTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @RegisterExtension
    static final SourceAndTarget clusters = new SourceAndTarget();

    @Test
    void tasksThatStartJoinDieAndLeaveWhileRecordsFlowCopyEveryRecordOnce() throws Exception {
        String topic = "shared";
        clusters.source().clients().createTopic(topic, 6);
        Map<String, String> env = env(clusters.source(), clusters.target(), "shared", "TOPICS", topic, "LANES", "3");
        Path logs = Files.createTempDirectory("replicator-lanes-");
        AtomicBoolean stopProducing = new AtomicBoolean();
        CompletableFuture<Long> producing = CompletableFuture.supplyAsync(() -> produceUntil(topic, stopProducing));

        // Two at once: both may find the group empty and start every lane; the transactional ids sort it out.
        Process a = startChildJvm(env, logs.resolve("a.log"));
        Process b = startChildJvm(env, logs.resolve("b.log"));
        await("the group shared the lanes between the two", WAIT, () -> sharesOf(logs.resolve("a.log"), logs.resolve("b.log")));
        long before = endOffsetSum(clusters.target(), topic);
        Process c = startChildJvm(env, logs.resolve("c.log"));
        await("the third task got lanes while records flow", WAIT, () -> logContains(logs.resolve("c.log"), "this task copies lanes [")
                && !logContains(logs.resolve("c.log"), "this task copies lanes [] "));
        await("copies went on after the rebalance", WAIT, () -> endOffsetSum(clusters.target(), topic) > before + 20_000 || !alive(a, b, c));
        assertTrue(alive(a, b, c), "no task stopped by itself; see " + logs);

        a.destroyForcibly(); // kill -9: its lanes move after the session timeout
        assertTrue(a.waitFor(30, TimeUnit.SECONDS));
        b.destroy(); // SIGTERM: commits, then leaves the group at once
        assertTrue(b.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, b.exitValue(), "a task that leaves exits 0");
        await("the last task holds every lane", WAIT, () -> logContains(logs.resolve("c.log"), "this task copies lanes [0, 1, 2] of 3"));
        long held = endOffsetSum(clusters.target(), topic);
        await("it copies every lane", WAIT, () -> endOffsetSum(clusters.target(), topic) > held + 20_000 || !c.isAlive());

        stopProducing.set(true);
        long produced = producing.get(1, TimeUnit.MINUTES);
        await("the last task caught up (lag 0 by the committed source position)", WAIT, () -> caughtUp(clusters.source(), "shared", topic));
        c.destroy();
        assertTrue(c.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, c.exitValue());

        Map<Integer, List<String>> expected = byPartition(clusters.source().clients().readAll(topic));
        Map<Integer, List<String>> actual = byPartition(clusters.target().clients().readAll(topic));
        long onSource = expected.values().stream().mapToInt(List::size).sum();
        assertTrue(onSource > 60_000 && onSource <= produced, "the source holds what was produced: " + onSource + " of " + produced);
        for (int partition = 0; partition < 6; partition++) {
            assertEquals(expected.get(partition).size(), actual.get(partition).size(), "partition " + partition + ": record count");
            assertEquals(expected.get(partition), actual.get(partition), "partition " + partition + ": the same records in order");
        }
    }

    /**
     * The same flow started twice (a retried RunTask, a deployment overlap) with one lane: one task copies,
     * the other waits as a standby and takes over within the session timeout when the first is killed.
     */
    @Test
    void aSecondTaskWithOneLaneStandsByAndTakesOverWhenTheFirstDies() throws Exception {
        String topic = "standby";
        clusters.source().clients().createTopic(topic, 2);
        Map<String, String> env = env(clusters.source(), clusters.target(), "standby", "TOPICS", topic);
        Path logs = Files.createTempDirectory("replicator-standby-");
        Process first = startChildJvm(env, logs.resolve("first.log"));
        Process second = startChildJvm(env, logs.resolve("second.log"));
        await("one holds the lane, the other none", WAIT, () -> sharesOf(logs.resolve("first.log"), logs.resolve("second.log"))
                || (logContains(logs.resolve("first.log"), "copies lanes [0] of 1") && logContains(logs.resolve("second.log"), "copies lanes [] of 1"))
                || (logContains(logs.resolve("second.log"), "copies lanes [0] of 1") && logContains(logs.resolve("first.log"), "copies lanes [] of 1")));
        RecordCopierTest.produce(clusters.source(), topic, 5_000, "x");
        await("caught up", WAIT, () -> caughtUp(clusters.source(), "standby", topic));
        Process holder = lastShareHasLane(logs.resolve("first.log")) ? first : second;
        Process standby = holder == first ? second : first;
        holder.destroyForcibly();
        assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        RecordCopierTest.produce(clusters.source(), topic, 5_000, "y");
        await("the standby took over and caught up", WAIT, () -> caughtUp(clusters.source(), "standby", topic));
        assertTrue(standby.isAlive());
        standby.destroy();
        assertTrue(standby.waitFor(60, TimeUnit.SECONDS));
        assertEquals(byPartition(clusters.source().clients().readAll(topic)), byPartition(clusters.target().clients().readAll(topic)),
                "read_committed: every record once, in order");
    }

    /** Produces about 10,000 records a second until told to stop; returns how many it sent. */
    private static long produceUntil(String topic, AtomicBoolean stop) {
        long sent = 0;
        try (KafkaProducer<String, String> producer = clusters.source().clients().producer(Map.of("linger.ms", 5))) {
            while (!stop.get()) {
                for (int i = 0; i < 1_000; i++, sent++) {
                    producer.send(new ProducerRecord<>(topic, "k" + (sent % 97), sent + "-" + "x".repeat(200)));
                }
                producer.flush();
                try {
                    Thread.sleep(100); // a pace, not a synchronisation
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return sent;
    }

    private static boolean alive(Process... processes) {
        return java.util.Arrays.stream(processes).allMatch(Process::isAlive);
    }

    /** Both logs' latest share is a non-empty part of the lanes (with three lanes: one has one, the other two). */
    private static boolean sharesOf(Path first, Path second) {
        String one = lastShare(first);
        String two = lastShare(second);
        return one != null && two != null && !one.startsWith("[]") && !two.startsWith("[]");
    }

    private static boolean lastShareHasLane(Path log) {
        String share = lastShare(log);
        return share != null && !share.startsWith("[]");
    }

    private static String lastShare(Path log) {
        try {
            List<String> shares = Files.readAllLines(log).stream().filter(line -> line.contains("this task copies lanes "))
                    .map(line -> line.substring(line.indexOf("this task copies lanes ") + "this task copies lanes ".length())).toList();
            return shares.isEmpty() ? null : shares.getLast();
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
