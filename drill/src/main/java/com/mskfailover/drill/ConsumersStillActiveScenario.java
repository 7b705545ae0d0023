package com.mskfailover.drill;

import com.mskfailover.local.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A member of msk-consumer stays connected to the secondary through the failback: the drain waits, gives up after
 * its timeout (20 s here) naming the group, and moves no consumer alias. Once that consumer is stopped, a re-run
 * finishes and msk-consumer resumes on the primary with no re-read.
 */
final class ConsumersStillActiveScenario implements Scenario {

    static final int DRAIN_SECONDS = 20;

    @Override
    public String name() {
        return "consumers-still-active";
    }

    @Override
    public String summary() {
        return "a consumer stays live on the secondary: the drain times out naming the group, consumers not moved; a re-run after it stops finishes";
    }

    @Override
    public void play(DrillRun run) throws Exception {
        run.failOverThenRecover(1, run.options.extraRecords());
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch joined = new CountDownLatch(1);
        Thread live = new Thread(() -> stayInGroup(run.controlPlane.resolveConsumerBootstrap(), stop, joined), "live-msk-consumer");
        live.start();
        try {
            run.report.step("A member of msk-consumer stays connected to the secondary", () -> joined.await(60, TimeUnit.SECONDS));
            var waited = run.report.step("Start the failback (consumerDrainSeconds " + DRAIN_SECONDS + ")",
                    () -> run.controlPlane.runFailback("failback-drill", input -> {
                        input.withObjectProperty("timeouts").put("consumerDrainSeconds", DRAIN_SECONDS);
                        return input;
                    }));
            run.report.execution("Failback (consumer still live)", waited);
            run.report.expect("the drain waited and timed out naming the group and its live member", !waited.succeeded()
                    && waited.timesEntered("CheckSecondaryConsumersDrained") > 1
                    && run.lastNotification().contains("group msk-consumer still has 1 active member"), run.lastNotification());
            run.report.expect("no consumer alias moved (producers did, as the blog orders it)",
                    "secondary".equals(run.controlPlane.aliasTarget(LocalControlPlane.CONSUMER_ALIAS)), run.controlPlane.aliasTargets());
        } finally {
            stop.set(true);
            live.join(30_000);
        }
        var rerun = run.report.step("Stop that consumer; start the failback again with the same input",
                () -> run.controlPlane.runFailback("failback-drill-rerun", input -> input));
        run.report.execution("Failback (re-run)", rerun);
        run.failbackSucceeded(rerun);
        run.finish();
    }

    /** A consumer that has read everything and stays in the group, polling, until told to stop. */
    private static void stayInGroup(String bootstrapServers, AtomicBoolean stop, CountDownLatch joined) {
        try (KafkaConsumer<String, String> consumer = new KafkaClients(bootstrapServers).consumer(DrillRun.GROUP, Map.of())) {
            consumer.subscribe(List.of(DrillRun.TOPIC));
            while (!stop.get()) {
                if (!consumer.poll(Duration.ofMillis(200)).isEmpty()) {
                    consumer.commitSync();
                }
                if (!consumer.assignment().isEmpty()) {
                    joined.countDown();
                }
            }
        }
    }
}
