package com.mskfailover.orchestrator.kafka;

import com.mskfailover.contract.CopyHeaders;
import com.mskfailover.orchestrator.domain.DependencyFailedException;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.TransientDependencyException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidMetadataException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@link KafkaInspector} on Kafka's Admin client: the same code in AWS (IAM auth) and locally (plaintext). Each
 * operation, all its requests together, is bounded by {@link #CALL_TIMEOUT}, well inside the functions' timeout. A
 * broker that refuses the credentials (SASL/IAM authentication) or the permissions (authorization) has answered:
 * the probe says REFUSED, never unreachable, and other calls fail for good (retrying does not fix a policy).
 */
public final class KafkaAdminInspector implements KafkaInspector {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private final Function<String, Map<String, Object>> clientConfig;

    /** @param kafkaAuth {@code iam} or {@code none}, as replicator-task's SOURCE_AUTH/TARGET_AUTH */
    public KafkaAdminInspector(String kafkaAuth) {
        this(bootstrap -> clientConfig(bootstrap, kafkaAuth));
    }

    public KafkaAdminInspector(Function<String, Map<String, Object>> clientConfig) {
        this.clientConfig = clientConfig;
    }

    /** Admin client settings for a bootstrap string and an auth mode. */
    public static Map<String, Object> clientConfig(String bootstrapServers, String kafkaAuth) {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        switch (kafkaAuth) {
            case "iam" -> {
                config.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
                config.put("sasl.mechanism", "AWS_MSK_IAM");
                config.put("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;");
                config.put("sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
            }
            case "none" -> { }
            default -> throw new IllegalStateException("KAFKA_AUTH must be iam or none, not " + kafkaAuth);
        }
        return config;
    }

    /** Client settings whose every request ends within {@code millis}. */
    private Map<String, Object> boundedConfig(String bootstrapServers, int millis) {
        Map<String, Object> config = clientConfig.apply(bootstrapServers);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        // Without a cap, an unreachable bootstrap makes the client back off for up to a second between tries.
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        return config;
    }

    @Override
    public ProbeResult probe(String bootstrapServers, Duration timeout) {
        int millis = (int) Math.max(1_000, timeout.toMillis());
        Map<String, Object> config = boundedConfig(bootstrapServers, millis);
        long started = System.nanoTime();
        try (Admin admin = Admin.create(config)) {
            // Created first all the same: SnapStart's priming runs this path against an address that refuses.
            Optional<String> noConnection = BootstrapConnections.noneAccepts(String.valueOf(config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)),
                    Duration.ofMillis(millis));
            if (noConnection.isPresent()) {
                return new ProbeResult(false, noConnection.get());
            }
            // One request, both answers: the probe as a whole stays within the timeout.
            DescribeClusterResult cluster = admin.describeCluster();
            String clusterId = cluster.clusterId().get(Math.max(1, millis - Duration.ofNanos(System.nanoTime() - started).toMillis()),
                    TimeUnit.MILLISECONDS);
            long left = Math.max(1, millis - Duration.ofNanos(System.nanoTime() - started).toMillis());
            int brokers = cluster.nodes().get(left, TimeUnit.MILLISECONDS).size();
            return new ProbeResult(true, "cluster id " + clusterId + ", " + brokers + " brokers, answered in "
                    + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
        } catch (TimeoutException e) {
            return new ProbeResult(false, "no answer within " + millis + " ms");
        } catch (ExecutionException e) {
            if (isRefusal(e.getCause())) {
                return new ProbeResult(ProbeResult.Outcome.REFUSED, "the brokers answered but refused the orchestrator: "
                        + e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage() + ". " + FIX);
            }
            return new ProbeResult(false, e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProbeResult(false, "interrupted");
        } catch (RuntimeException e) {
            return new ProbeResult(false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @Override
    public CanaryWrite writeCanary(String bootstrapServers, String topic, Duration timeout) {
        int millis = (int) Math.max(1_000, timeout.toMillis());
        Map<String, Object> config = boundedConfig(bootstrapServers, millis);
        long started = System.nanoTime();
        try {
            int partitions;
            try (Admin admin = Admin.create(config)) {
                partitions = canaryPartitions(admin, topic, millis);
            }
            Map<String, Object> producerConfig = new HashMap<>(config);
            producerConfig.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
            producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
            // No retry of its own: one would hide NOT_ENOUGH_REPLICAS behind a delivery timeout (writeOnce retries stale metadata).
            producerConfig.put(ProducerConfig.RETRIES_CONFIG, 0);
            producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis);
            producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
                byte[] value = ("canary " + java.time.Instant.now()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                long deadline = started + Duration.ofMillis(2L * millis).toNanos();
                for (int partition = 0; partition < partitions; partition++) {
                    Optional<String> failure = writeOnce(producer, new ProducerRecord<>(topic, partition, null, value), deadline);
                    if (failure.isPresent()) {
                        return new CanaryWrite(CanaryWrite.Outcome.NOT_WRITTEN, "partition " + topic + "-" + partition + " " + failure.get());
                    }
                }
            }
            return new CanaryWrite(CanaryWrite.Outcome.WRITTEN, "wrote " + partitions + " partition(s) of " + topic + " with acks=all in "
                    + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
        } catch (ExecutionException e) {
            if (isRefusal(e.getCause())) {
                return new CanaryWrite(CanaryWrite.Outcome.REFUSED, "the brokers answered but refused the canary: "
                        + e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage() + ". " + FIX);
            }
            return new CanaryWrite(CanaryWrite.Outcome.NOT_WRITTEN, e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            return new CanaryWrite(CanaryWrite.Outcome.NOT_WRITTEN, "no answer within " + millis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new CanaryWrite(CanaryWrite.Outcome.NOT_WRITTEN, "interrupted");
        } catch (RuntimeException e) {
            if (isRefusal(e)) {
                return new CanaryWrite(CanaryWrite.Outcome.REFUSED, "the brokers answered but refused the canary: " + e + ". " + FIX);
            }
            return new CanaryWrite(CanaryWrite.Outcome.NOT_WRITTEN, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * One acks=all write, empty when acknowledged. Stale metadata (a leader that moved, a topic just created) is
     * sent again while time is left, as the producer's own retries would; any other refusal, NOT_ENOUGH_REPLICAS
     * first, is the answer, not hidden behind a delivery timeout.
     */
    private static Optional<String> writeOnce(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record, long deadline)
            throws ExecutionException, InterruptedException {
        while (true) {
            long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
            try {
                producer.send(record).get(Math.max(1, left), TimeUnit.MILLISECONDS);
                return Optional.empty();
            } catch (ExecutionException e) {
                if (isRefusal(e.getCause())) {
                    throw e;
                }
                if (!(e.getCause() instanceof InvalidMetadataException) || System.nanoTime() >= deadline) {
                    return Optional.of("refused an acks=all write: " + e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage());
                }
            } catch (TimeoutException e) {
                return Optional.of("did not acknowledge an acks=all write in time");
            }
        }
    }

    /**
     * The canary topic's partition count, creating it if missing: one partition per broker so that its leaders spread
     * over the brokers, and the cluster's default replication factor and min.insync.replicas, those of the topics
     * created without their own.
     */
    private static int canaryPartitions(Admin admin, String topic, int millis) throws ExecutionException, InterruptedException, TimeoutException {
        try {
            return admin.describeTopics(Set.of(topic)).allTopicNames().get(millis, TimeUnit.MILLISECONDS).get(topic).partitions().size();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw e;
            }
        }
        int brokers = admin.describeCluster().nodes().get(millis, TimeUnit.MILLISECONDS).size();
        try {
            admin.createTopics(Set.of(new NewTopic(topic, Optional.of(brokers), Optional.empty())
                    .configs(Map.of("retention.ms", String.valueOf(Duration.ofHours(1).toMillis()))))).all().get(millis, TimeUnit.MILLISECONDS);
            // Not described again: a broker may not know the new topic yet; the writes retry until it does.
            return brokers;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        return admin.describeTopics(Set.of(topic)).allTopicNames().get(millis, TimeUnit.MILLISECONDS).get(topic).partitions().size();
    }

    /** What to do about a refusal: it names the two settings that decide what the brokers see. */
    private static final String FIX = "Check the function role's kafka-cluster permissions on this cluster (template.yaml) "
            + "and KAFKA_AUTH (the KafkaAuth parameter: iam for MSK's port 9098)";

    /** Authentication (SASL/IAM, TLS) or authorization refused: the brokers are there, the credentials or policy are wrong. */
    static boolean isRefusal(Throwable error) {
        return error instanceof AuthenticationException || error instanceof AuthorizationException;
    }

    @Override
    public Set<String> missingTopics(String bootstrapServers, Collection<String> topics) {
        return call(bootstrapServers, "listing topics", (admin, left) -> {
            Set<String> existing = admin.listTopics().names().get(left.millis(), TimeUnit.MILLISECONDS);
            Set<String> missing = new LinkedHashSet<>(topics);
            missing.removeAll(existing);
            return missing;
        });
    }

    @Override
    public GroupLag groupLag(String bootstrapServers, String groupId, Collection<String> topics) {
        return call(bootstrapServers, "computing the lag of group " + groupId, (admin, left) -> {
            Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
                    .get(left.millis(), TimeUnit.MILLISECONDS);
            Set<TopicPartition> partitions = descriptions.values().stream()
                    .flatMap(description -> description.partitions().stream()
                            .map(info -> new TopicPartition(description.name(), info.partition())))
                    .collect(Collectors.toSet());
            Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest(), left);
            Map<TopicPartition, Long> starts = offsets(admin, partitions, OffsetSpec.earliest(), left);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(left.millis(), TimeUnit.MILLISECONDS);
            long total = 0;
            int withoutCommit = 0;
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = committed.get(partition);
                long end = ends.get(partition);
                if (offset == null) {
                    withoutCommit++;
                    total += end - starts.get(partition);
                } else {
                    total += Math.max(0, end - offset.offset());
                }
            }
            return new GroupLag(groupId, total, partitions.size(), withoutCommit);
        });
    }

    @Override
    public java.util.List<String> activeMembers(String bootstrapServers, String groupId) {
        return call(bootstrapServers, "describing group " + groupId, (admin, left) -> {
            try {
                var description = admin.describeConsumerGroups(java.util.List.of(groupId)).describedGroups().get(groupId)
                        .get(left.millis(), TimeUnit.MILLISECONDS);
                return description.members().stream().map(member -> member.clientId() + "@" + member.host()).sorted().toList();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
                    return java.util.List.<String>of();
                }
                throw e;
            }
        });
    }

    @Override
    public Map<String, java.util.List<String>> activeMembers(String bootstrapServers, Collection<String> groupIds) {
        if (groupIds.isEmpty()) {
            return Map.of();
        }
        return call(bootstrapServers, "describing groups " + groupIds, (admin, left) -> {
            var described = admin.describeConsumerGroups(groupIds).describedGroups();
            Map<String, java.util.List<String>> byGroup = new java.util.LinkedHashMap<>();
            for (String group : groupIds) {
                try {
                    byGroup.put(group, described.get(group).get(left.millis(), TimeUnit.MILLISECONDS).members().stream()
                            .map(member -> member.clientId() + "@" + member.host()).sorted().toList());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
                        throw e;
                    }
                    byGroup.put(group, java.util.List.of());
                }
            }
            return byGroup;
        });
    }

    @Override
    public Map<String, Map<String, CommittedOffset>> committedOffsets(String bootstrapServers, Collection<String> groupIds, Collection<String> topics) {
        if (groupIds.isEmpty()) {
            return Map.of();
        }
        return call(bootstrapServers, "reading the offsets of groups " + groupIds, (admin, left) -> {
            Map<String, ListConsumerGroupOffsetsSpec> specs = new java.util.LinkedHashMap<>();
            groupIds.forEach(group -> specs.put(group, new ListConsumerGroupOffsetsSpec()));
            Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = admin.listConsumerGroupOffsets(specs).all()
                    .get(left.millis(), TimeUnit.MILLISECONDS);
            Map<String, Map<String, CommittedOffset>> byGroup = new java.util.LinkedHashMap<>();
            for (String group : groupIds) {
                Map<String, CommittedOffset> offsets = new java.util.TreeMap<>();
                committed.getOrDefault(group, Map.of()).forEach((partition, offset) -> {
                    if (offset != null && topics.contains(partition.topic())) {
                        offsets.put(partition.toString(), new CommittedOffset(offset.offset(), offset.metadata()));
                    }
                });
                byGroup.put(group, offsets);
            }
            return byGroup;
        });
    }

    @Override
    public Map<String, CommittedOffset> committedOffsets(String bootstrapServers, String groupId, Collection<String> topics) {
        return call(bootstrapServers, "reading the offsets of group " + groupId, (admin, left) -> {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(left.millis(), TimeUnit.MILLISECONDS);
            Map<String, CommittedOffset> offsets = new java.util.TreeMap<>();
            committed.forEach((partition, offset) -> {
                if (offset != null && topics.contains(partition.topic())) {
                    offsets.put(partition.toString(), new CommittedOffset(offset.offset(), offset.metadata()));
                }
            });
            return offsets;
        });
    }

    @Override
    public Set<String> topicNames(String bootstrapServers) {
        return call(bootstrapServers, "listing topics", (admin, left) -> new java.util.TreeSet<>(admin.listTopics().names().get(left.millis(), TimeUnit.MILLISECONDS)));
    }

    @Override
    public Map<String, Map<String, CommittedOffset>> groupsCommittedOn(String bootstrapServers, Collection<String> topics) {
        return call(bootstrapServers, "listing the consumer groups' offsets on " + topics, (admin, left) -> {
            Map<String, ListConsumerGroupOffsetsSpec> everyGroup = new HashMap<>();
            admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get(left.millis(), TimeUnit.MILLISECONDS)
                    .forEach(group -> everyGroup.put(group.groupId(), new ListConsumerGroupOffsetsSpec()));
            Map<String, Map<String, CommittedOffset>> byGroup = new java.util.TreeMap<>();
            if (everyGroup.isEmpty()) {
                return byGroup;
            }
            admin.listConsumerGroupOffsets(everyGroup).all().get(left.millis(), TimeUnit.MILLISECONDS).forEach((group, committed) -> {
                Map<String, CommittedOffset> offsets = new java.util.TreeMap<>();
                committed.forEach((partition, offset) -> {
                    if (offset != null && topics.contains(partition.topic())) {
                        offsets.put(partition.toString(), new CommittedOffset(offset.offset(), offset.metadata()));
                    }
                });
                if (!offsets.isEmpty()) {
                    byGroup.put(group, offsets);
                }
            });
            return byGroup;
        });
    }

    @Override
    public Map<String, OffsetRange> offsetRanges(String bootstrapServers, Collection<String> topics) {
        return call(bootstrapServers, "reading the offsets of topics " + topics, (admin, left) -> {
            Set<TopicPartition> partitions = admin.describeTopics(topics).allTopicNames().get(left.millis(), TimeUnit.MILLISECONDS)
                    .values().stream()
                    .flatMap(description -> description.partitions().stream().map(info -> new TopicPartition(description.name(), info.partition())))
                    .collect(Collectors.toSet());
            Map<TopicPartition, Long> starts = offsets(admin, partitions, OffsetSpec.earliest(), left);
            Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest(), left);
            Map<String, OffsetRange> ranges = new java.util.TreeMap<>();
            partitions.forEach(partition -> ranges.put(partition.toString(), new OffsetRange(starts.get(partition), ends.get(partition))));
            return ranges;
        });
    }

    @Override
    public java.util.List<RecordFingerprint> fingerprints(String bootstrapServers, String partition, long from, long to, int max) {
        return fingerprints(bootstrapServers, Map.of(partition, new OffsetRange(from, to)), max).get(partition);
    }

    @Override
    public Map<String, java.util.List<RecordFingerprint>> fingerprints(String bootstrapServers, Map<String, OffsetRange> ranges, int max) {
        Map<String, java.util.List<RecordFingerprint>> records = new java.util.TreeMap<>();
        Map<TopicPartition, OffsetRange> toRead = new HashMap<>();
        ranges.forEach((partition, range) -> {
            records.put(partition, new java.util.ArrayList<>());
            if (range.logEnd() > range.logStart() && max > 0) {
                toRead.put(partition(partition), range);
            }
        });
        if (toRead.isEmpty()) {
            return records;
        }
        Map<String, Object> config = clientConfig.apply(bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        // Records deleted under the read (retention) must fail it, not move it to the log end as if nothing were left.
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(toRead.keySet());
            toRead.forEach((partition, range) -> consumer.seek(partition, range.logStart()));
            Set<TopicPartition> reading = new java.util.HashSet<>(toRead.keySet());
            while (true) {
                for (TopicPartition partition : java.util.List.copyOf(reading)) {
                    if (consumer.position(partition, Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))) >= toRead.get(partition).logEnd()
                            || records.get(partition.toString()).size() >= max) {
                        reading.remove(partition);
                        consumer.pause(java.util.List.of(partition));
                    }
                }
                if (reading.isEmpty()) {
                    return records;
                }
                if (System.nanoTime() > deadline) {
                    throw new TransientDependencyException("reading " + reading + " of " + ranges + " on " + bootstrapServers + " took longer than "
                            + CALL_TIMEOUT.toSeconds() + " s", null);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    java.util.List<RecordFingerprint> read = records.get(new TopicPartition(record.topic(), record.partition()).toString());
                    if (record.offset() < ranges.get(record.topic() + "-" + record.partition()).logEnd() && read.size() < max) {
                        read.add(new RecordFingerprint(record.offset(), fingerprint(record.key(), record.value(), record.timestamp()),
                                record.headers().lastHeader(CopyHeaders.MSK_REPLICATOR) != null, record.timestamp()));
                    }
                }
            }
        } catch (AuthenticationException | AuthorizationException e) {
            throw new DependencyFailedException("reading " + ranges.keySet() + " on " + bootstrapServers + " was refused: " + e + ". " + FIX, e);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new TransientDependencyException("reading " + ranges.keySet() + " on " + bootstrapServers + " failed: " + e, e);
        }
    }

    @Override
    public WriteScan applicationRecords(String bootstrapServers, String partition, long from, long to, int max) {
        java.util.List<ApplicationRecord> written = new java.util.ArrayList<>();
        long[] copies = {0};
        // read_uncommitted: a replicator's open transaction must not hold the read at the last stable offset.
        long scannedTo = read(bootstrapServers, partition, from, to, max, "read_uncommitted", record -> {
            if (isCopy(record)) {
                copies[0]++;
            } else {
                written.add(new ApplicationRecord(record.offset(), record.timestamp()));
            }
        });
        return new WriteScan(scannedTo, written, copies[0]);
    }

    /** A copy replicator-task made of this very record (its provenance header describes it), or one MSK Replicator wrote. */
    static boolean isCopy(ConsumerRecord<byte[], byte[]> record) {
        var replicatedFrom = record.headers().lastHeader(CopyHeaders.REPLICATED_FROM);
        return record.headers().lastHeader(CopyHeaders.MSK_REPLICATOR) != null
                || replicatedFrom != null && CopyHeaders.describes(replicatedFrom.value(), record.topic(), record.partition(), record.key(),
                record.value(), record.timestamp(), record.timestampType() == org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME);
    }

    @Override
    public java.util.List<ProducerWrite> producers(String bootstrapServers, Collection<String> partitions) {
        return call(bootstrapServers, "describing the producers of " + partitions, (admin, left) -> {
            java.util.List<ProducerWrite> writes = new java.util.ArrayList<>();
            admin.describeProducers(partitions.stream().map(KafkaAdminInspector::partition).toList()).all()
                    .get(left.millis(), TimeUnit.MILLISECONDS)
                    .forEach((partition, state) -> state.activeProducers().forEach(producer ->
                            writes.add(new ProducerWrite(partition.toString(), producer.producerId(), producer.lastTimestamp()))));
            return writes;
        });
    }

    /** Reads {@code [from, to)} of a partition, at most {@code max} records, within {@link #CALL_TIMEOUT}; the offset it stopped at. */
    private long read(String bootstrapServers, String partition, long from, long to, int max, String isolation,
                      java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        if (to <= from || max <= 0) {
            return from;
        }
        Map<String, Object> config = clientConfig.apply(bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        TopicPartition topicPartition = partition(partition);
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        int count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(java.util.List.of(topicPartition));
            consumer.seek(topicPartition, from);
            long position = from;
            while (position < to && count < max) {
                if (System.nanoTime() > deadline) {
                    throw new TransientDependencyException("reading " + partition + " [" + from + ", " + to + ") on " + bootstrapServers
                            + " took longer than " + CALL_TIMEOUT.toSeconds() + " s (" + count + " records read)", null);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() < to && count < max) {
                        each.accept(record);
                        count++;
                        position = record.offset() + 1;
                    }
                }
                if (count < max) {
                    position = Math.max(position, consumer.position(topicPartition, Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
                }
            }
            return Math.min(position, to);
        } catch (AuthenticationException | AuthorizationException e) {
            throw new DependencyFailedException("reading " + partition + " on " + bootstrapServers + " was refused: " + e + ". " + FIX, e);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new TransientDependencyException("reading " + partition + " on " + bootstrapServers + " failed: " + e, e);
        }
    }

    @Override
    public Map<String, Long> firstOffsetsAtOrAfter(String bootstrapServers, Map<String, Long> timestamps) {
        return call(bootstrapServers, "looking up the offsets of times " + timestamps, (admin, left) -> {
            Map<String, Long> offsets = new java.util.TreeMap<>();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            timestamps.forEach((partition, timestamp) -> request.put(partition(partition), OffsetSpec.forTimestamp(timestamp)));
            Map<TopicPartition, Long> ends = offsets(admin, request.keySet(), OffsetSpec.latest(), left);
            admin.listOffsets(request).all().get(left.millis(), TimeUnit.MILLISECONDS).forEach((partition, found) ->
                    // -1: no record at or after that time
                    offsets.put(partition.toString(), found.offset() >= 0 ? found.offset() : ends.get(partition)));
            return offsets;
        });
    }

    @Override
    public void commitOffsets(String bootstrapServers, String groupId, Map<String, CommittedOffset> offsets) {
        call(bootstrapServers, "committing the offsets of group " + groupId, (admin, left) -> {
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            offsets.forEach((partition, offset) -> commits.put(partition(partition), new OffsetAndMetadata(offset.offset(), offset.metadata())));
            admin.alterConsumerGroupOffsets(groupId, commits).all().get(left.millis(), TimeUnit.MILLISECONDS);
            return null;
        });
    }

    /** A digest of what a copy keeps of a record: key, value (each with its length; -1 for null) and timestamp. */
    static long fingerprint(byte[] key, byte[] value, long timestamp) {
        java.util.zip.CRC32C first = new java.util.zip.CRC32C();
        java.util.zip.CRC32 second = new java.util.zip.CRC32();
        for (byte[] bytes : new byte[][] {key, value}) {
            byte[] length = java.nio.ByteBuffer.allocate(Integer.BYTES).putInt(bytes == null ? -1 : bytes.length).array();
            first.update(length);
            second.update(length);
            if (bytes != null) {
                first.update(bytes);
                second.update(bytes);
            }
        }
        byte[] time = java.nio.ByteBuffer.allocate(Long.BYTES).putLong(timestamp).array();
        first.update(time);
        second.update(time);
        return (first.getValue() << 32) | second.getValue();
    }

    private static TopicPartition partition(String topicPartition) {
        int dash = topicPartition.lastIndexOf('-');
        return new TopicPartition(topicPartition.substring(0, dash), Integer.parseInt(topicPartition.substring(dash + 1)));
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, Set<TopicPartition> partitions, OffsetSpec spec, Budget left) throws Exception {
        Map<TopicPartition, OffsetSpec> request = partitions.stream().collect(Collectors.toMap(p -> p, p -> spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin.listOffsets(request).all()
                .get(left.millis(), TimeUnit.MILLISECONDS);
        return result.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().offset()));
    }

    /** What is left of one operation's {@link #CALL_TIMEOUT}, shared by all its requests. */
    private record Budget(long deadlineNanos) {
        long millis() {
            return Math.max(1, Duration.ofNanos(deadlineNanos - System.nanoTime()).toMillis());
        }
    }

    private interface AdminCall<T> {
        T apply(Admin admin, Budget left) throws Exception;
    }

    private <T> T call(String bootstrapServers, String what, AdminCall<T> call) {
        Map<String, Object> config = clientConfig.apply(bootstrapServers);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
        Budget budget = new Budget(System.nanoTime() + CALL_TIMEOUT.toNanos());
        Admin admin = null;
        try {
            admin = Admin.create(config);
            return call.apply(admin, budget);
        } catch (ExecutionException e) {
            if (isRefusal(e.getCause())) {
                throw new DependencyFailedException(what + " on " + bootstrapServers + " was refused: " + e.getCause() + ". " + FIX, e.getCause());
            }
            throw new TransientDependencyException(what + " on " + bootstrapServers + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientDependencyException(what + " interrupted", e);
        } catch (Exception e) {
            throw new TransientDependencyException(what + " on " + bootstrapServers + " failed: " + e, e);
        } finally {
            // Admin.close() waits for calls still in flight without end: against brokers that answer but cannot serve
            // (two AZs lost, a group's coordinator gone) one never ends, and the function would hang to its timeout.
            if (admin != null) {
                admin.close(Duration.ofMillis(Math.min(budget.millis(), 1_000)));
            }
        }
    }
}
