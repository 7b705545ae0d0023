package com.mskfailover.replicator;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads back, off the copy path, what the offset translation cannot learn from the copier:
 * <ul>
 *   <li>after a (re)start, the last {@link #WINDOW} offsets of each target partition (every copy names its
 *       source offset in its provenance header) and the last {@link #WINDOW} source records before the
 *       copier's starting point (copies of target records name their original), so commits made before
 *       the restart translate exactly;</li>
 *   <li>offsets between two known ones that this replicator did not write (another producer's records,
 *       aborted transactions): records of unknown origin count as unread, empty offsets do not.</li>
 * </ul>
 * Reads with {@code read_committed}, as consumers do: markers and aborted records are not records.
 */
final class OffsetRecovery implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetRecovery.class);
    /** Offsets read back per partition after a start: commits older than this translate conservatively. */
    static final long WINDOW = 10_000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration IDLE = Duration.ofMillis(200);

    private final ReplicatorConfig config;
    private final String sourceClusterId;
    private final String targetClusterId;
    private final OffsetTranslation translation;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile KafkaConsumer<byte[], byte[]> targetReader;
    private volatile KafkaConsumer<byte[], byte[]> sourceReader;

    OffsetRecovery(ReplicatorConfig config, String sourceClusterId, String targetClusterId, OffsetTranslation translation) {
        this.config = config;
        this.sourceClusterId = sourceClusterId;
        this.targetClusterId = targetClusterId;
        this.translation = translation;
    }

    @Override
    public void run() {
        try (KafkaConsumer<byte[], byte[]> target = reader(config.targetClientProperties(), "target");
             KafkaConsumer<byte[], byte[]> source = reader(config.sourceClientProperties(), "source")) {
            targetReader = target;
            sourceReader = source;
            while (!stopping) {
                boolean worked = false;
                try {
                    Map<TopicPartition, OffsetTranslation.Partition> waiting = translation.awaitingRecovery();
                    if (!waiting.isEmpty()) {
                        recover(waiting, target, source);
                        worked = true;
                    }
                    Map<TopicPartition, long[]> holes = translation.holes();
                    if (!holes.isEmpty()) {
                        Map<TopicPartition, OffsetTranslation.Partition> states = new HashMap<>();
                        holes.keySet().forEach(partition -> {
                            OffsetTranslation.Partition state = translation.state(partition);
                            if (state != null) { // else forgotten meanwhile: its partition moved or went away
                                states.put(partition, state);
                            }
                        });
                        holes.keySet().retainAll(states.keySet());
                        readTarget(target, holes, states);
                        worked = true;
                    }
                } catch (WakeupException e) {
                    break;
                } catch (Exception e) {
                    // A cluster briefly away or a topic not created yet: the next round tries again.
                    LOG.warn("reading back offsets for group offset translation failed, retrying: {}", e.toString());
                    pause(Duration.ofSeconds(2));
                    continue;
                }
                if (!worked) {
                    pause(IDLE);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } finally {
            stopped.countDown();
        }
    }

    void stop() {
        stopping = true;
        stopped.countDown();
        for (KafkaConsumer<byte[], byte[]> reader : new KafkaConsumer[] {targetReader, sourceReader}) {
            if (reader != null) {
                reader.wakeup();
            }
        }
    }

    private void recover(Map<TopicPartition, OffsetTranslation.Partition> waiting, KafkaConsumer<byte[], byte[]> target,
                         KafkaConsumer<byte[], byte[]> source) {
        Set<TopicPartition> partitions = waiting.keySet();
        Map<TopicPartition, Long> targetStarts = target.beginningOffsets(partitions);
        Map<TopicPartition, Long> targetEnds = target.endOffsets(partitions); // read_committed: the last stable offset
        Map<TopicPartition, Long> sourceStarts = source.beginningOffsets(partitions);
        Map<TopicPartition, long[]> targetRanges = new HashMap<>();
        Map<TopicPartition, long[]> sourceRanges = new HashMap<>();
        waiting.forEach((partition, state) -> {
            long end = targetEnds.get(partition);
            long windowStart = Math.max(targetStarts.get(partition), end - WINDOW);
            state.offsets.window(windowStart, targetStarts.get(partition));
            targetRanges.put(partition, new long[] {windowStart, end});
            long before = state.recoverBefore;
            sourceRanges.put(partition, new long[] {Math.max(sourceStarts.get(partition), before - WINDOW), before});
        });
        // Copies of target records: their original's place (the copier skips them, so it learns it only live).
        read(source, sourceRanges, record -> Provenance.verifiedHop(record)
                .filter(hop -> hop.clusterId().equals(targetClusterId))
                .ifPresent(hop -> waiting.get(new TopicPartition(record.topic(), record.partition())).offsets
                        .counterpart(record.offset(), hop.offset())));
        Map<TopicPartition, Long> reached = readTarget(target, targetRanges, waiting);
        waiting.forEach((partition, state) -> {
            if (reached.getOrDefault(partition, -1L) >= targetRanges.get(partition)[1]) {
                state.recoverBefore = -1;
                LOG.info("partition {}: group offsets translate from target offset {} on", partition, targetRanges.get(partition)[0]);
            }
        });
    }

    /** Reads target ranges into the states: copies from this source, records of unknown origin, empty offsets. */
    private Map<TopicPartition, Long> readTarget(KafkaConsumer<byte[], byte[]> target, Map<TopicPartition, long[]> ranges,
                                                 Map<TopicPartition, OffsetTranslation.Partition> states) {
        Map<TopicPartition, Long> next = new HashMap<>();
        ranges.forEach((partition, range) -> next.put(partition, range[0]));
        Map<TopicPartition, Long> reached = read(target, ranges, record -> {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            TargetPartitionOffsets offsets = states.get(partition).offsets;
            offsets.noRecords(next.get(partition), record.offset());
            next.put(partition, record.offset() + 1);
            Provenance.verifiedHop(record).filter(hop -> hop.clusterId().equals(sourceClusterId)).ifPresentOrElse(
                    hop -> offsets.counterpart(hop.offset(), record.offset()),
                    () -> offsets.unknownOrigin(record.offset()));
        });
        reached.forEach((partition, position) -> states.get(partition).offsets.noRecords(next.get(partition), position));
        return reached;
    }

    /**
     * Reads [from, to) of each partition, handing every record in it over; returns how far each partition got
     * (its consumer position, past markers and aborted records, at most {@code to}).
     */
    private Map<TopicPartition, Long> read(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, long[]> ranges,
                                           Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Map<TopicPartition, Long> reached = new HashMap<>();
        Set<TopicPartition> open = new HashSet<>();
        ranges.forEach((partition, range) -> {
            if (range[0] < range[1]) {
                open.add(partition);
            } else {
                reached.put(partition, range[1]);
            }
        });
        if (open.isEmpty()) {
            return reached;
        }
        consumer.assign(open);
        // assign() keeps the state of a partition assigned before, paused included (the end of the last read).
        consumer.resume(open);
        open.forEach(partition -> consumer.seek(partition, ranges.get(partition)[0]));
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline && !stopping) {
            var records = consumer.poll(Duration.ofMillis(100));
            for (TopicPartition partition : records.partitions()) {
                for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                    if (record.offset() < ranges.get(partition)[1]) {
                        each.accept(record);
                    }
                }
            }
            for (TopicPartition partition : Set.copyOf(open)) {
                if (consumer.position(partition) >= ranges.get(partition)[1]) {
                    open.remove(partition);
                    consumer.pause(Set.of(partition));
                }
            }
        }
        for (TopicPartition partition : ranges.keySet()) {
            if (!reached.containsKey(partition)) {
                reached.put(partition, Math.min(consumer.position(partition), ranges.get(partition)[1]));
            }
        }
        consumer.pause(consumer.assignment()); // the next read assigns its own partitions
        return reached;
    }

    private void pause(Duration duration) {
        try {
            // Returns at once on stop(): a back-off, not a synchronisation.
            stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    private KafkaConsumer<byte[], byte[]> reader(Map<String, Object> clientProperties, String side) {
        Map<String, Object> consumer = new HashMap<>();
        // Small fetches: this runs beside the copier and must not take its heap.
        consumer.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1024 * 1024);
        consumer.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * 1024 * 1024);
        consumer.putAll(clientProperties);
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, config.replicatorName() + "-offsets-" + side);
        consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(consumer);
    }
}
