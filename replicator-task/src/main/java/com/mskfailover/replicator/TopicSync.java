package com.mskfailover.replicator;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Keeps the target's topics in step with the source's: same names, same partition counts (partitions
 * added later on the source are added on the target), and on creation the topic configs that change
 * what a consumer sees (retention, cleanup.policy, compaction, max.message.bytes, ...).
 */
public final class TopicSync {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSync.class);
    private static final long TIMEOUT_SECONDS = 30;

    /**
     * Settings that belong to a cluster rather than to the data (the same ones MirrorMaker 2 leaves out):
     * copying them could make the target refuse writes or weaken its durability.
     */
    private static final Set<String> CLUSTER_SPECIFIC_CONFIGS = Set.of(
            "min.insync.replicas",
            "follower.replication.throttled.replicas",
            "leader.replication.throttled.replicas",
            "message.timestamp.difference.max.ms",
            "message.format.version",
            "unclean.leader.election.enable",
            "remote.storage.enable",
            "local.retention.ms",
            "local.retention.bytes");

    private final Admin source;
    private final Admin target;
    private final ReplicatorConfig config;

    public TopicSync(Admin source, Admin target, ReplicatorConfig config) {
        this.source = source;
        this.target = target;
        this.config = config;
    }

    /**
     * Creates what is missing on the target and returns the source partitions that can be replicated now
     * (those that exist on both sides).
     */
    public Set<TopicPartition> sync() throws Exception {
        Set<String> topics = source.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).stream()
                .filter(topic -> !isInternal(topic))
                .filter(config::replicatesTopic)
                .collect(Collectors.toSet());
        if (topics.isEmpty()) {
            return Set.of();
        }
        Map<String, Integer> sourcePartitions = partitionCounts(source, topics);
        Map<String, Integer> targetPartitions = partitionCounts(target, topics);

        Set<String> missing = new HashSet<>(sourcePartitions.keySet());
        missing.removeAll(targetPartitions.keySet());
        createTopics(missing, sourcePartitions);

        Map<String, NewPartitions> grow = new HashMap<>();
        targetPartitions.forEach((topic, count) -> {
            Integer wanted = sourcePartitions.get(topic);
            if (wanted != null && wanted > count) {
                grow.put(topic, NewPartitions.increaseTo(wanted));
            }
        });
        if (!grow.isEmpty()) {
            LOG.info("adding partitions on the target: {}", grow);
            target.createPartitions(grow).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        Map<String, Integer> replicable = partitionCounts(target, sourcePartitions.keySet());
        Set<TopicPartition> partitions = new HashSet<>();
        sourcePartitions.forEach((topic, count) -> {
            int both = Math.min(count, replicable.getOrDefault(topic, 0));
            for (int partition = 0; partition < both; partition++) {
                partitions.add(new TopicPartition(topic, partition));
            }
        });
        return partitions;
    }

    /**
     * Kafka's and MSK's own topics ({@code __consumer_offsets}, {@code __amazon_msk_canary}, ...) and the
     * {@code .internal} topics of MirrorMaker 2 belong to one cluster: replicating them would corrupt the other.
     */
    static boolean isInternal(String topic) {
        return topic.startsWith("__") || topic.endsWith(".internal");
    }

    private void createTopics(Set<String> topics, Map<String, Integer> partitionCounts) throws Exception {
        if (topics.isEmpty()) {
            return;
        }
        Map<String, Map<String, String>> configs = dataConfigs(topics);
        List<NewTopic> newTopics = topics.stream()
                // Replication factor: the target cluster's default (MSK sets it per cluster size).
                .map(topic -> new NewTopic(topic, Optional.of(partitionCounts.get(topic)), Optional.empty())
                        .configs(configs.getOrDefault(topic, Map.of())))
                .toList();
        LOG.info("creating topics on the target: {}", newTopics);
        var results = target.createTopics(newTopics).values();
        for (var result : results.entrySet()) {
            try {
                result.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("creating topic " + result.getKey() + " on the target: " + e.getCause(), e.getCause());
                }
            }
        }
    }

    /** The configs set on the source topic itself (not cluster defaults), minus cluster-specific ones. */
    private Map<String, Map<String, String>> dataConfigs(Set<String> topics) throws Exception {
        List<ConfigResource> resources = topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic))
                .toList();
        Map<ConfigResource, Config> described = source.describeConfigs(resources).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<String, Map<String, String>> configs = new HashMap<>();
        described.forEach((resource, topicConfig) -> configs.put(resource.name(), topicConfig.entries().stream()
                .filter(entry -> entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .filter(entry -> !CLUSTER_SPECIFIC_CONFIGS.contains(entry.name()))
                .filter(entry -> entry.value() != null)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value))));
        return configs;
    }

    private static Map<String, Integer> partitionCounts(Admin admin, Set<String> topics) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        var futures = admin.describeTopics(topics).topicNameValues();
        for (var entry : futures.entrySet()) {
            try {
                TopicDescription description = entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                counts.put(entry.getKey(), description.partitions().size());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
        }
        return counts;
    }
}
