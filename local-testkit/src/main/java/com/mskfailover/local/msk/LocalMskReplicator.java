package com.mskfailover.local.msk;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local stand-in for an MSK Replicator with identical topic names, behaving as the MSK Developer Guide documents
 * it (and no more): it copies the chosen topics from the source cluster to the same topic and partition of the
 * target, adding the header {@value #HEADER} (an identifier of the source cluster and topic) to every copy; it does
 * not copy records that carry that header (they came from the other cluster of the pair: no loop); it is
 * at-least-once (its source position is committed after the copies are acknowledged, so a crash copies again);
 * and it optionally synchronises consumer group offsets in the LEGACY way: translated through the copies it made
 * (never past the copy of the last record read), only onto a group that has no member on the target, never
 * backwards, and only while producers write to the source and not to the target (a target partition that received
 * records other than its copies is left alone).
 *
 * <p>Like an MSK Replicator it is CREATING for a while ({@link LocalCloudWatch.Timing#creating}) before it copies
 * anything, then RUNNING; and it publishes its MessageLag the way CloudWatch gives it
 * ({@link LocalCloudWatch}: sampled a few times per period, the Maximum per period, readable late). A reader of that
 * figure goes through it, never through a live number ({@link #messageLag()} is the test's own view of the truth).
 *
 * <p>Its own position is the consumer group {@code mskr-<name>} on the source. One thread; {@link #close()} stops it.
 */
public final class LocalMskReplicator implements AutoCloseable {

    public static final String HEADER = "__mskmr";

    public enum StartingPosition { EARLIEST, LATEST }

    /**
     * @param groups          consumer groups whose offsets are synchronised (empty: offset sync off)
     */
    public record Config(String name, String sourceBootstrapServers, String targetBootstrapServers, List<String> topics,
                         StartingPosition startingPosition, List<String> groups) {
        public Config {
            topics = List.copyOf(topics);
            groups = List.copyOf(groups);
        }
    }

    private final Config config;
    private final LocalCloudWatch metrics;
    private final long createdAtNanos = System.nanoTime();
    private final Thread thread;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Admin source;
    private final Admin target;
    private final byte[] headerValue;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private final AtomicLong copied = new AtomicLong();
    /** ReplicatorThroughput's last sample (the copying thread's alone). */
    private long lastSampleNanos = System.nanoTime();
    private long copiedAtLastSample;
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong syncRounds = new AtomicLong();
    /** Record timestamp to acknowledged copy, of the last record copied, in ms; -1 before the first. */
    private volatile long lastLatencyMillis = -1;
    /** Per source partition: source offset -> target offset of its copy (the offset mapping). */
    private final Map<TopicPartition, TreeMap<Long, Long>> mapping = new ConcurrentHashMap<>();
    /** Per target partition: the offset after the last copy this replicator wrote. */
    private final Map<TopicPartition, Long> afterLastCopy = new ConcurrentHashMap<>();
    /** Target partitions that received a record other than its copies since it began copying: LEGACY sync leaves them alone. */
    private final java.util.Set<TopicPartition> writtenByOthers = ConcurrentHashMap.newKeySet();

    private LocalMskReplicator(Config config, LocalCloudWatch metrics) {
        this.config = config;
        this.metrics = metrics;
        this.source = admin(config.sourceBootstrapServers());
        this.target = admin(config.targetBootstrapServers());
        Map<String, Object> consumerConfig = new HashMap<>();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.sourceBootstrapServers());
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, positionGroup());
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.startingPosition() == StartingPosition.EARLIEST ? "earliest" : "latest");
        this.consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> producerConfig = new HashMap<>();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.targetBootstrapServers());
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        this.producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        this.headerValue = ("local-msk-replicator:" + config.name()).getBytes(StandardCharsets.UTF_8);
        this.thread = new Thread(this::run, "local-msk-replicator-" + config.name());
        this.thread.setDaemon(true);
    }

    /**
     * Creates the replicator: CREATING for {@code metrics}' creation time, then it creates missing target topics (same
     * partition count) and copies, publishing its figures to {@code metrics}.
     */
    public static LocalMskReplicator start(Config config, LocalCloudWatch metrics) {
        LocalMskReplicator replicator = new LocalMskReplicator(config, metrics);
        replicator.thread.start();
        return replicator;
    }

    /** CREATING, RUNNING, FAILED (see {@link #failure()}) or DELETED, as DescribeReplicator would say. */
    public String state() {
        if (failure != null) {
            return "FAILED";
        }
        if (!running || !thread.isAlive()) {
            return "DELETED";
        }
        return creating() ? "CREATING" : "RUNNING";
    }

    private boolean creating() {
        return System.nanoTime() - createdAtNanos < metrics.timing().creating().toNanos();
    }

    /** The CloudWatch stand-in it publishes to. */
    public LocalCloudWatch metrics() {
        return metrics;
    }

    public String name() {
        return config.name();
    }

    public boolean running() {
        return running && thread.isAlive() && failure == null;
    }

    /** Why the replicator stopped by itself, if it did. */
    public Throwable failure() {
        return failure;
    }

    public long copiedRecords() {
        return copied.get();
    }

    /** ReplicationLatency: from a record's timestamp to its acknowledged copy, for the last record copied (ms; -1 before any). */
    public long replicationLatencyMillis() {
        return lastLatencyMillis;
    }

    /** Why it stopped by itself, as text; empty while it runs or after close(). */
    public String failureText() {
        Throwable failure = this.failure;
        return failure == null ? "" : failure.toString();
    }

    /** Offset sync rounds completed (LEGACY sync on): a test waits for rounds, not for time. */
    public long syncRounds() {
        return syncRounds.get();
    }

    /** Records not copied because they carry {@value #HEADER}. */
    public long skippedRecords() {
        return skipped.get();
    }

    /**
     * MessageLag: records of the source not yet copied (or skipped), from the source's log end offsets and this
     * replicator's committed position (the whole partition before its first commit).
     */
    public long messageLag() {
        try {
            List<TopicPartition> partitions = partitions(source);
            Map<TopicPartition, OffsetAndMetadata> committed = source.listConsumerGroupOffsets(positionGroup())
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, Long> ends = offsets(source, partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> starts = offsets(source, partitions, OffsetSpec.earliest());
            long lag = 0;
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata position = committed.get(partition);
                lag += ends.get(partition) - (position == null ? starts.get(partition) : position.offset());
            }
            return lag;
        } catch (Exception e) {
            throw new IllegalStateException("reading the lag of local MSK Replicator " + config.name() + ": " + e, e);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        source.close();
        target.close();
    }

    private String positionGroup() {
        return "mskr-" + config.name();
    }

    private void run() {
        try {
            while (running && creating()) {
                // CREATING: MSK provisions the replicator before it reads anything
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            List<TopicPartition> partitions = untilAnswered(() -> partitions(source));
            untilAnswered(() -> {
                createMissingTopics();
                return null;
            });
            consumer.assign(partitions);
            // Where each partition starts (its committed position, else the starting position): a failure before the
            // first commit goes back there.
            Map<TopicPartition, Long> committed = new HashMap<>();
            for (TopicPartition partition : partitions) {
                committed.put(partition, untilAnswered(() -> consumer.position(partition, Duration.ofSeconds(10))));
            }
            long nextSync = 0;
            long nextSample = 0;
            while (running) {
                try {
                    copyOnce(committed);
                    if (System.nanoTime() >= nextSample) {
                        publishFigures();
                        nextSample = System.nanoTime() + metrics.timing().sampleEvery().toNanos();
                    }
                    if (!config.groups().isEmpty() && System.nanoTime() >= nextSync) {
                        syncGroupOffsets();
                        syncRounds.incrementAndGet();
                        nextSync = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (Exception e) {
                    // A cluster away (a Region outage): at-least-once, so start again from the last committed position.
                    if (!running) {
                        break;
                    }
                    committed.forEach(consumer::seek);
                    consumer.poll(Duration.ofMillis(500)); // the wait before the next attempt, on the consumer's own clock
                    committed.forEach(consumer::seek);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            running = false;
            consumer.close(Duration.ofSeconds(5));
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** One poll: copies what it got (skipping records of the other cluster), then commits its position. */
    private void copyOnce(Map<TopicPartition, Long> committed) throws Exception {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> sent = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            if (record.headers().lastHeader(HEADER) != null) {
                skipped.incrementAndGet();
                continue;
            }
            RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            headers.add(HEADER, headerValue);
            sends.add(producer.send(new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(),
                    record.key(), record.value(), headers)));
            sent.add(record);
        }
        producer.flush();
        for (int i = 0; i < sends.size(); i++) {
            RecordMetadata metadata = sends.get(i).get(30, TimeUnit.SECONDS);
            ConsumerRecord<byte[], byte[]> record = sent.get(i);
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            mapping.computeIfAbsent(partition, ignored -> new TreeMap<>()).put(record.offset(), metadata.offset());
            Long previousEnd = afterLastCopy.get(partition);
            if (previousEnd != null && metadata.offset() > previousEnd) {
                // Something else was written there between two of its copies: producers write to the target.
                writtenByOthers.add(partition);
            }
            afterLastCopy.merge(partition, metadata.offset() + 1, Math::max);
            copied.incrementAndGet();
            lastLatencyMillis = Math.max(0, System.currentTimeMillis() - record.timestamp());
        }
        // At-least-once: the position is committed only after its copies are acknowledged.
        Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            positions.put(partition, new OffsetAndMetadata(consumer.position(partition, Duration.ofSeconds(10))));
        }
        consumer.commitSync(positions, Duration.ofSeconds(10));
        positions.forEach((partition, position) -> committed.put(partition, position.offset()));
    }

    /**
     * One sample of MessageLag and of ReplicatorThroughput (records/s here, bytes/s in AWS: what moved since the
     * last sample, 0 on a quiet flow), into the current period's Maximum.
     */
    private void publishFigures() {
        metrics.sample(config.name(), "MessageLag", messageLag());
        long now = System.nanoTime();
        long copiedNow = copied.get();
        double seconds = Math.max(0.001, (now - lastSampleNanos) / 1e9);
        metrics.sample(config.name(), "ReplicatorThroughput", (copiedNow - copiedAtLastSample) / seconds);
        lastSampleNanos = now;
        copiedAtLastSample = copiedNow;
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    /** Retries a call until the cluster answers (or the replicator is closed). */
    private <T> T untilAnswered(Call<T> call) throws Exception {
        while (true) {
            try {
                return call.call();
            } catch (ExecutionException | org.apache.kafka.common.errors.TimeoutException | java.util.concurrent.TimeoutException e) {
                if (!running) {
                    throw e;
                }
            }
        }
    }

    /** LEGACY offset sync, as documented; see the class comment. */
    private void syncGroupOffsets() throws Exception {
        List<TopicPartition> partitions = new ArrayList<>(mapping.keySet());
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> targetEnds = offsets(target, partitions, OffsetSpec.latest());
        for (String group : config.groups()) {
            if (hasMembers(group)) {
                continue;
            }
            Map<TopicPartition, OffsetAndMetadata> onSource = source.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> onTarget = target.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> sync = new HashMap<>();
            onSource.forEach((partition, committed) -> {
                TreeMap<Long, Long> copies = mapping.get(partition);
                Long lastCopyEnd = afterLastCopy.get(partition);
                if (committed == null || copies == null || lastCopyEnd == null || !lastCopyEnd.equals(targetEnds.get(partition))
                        || writtenByOthers.contains(partition)) {
                    return; // nothing known, or producers write to the target: LEGACY sync stops
                }
                Map.Entry<Long, Long> lastRead = copies.lowerEntry(committed.offset());
                if (lastRead == null) {
                    return;
                }
                long translated = lastRead.getValue() + 1;
                OffsetAndMetadata current = onTarget.get(partition);
                if (current == null || current.offset() < translated) {
                    sync.put(partition, new OffsetAndMetadata(translated));
                }
            });
            if (!sync.isEmpty()) {
                try {
                    target.alterConsumerGroupOffsets(group, sync).all().get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // a consumer joined meanwhile: the next round decides again
                }
            }
        }
    }

    private boolean hasMembers(String group) throws Exception {
        try {
            ConsumerGroupDescription description = target.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(10, TimeUnit.SECONDS);
            return !description.members().isEmpty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return false;
            }
            throw e;
        }
    }

    private void createMissingTopics() throws Exception {
        Map<String, TopicDescription> descriptions = source.describeTopics(config.topics()).allTopicNames().get(10, TimeUnit.SECONDS);
        for (TopicDescription description : descriptions.values()) {
            try {
                target.createTopics(List.of(new NewTopic(description.name(), description.partitions().size(), (short) -1)))
                        .all().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    private List<TopicPartition> partitions(Admin admin) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        admin.describeTopics(config.topics()).allTopicNames().get(10, TimeUnit.SECONDS).values().forEach(description ->
                description.partitions().forEach(info -> partitions.add(new TopicPartition(description.name(), info.partition()))));
        return partitions;
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, Collection<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(partition -> request.put(partition, spec));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    private static Admin admin(String bootstrapServers) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
    }
}
