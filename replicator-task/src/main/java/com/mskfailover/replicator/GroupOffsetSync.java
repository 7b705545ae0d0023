package com.mskfailover.replicator;

import com.mskfailover.contract.CommitMetadata;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Translates the committed offsets of consumer groups from the source to the target, exactly: a
 * consumer that read up to record k on the source resumes on the target just after the copy of k.
 *
 * <p>Rules that keep two flows (one per direction, as during failback) from fighting over a group:
 * never move a group backwards on the target; never touch a group with members on the target (the
 * broker would refuse anyway, this avoids the noise); skip groups that are replicators' own positions;
 * and skip offsets that a replicator wrote (their metadata says so), so a translated offset is never
 * translated back.
 */
final class GroupOffsetSync {

    private static final Logger LOG = LoggerFactory.getLogger(GroupOffsetSync.class);
    private static final long TIMEOUT_SECONDS = 15;

    private final Admin source;
    private final Admin target;
    private final ReplicatorConfig config;
    private final OffsetTranslation translation;
    private final Supplier<Map<TopicPartition, Long>> replicatedUpTo;

    GroupOffsetSync(Admin source, Admin target, ReplicatorConfig config, OffsetTranslation translation,
                    Supplier<Map<TopicPartition, Long>> replicatedUpTo) {
        this.source = source;
        this.target = target;
        this.config = config;
        this.translation = translation;
        this.replicatedUpTo = replicatedUpTo;
    }

    /** One round: reads both clusters, decides ({@link #translate}, {@link #forward}), writes; returns what it wrote, by group. */
    Map<String, Map<TopicPartition, OffsetAndMetadata>> sync() throws Exception {
        Map<TopicPartition, Long> replicated = replicatedUpTo.get();
        if (replicated.isEmpty()) {
            return Map.of();
        }
        // No server-side type filter: older brokers (MSK runs many 3.x versions) do not support one.
        List<String> groups = groupsToSync(source.listGroups(new ListGroupsOptions()).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS), config);
        if (groups.isEmpty()) {
            return Map.of();
        }
        Map<String, Map<TopicPartition, OffsetAndMetadata>> translated = translate(config.replicatorName(),
                listOffsets(source, groups), replicated, translation);
        if (translated.isEmpty()) {
            return Map.of();
        }
        Map<String, KafkaFuture<ConsumerGroupDescription>> targetGroups = target.describeConsumerGroups(translated.keySet())
                .describedGroups();
        Map<String, Map<TopicPartition, OffsetAndMetadata>> targetOffsets = listOffsets(target, translated.keySet());
        Set<String> withMembers = new HashSet<>();
        for (String group : translated.keySet()) {
            if (hasMembers(targetGroups.get(group))) {
                withMembers.add(group);
            }
        }

        Map<String, Map<TopicPartition, OffsetAndMetadata>> written = new HashMap<>();
        for (String group : forward(translated, withMembers, targetOffsets).keySet()) {
            try {
                // Decided again on the group as it is now: consumers may have committed on the target and left since the
                // round read it, and a write decided on that older read would move them back (the broker refuses only
                // while they are members).
                Map<TopicPartition, OffsetAndMetadata> offsets = forward(Map.of(group, translated.get(group)),
                        hasMembers(target.describeConsumerGroups(List.of(group)).describedGroups().get(group)) ? Set.of(group) : Set.of(),
                        listOffsets(target, List.of(group))).get(group);
                if (offsets == null) {
                    continue;
                }
                target.alterConsumerGroupOffsets(group, offsets).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                written.put(group, offsets);
                LOG.info("group {}: target offsets moved forward to {}", group, offsets);
            } catch (Exception e) {
                // Typically a consumer joined the group on the target meanwhile; the next round decides again.
                LOG.info("group {}: not synced this round: {}", group, e.toString());
            }
        }
        return written;
    }

    private static Map<String, Map<TopicPartition, OffsetAndMetadata>> listOffsets(Admin admin, Collection<String> groups)
            throws Exception {
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        groups.forEach(group -> specs.put(group, new ListConsumerGroupOffsetsSpec()));
        return admin.listConsumerGroupOffsets(specs).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** The consumer groups of the source whose offsets this flow translates: not its own, within GROUPS. */
    static List<String> groupsToSync(Collection<GroupListing> listings, ReplicatorConfig config) {
        return listings.stream()
                .filter(GroupOffsetSync::isConsumerGroup)
                .map(GroupListing::groupId)
                .filter(group -> !group.equals(config.replicatorName()))
                .filter(config::syncsGroup)
                .toList();
    }

    /**
     * Decision, on plain values: each group's source commits translated to target offsets stamped with
     * {@link CommitMetadata#synced}. Left out: groups that are another flow's position (a replicator commit), offsets a
     * replicator wrote (never translated back), partitions not replicated (yet) or not translatable yet.
     */
    static Map<String, Map<TopicPartition, OffsetAndMetadata>> translate(String replicatorName,
            Map<String, Map<TopicPartition, OffsetAndMetadata>> sourceOffsets, Map<TopicPartition, Long> replicatedUpTo,
            OffsetTranslation translation) {
        Map<String, Map<TopicPartition, OffsetAndMetadata>> translated = new HashMap<>();
        sourceOffsets.forEach((group, offsets) -> {
            if (offsets.values().stream().anyMatch(CopyCheckpoint::isReplicatorCommit)) {
                return; // another flow's own position, meaningless on this target
            }
            Map<TopicPartition, OffsetAndMetadata> groupOffsets = new HashMap<>();
            offsets.forEach((partition, offset) -> {
                Long upTo = replicatedUpTo.get(partition);
                if (offset == null || upTo == null || CommitMetadata.isSynced(offset.metadata())) {
                    return;
                }
                translation.translate(partition, offset.offset(), upTo).ifPresent(value -> groupOffsets.put(partition,
                        new OffsetAndMetadata(value, CommitMetadata.synced(replicatorName, offset.offset()))));
            });
            if (!groupOffsets.isEmpty()) {
                translated.put(group, groupOffsets);
            }
        });
        return translated;
    }

    /**
     * Decision, on plain values: of the translated offsets, those to write on the target. A group with members
     * there is left alone (their own commits rule); a group is never moved backwards; an unchanged offset with
     * other metadata is re-stamped, so the orchestrator sees which source commit it reflects.
     */
    static Map<String, Map<TopicPartition, OffsetAndMetadata>> forward(Map<String, Map<TopicPartition, OffsetAndMetadata>> translated,
            Set<String> groupsWithMembersOnTarget, Map<String, Map<TopicPartition, OffsetAndMetadata>> targetOffsets) {
        Map<String, Map<TopicPartition, OffsetAndMetadata>> toWrite = new HashMap<>();
        translated.forEach((group, offsets) -> {
            if (groupsWithMembersOnTarget.contains(group)) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> current = targetOffsets.getOrDefault(group, Map.of());
            Map<TopicPartition, OffsetAndMetadata> forward = new HashMap<>();
            offsets.forEach((partition, offset) -> {
                OffsetAndMetadata existing = current.get(partition);
                if (existing == null || existing.offset() < offset.offset()
                        || (existing.offset() == offset.offset() && !offset.metadata().equals(existing.metadata()))) {
                    forward.put(partition, offset);
                }
            });
            if (!forward.isEmpty()) {
                toWrite.put(group, forward);
            }
        });
        return toWrite;
    }

    /** Consumer groups, including "simple" ones (offsets committed without members); not Connect, share or streams groups. */
    static boolean isConsumerGroup(GroupListing listing) {
        boolean consumerType = listing.type().map(type -> type == GroupType.CONSUMER || type == GroupType.CLASSIC).orElse(true);
        String protocol = listing.protocol();
        return consumerType && (protocol == null || protocol.isEmpty() || protocol.equals("consumer"));
    }

    private static boolean hasMembers(KafkaFuture<ConsumerGroupDescription> description) throws Exception {
        try {
            return !description.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).members().isEmpty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return false; // the group does not exist on the target yet
            }
            throw e;
        }
    }
}
