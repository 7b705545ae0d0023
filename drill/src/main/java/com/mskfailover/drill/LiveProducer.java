package com.mskfailover.drill;

import com.mskfailover.local.kafka.KafkaClients;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A producer as applications run one: it resolves its bootstrap servers when it (re)starts and keeps that connection,
 * writing {@link #PER_TICK} numbered records ({@code message N}, N from a counter all producers share) every
 * {@link #PACE}; each one is acknowledged (acks=all, idempotent) or, past the delivery timeout, counted as failed
 * before the next tick. A failed record is the application's to handle (it got an error), never a lost one.
 */
final class LiveProducer implements AutoCloseable {

    static final Duration PACE = Duration.ofMillis(100);
    static final int PER_TICK = 3;
    /** Short enough that a dead cluster costs a few seconds of errors, not Kafka's default two minutes of blocking. */
    private static final Map<String, Object> FAIL_FAST = Map.of(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_500,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000, ProducerConfig.LINGER_MS_CONFIG, 0);

    final String name;
    private final AtomicInteger numbers;
    private volatile Supplier<String> bootstrap;
    private final BitSet acked = new BitSet();
    private final BitSet failed = new BitSet();
    /** When each acknowledgement (or the tick's first) arrived, epoch ms: the pauses are the gaps between them. */
    private final List<Long> ackTimes = new ArrayList<>();
    private final List<String> connections = new ArrayList<>();
    private volatile boolean running = true;
    private volatile boolean restart;
    private final Thread thread;

    LiveProducer(String name, AtomicInteger numbers, Supplier<String> bootstrap) {
        this.name = name;
        this.numbers = numbers;
        this.bootstrap = bootstrap;
        this.thread = new Thread(this::run, "live-producer-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            String servers = bootstrap.get();
            synchronized (this) {
                connections.add(servers);
            }
            KafkaProducer<String, String> producer = new KafkaClients(servers).producer(FAIL_FAST);
            try {
                restart = false;
                while (running && !restart) {
                    long tick = System.nanoTime();
                    tick(producer);
                    LockSupport.parkNanos(PACE.toNanos() - (System.nanoTime() - tick)); // the application's pace, not a synchronization
                }
            } finally {
                producer.close(Duration.ofSeconds(3));
            }
        }
    }

    private void tick(KafkaProducer<String, String> producer) {
        List<Integer> sent = new ArrayList<>();
        List<Future<RecordMetadata>> results = new ArrayList<>();
        for (int i = 0; i < PER_TICK; i++) {
            int number = numbers.incrementAndGet();
            sent.add(number);
            try {
                results.add(producer.send(new ProducerRecord<>(Drill.TOPIC, "customer-" + number, Drill.message(number))));
            } catch (RuntimeException refused) {
                results.add(null); // metadata not available within max.block.ms: the application got an error
            }
        }
        for (int i = 0; i < sent.size(); i++) {
            boolean written;
            try {
                written = results.get(i) != null && results.get(i).get() != null;
            } catch (Exception e) {
                written = false;
            }
            synchronized (this) {
                (written ? acked : failed).set(sent.get(i));
                if (written) {
                    ackTimes.add(System.currentTimeMillis());
                }
            }
        }
    }

    /** Re-resolves the alias (a restart): the next tick writes through a new connection. */
    void restart() {
        restart = true;
    }

    /** From now on it resolves with this instead (e.g. never again: a fixed address). */
    void resolveWith(Supplier<String> bootstrap) {
        this.bootstrap = bootstrap;
    }

    synchronized BitSet acked() {
        return (BitSet) acked.clone();
    }

    synchronized BitSet failed() {
        return (BitSet) failed.clone();
    }

    synchronized int ackedCount() {
        return acked.cardinality();
    }

    /** The bootstrap servers of each connection it made, in order. */
    synchronized List<String> connections() {
        return List.copyOf(connections);
    }

    /**
     * The longest time without an acknowledgement that overlaps [{@code fromMs}, {@code toMs}]: from just after the
     * last record written before the trouble (its first failed or blocked moment) to the first one written after.
     * A pause not over yet counts up to {@code toMs}.
     */
    synchronized long longestPauseMs(long fromMs, long toMs) {
        return LiveTraffic.longestGap(ackTimes, fromMs, toMs);
    }

    /** Stops writing (the last tick ends first: its records are acknowledged or failed). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(Duration.ofSeconds(30));
    }
}
