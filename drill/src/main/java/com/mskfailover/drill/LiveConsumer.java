package com.mskfailover.drill;

import com.mskfailover.local.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * msk-consumer as applications run it: it resolves the consumer alias when it starts, reads, commits after each poll
 * that returned records, and stops cleanly (its last commit made) when told. Every record it reads is kept with the
 * run it was read in ({@link #start(String)} names it), so re-reads can be told apart by phase.
 */
final class LiveConsumer {

    /** One record read: its number, the run that read it, when (epoch ms). */
    record Read(int number, String run, long atMs) {
    }

    private final Supplier<String> bootstrap;
    private final List<Read> reads = new ArrayList<>();
    private final List<String> failedCommits = new ArrayList<>();
    private volatile boolean running;
    private Thread thread;

    LiveConsumer(Supplier<String> bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** Starts a run named {@code run}: resolves the alias now and reads until stopped. */
    synchronized void start(String run) {
        if (thread != null) {
            throw new IllegalStateException("msk-consumer is running already");
        }
        running = true;
        String servers = bootstrap.get();
        thread = new Thread(() -> read(servers, run), "live-msk-consumer-" + run);
        thread.setDaemon(true);
        thread.start();
    }

    private void read(String servers, String run) {
        KafkaConsumer<String, String> consumer = new KafkaClients(servers).consumer(Drill.GROUP, Map.of());
        try {
            consumer.subscribe(List.of(Drill.TOPIC));
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                long now = System.currentTimeMillis();
                synchronized (this) {
                    for (ConsumerRecord<String, String> record : records) {
                        reads.add(new Read(Tally.numberOf(record.value()), run, now));
                    }
                }
                if (!records.isEmpty()) {
                    commit(consumer, run);
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(2)); // a dead coordinator must not hold the stop for Kafka's default 30 s
        }
    }

    /** A commit that fails (the cluster died under it) is the application's to log: what it read since is read again. */
    private void commit(KafkaConsumer<String, String> consumer, String run) {
        try {
            consumer.commitSync(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            synchronized (this) {
                failedCommits.add(run + ": " + e.getClass().getSimpleName());
            }
        }
    }

    /** Stops the run: its thread ends after its last poll and commit. */
    void stop() throws InterruptedException {
        Thread running;
        synchronized (this) {
            running = thread;
            thread = null;
        }
        if (running != null) {
            this.running = false;
            running.join(Duration.ofSeconds(30));
        }
    }

    synchronized boolean isRunning() {
        return thread != null;
    }

    synchronized List<Read> reads() {
        return List.copyOf(reads);
    }

    synchronized List<String> failedCommits() {
        return List.copyOf(failedCommits);
    }

    /** The longest time without a record read that overlaps [{@code fromMs}, {@code toMs}] (records arrive every 100 ms). */
    synchronized long longestPauseMs(long fromMs, long toMs) {
        return LiveTraffic.longestGap(reads.stream().map(Read::atMs).toList(), fromMs, toMs);
    }
}
