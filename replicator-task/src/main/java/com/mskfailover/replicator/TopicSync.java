package com.mskfailover.replicator;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Keeps the target's topics in step with the source's: same names, same partition counts (partitions
 * added later on the source are added on the target), and on creation the topic configs that change
 * what a consumer sees (retention, cleanup.policy, compaction, ...), with limits that let the target hold
 * every record of the source: {@code max.message.bytes} above the source's by the provenance headers,
 * producer timestamps kept ({@code CreateTime}) and accepted whatever their age.
 *
 * <p>A topic that cannot be described or created affects only itself: it is reported (log and
 * {@link Result#failing()}), left out of the copy, and its lag stays visible; the other topics flow.
 */
public final class TopicSync {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSync.class);
    private static final long TIMEOUT_SECONDS = 30;
    /** Room for the provenance headers a copy carries beyond the source record. */
    static final int PROVENANCE_HEADROOM_BYTES = 1024;

    /**
     * Settings that belong to a cluster rather than to the data (MirrorMaker 2 leaves out the same), and
     * timestamp settings that would make the target refuse copies of old records or re-stamp them.
     */
    private static final Set<String> NOT_COPIED = Set.of(
            "min.insync.replicas",
            "follower.replication.throttled.replicas",
            "leader.replication.throttled.replicas",
            "message.format.version",
            "unclean.leader.election.enable",
            "remote.storage.enable",
            "local.retention.ms",
            "local.retention.bytes",
            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
            TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG,
            TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG,
            "message.timestamp.difference.max.ms",
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG);

    /**
     * @param replicable source partitions that exist on both sides, with the source topic's id
     * @param wanted     every source partition the filters select (the lag covers all of them)
     * @param failing    topics left out this round, with the reason
     */
    public record Result(Map<TopicPartition, Uuid> replicable, Set<TopicPartition> wanted, Map<String, String> failing) {}

    private final Admin source;
    private final Admin target;
    private final ReplicatorConfig config;
    private final Map<String, String> reportedFailures = new ConcurrentHashMap<>();
    private final Set<String> checkedTopics = ConcurrentHashMap.newKeySet();
    /** How many source topics the selection matched at the last sync; -1 before the first. */
    private volatile int selectedTopics = -1;

    public TopicSync(Admin source, Admin target, ReplicatorConfig config) {
        this.source = source;
        this.target = target;
        this.config = config;
    }

    /** How many source topics TOPICS and TOPICS_EXCLUDE selected at the last sync (-1 before the first). */
    public int selectedTopics() {
        return selectedTopics;
    }

    /** A selection that matches nothing copies nothing: said once when it starts, and once when it ends. */
    private void reportSelection(Set<String> onSource, Set<String> selected) {
        int before = selectedTopics;
        selectedTopics = selected.size();
        if (selected.isEmpty() && before != 0) {
            LOG.warn("TOPICS {} (TOPICS_EXCLUDE {}) selects none of the source's {} topics {}: nothing is replicated. "
                            + "Give comma-separated names and regular expressions, as MirrorMaker 2 does (e.g. TOPICS=customer,orders\\..*)",
                    config.topics().pattern(), config.topicsExclude().pattern(), onSource.size(),
                    onSource.stream().sorted().limit(20).toList());
        } else if (!selected.isEmpty() && before == 0) {
            LOG.info("TOPICS now selects {} topic(s) of the source", selected.size());
        }
    }

    /** Creates what is missing on the target and says what can be replicated now. */
    public Result sync() throws Exception {
        Set<String> onSource = source.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).stream()
                .filter(topic -> !isInternal(topic)).collect(Collectors.toSet());
        Set<String> topics = onSource.stream().filter(config::replicatesTopic).collect(Collectors.toSet());
        reportSelection(onSource, topics);
        Map<String, String> failing = new HashMap<>();
        if (topics.isEmpty()) {
            return new Result(Map.of(), Set.of(), failing);
        }
        Map<String, TopicDescription> sourceTopics = describe(source, topics, failing, "describing it on the source");
        Map<String, TopicDescription> targetTopics = describe(target, sourceTopics.keySet(), failing, "describing it on the target");

        Set<String> missing = new HashSet<>(sourceTopics.keySet());
        missing.removeAll(targetTopics.keySet());
        missing.removeAll(failing.keySet());
        Map<String, Map<String, ConfigEntry>> sourceConfigs = configs(source, sourceTopics.keySet(), failing, "reading its configs on the source");
        createTopics(missing, sourceTopics, sourceConfigs, failing);
        checkExistingTargets(sourceConfigs, targetTopics.keySet(), failing);

        Map<String, NewPartitions> grow = new HashMap<>();
        targetTopics.forEach((topic, description) -> {
            TopicDescription wanted = sourceTopics.get(topic);
            if (wanted != null && wanted.partitions().size() > description.partitions().size()) {
                grow.put(topic, NewPartitions.increaseTo(wanted.partitions().size()));
            }
        });
        if (!grow.isEmpty()) {
            LOG.info("adding partitions on the target: {}", grow);
            awaitEach(target.createPartitions(grow).values(), failing, "adding partitions on the target");
        }

        Map<String, TopicDescription> replicableTargets = describe(target, sourceTopics.keySet(), new HashMap<>(), "");
        Map<TopicPartition, Uuid> replicable = new HashMap<>();
        Set<TopicPartition> wanted = new HashSet<>();
        sourceTopics.forEach((topic, description) -> {
            int count = description.partitions().size();
            int both = failing.containsKey(topic) || !replicableTargets.containsKey(topic)
                    ? 0 : Math.min(count, replicableTargets.get(topic).partitions().size());
            for (int partition = 0; partition < count; partition++) {
                TopicPartition topicPartition = new TopicPartition(topic, partition);
                wanted.add(topicPartition);
                if (partition < both) {
                    replicable.put(topicPartition, description.topicId());
                }
            }
        });
        report(failing);
        return new Result(replicable, wanted, failing);
    }

    /**
     * Kafka's and MSK's own topics ({@code __consumer_offsets}, {@code __amazon_msk_canary}, ...) and the
     * {@code .internal} topics of MirrorMaker 2 belong to one cluster: replicating them would corrupt the other.
     */
    static boolean isInternal(String topic) {
        return topic.startsWith("__") || topic.endsWith(".internal");
    }

    private void createTopics(Set<String> topics, Map<String, TopicDescription> descriptions,
                              Map<String, Map<String, ConfigEntry>> sourceConfigs, Map<String, String> failing) throws Exception {
        topics.removeIf(topic -> !sourceConfigs.containsKey(topic));
        if (topics.isEmpty()) {
            return;
        }
        List<NewTopic> newTopics = topics.stream()
                // Replication factor: the target cluster's default (MSK sets it per cluster size).
                .map(topic -> new NewTopic(topic, Optional.of(descriptions.get(topic).partitions().size()), Optional.empty())
                        .configs(targetConfigs(sourceConfigs.get(topic))))
                .toList();
        LOG.info("creating topics on the target: {}", newTopics);
        awaitEach(target.createTopics(newTopics).values(), failing, "creating it on the target");
    }

    /**
     * The configs of a new target topic: those set on the source topic itself (not cluster defaults),
     * minus {@link #NOT_COPIED}, plus the limits that let it hold every copy.
     */
    static Map<String, String> targetConfigs(Map<String, ConfigEntry> sourceConfig) {
        Map<String, String> configs = sourceConfig.values().stream()
                .filter(entry -> entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .filter(entry -> !NOT_COPIED.contains(entry.name()))
                .filter(entry -> entry.value() != null)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
        maxMessageBytes(sourceConfig).ifPresent(bytes ->
                configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Long.toString(bytes + PROVENANCE_HEADROOM_BYTES)));
        configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime");
        configs.put(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Long.toString(Long.MAX_VALUE));
        configs.put(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Long.toString(Long.MAX_VALUE));
        return configs;
    }

    /**
     * Topics that existed on the target before: say once, clearly, when they cannot hold every copy
     * (a copy would stall its partition) or would re-stamp copies.
     */
    private void checkExistingTargets(Map<String, Map<String, ConfigEntry>> sourceConfigs, Set<String> existing,
                                      Map<String, String> failing) throws Exception {
        Set<String> unchecked = existing.stream()
                .filter(topic -> !checkedTopics.contains(topic) && !failing.containsKey(topic) && sourceConfigs.containsKey(topic))
                .collect(Collectors.toSet());
        if (unchecked.isEmpty()) {
            return;
        }
        Map<String, Map<String, ConfigEntry>> targetConfigs = configs(target, unchecked, failing, "reading its configs on the target");
        targetConfigs.forEach((topic, targetConfig) -> {
            checkedTopics.add(topic);
            Optional<Long> sourceLimit = maxMessageBytes(sourceConfigs.get(topic));
            Optional<Long> targetLimit = maxMessageBytes(targetConfig);
            if (sourceLimit.isPresent() && targetLimit.isPresent() && targetLimit.get() < sourceLimit.get() + PROVENANCE_HEADROOM_BYTES) {
                LOG.warn("topic {}: the target's max.message.bytes {} is smaller than the source's {} plus {} bytes of provenance"
                                + " headers: a copy of the largest records would be refused and stall its partition. Raise it on the"
                                + " target: kafka-configs --alter --entity-type topics --entity-name {} --add-config max.message.bytes={}",
                        topic, targetLimit.get(), sourceLimit.get(), PROVENANCE_HEADROOM_BYTES, topic,
                        sourceLimit.get() + PROVENANCE_HEADROOM_BYTES);
            }
            ConfigEntry type = targetConfig.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
            if (type != null && "LogAppendTime".equals(type.value())) {
                LOG.warn("topic {}: the target topic uses message.timestamp.type=LogAppendTime, so copies get the target's"
                        + " append time instead of the source timestamp. Set it to CreateTime on the target to keep timestamps", topic);
            }
        });
    }

    private static Optional<Long> maxMessageBytes(Map<String, ConfigEntry> config) {
        ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        try {
            return entry == null || entry.value() == null ? Optional.empty() : Optional.of(Long.parseLong(entry.value()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Map<String, Map<String, ConfigEntry>> configs(Admin admin, Set<String> topics, Map<String, String> failing,
                                                                 String doing) throws Exception {
        Map<ConfigResource, KafkaFuture<Config>> futures = admin.describeConfigs(topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList()).values();
        Map<String, Map<String, ConfigEntry>> configs = new HashMap<>();
        for (var entry : futures.entrySet()) {
            try {
                Config config = entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                configs.put(entry.getKey().name(), config.entries().stream()
                        .collect(Collectors.toMap(ConfigEntry::name, configEntry -> configEntry)));
            } catch (ExecutionException e) {
                failing.put(entry.getKey().name(), doing + ": " + e.getCause());
            }
        }
        return configs;
    }

    private static Map<String, TopicDescription> describe(Admin admin, Set<String> topics, Map<String, String> failing,
                                                          String doing) throws Exception {
        Map<String, TopicDescription> descriptions = new HashMap<>();
        for (var entry : admin.describeTopics(topics).topicNameValues().entrySet()) {
            try {
                descriptions.put(entry.getKey(), entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    failing.put(entry.getKey(), doing + ": " + e.getCause());
                }
            }
        }
        return descriptions;
    }

    private static void awaitEach(Map<String, KafkaFuture<Void>> results, Map<String, String> failing, String doing) throws Exception {
        for (var result : results.entrySet()) {
            try {
                result.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    failing.put(result.getKey(), doing + ": " + e.getCause());
                }
            }
        }
    }

    /** Each failing topic once when it starts failing (or fails differently), and once when it recovers. */
    private void report(Map<String, String> failing) {
        failing.forEach((topic, reason) -> {
            if (!reason.equals(reportedFailures.put(topic, reason))) {
                LOG.error("topic {} is NOT replicated: {}. The other topics go on; its lag stays visible", topic, reason);
            }
        });
        reportedFailures.keySet().removeIf(topic -> {
            if (!failing.containsKey(topic)) {
                LOG.info("topic {} is replicated again", topic);
                return true;
            }
            return false;
        });
    }
}
