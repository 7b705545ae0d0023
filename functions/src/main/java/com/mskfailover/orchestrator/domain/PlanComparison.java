package com.mskfailover.orchestrator.domain;

import com.mskfailover.contract.CommitMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares what the clusters hold with the plan's topics and consumer groups, before anything moves. The state
 * machines move, copy and hand over only what the plan names: a topic or a group it does not name is left behind.
 */
public final class PlanComparison {

    /** {@code force} entries that switch these checks off. */
    public static final String UNLISTED_TOPICS = "unlistedTopics";
    public static final String UNLISTED_GROUPS = "unlistedGroups";
    public static final String GROUPS_WITHOUT_OFFSETS = "groupsWithoutOffsets";

    /** How many names a refusal lists before it says how many more there are (Step Functions keeps 32,768 characters of a cause). */
    private static final int NAMED_AT_MOST = 200;

    /** What a comparison found: what was checked, and what operators must know although it refused nothing. */
    public record Findings(List<String> checks, List<String> warnings) {
    }

    private final KafkaInspector kafka;

    public PlanComparison(KafkaInspector kafka) {
        this.kafka = kafka;
    }

    /**
     * Failback: the secondary holds no topic and no consumer group of applications that the plan leaves behind. A
     * topic the plan does not name would keep the records written to it during the outage on the secondary only; a
     * group it does not name would get no offsets on the primary (with {@code auto.offset.reset=latest} it would skip
     * what was produced between the producer move and its restart); a group reading only a topic the plan does not
     * name yet is named with it. Left out: Kafka's and MSK's own topics
     * ({@code __*}), MirrorMaker's {@code *.internal}, the probe's canary topic; groups whose name contains the
     * reverse replicator's (replicator-task's {@code <name>}, {@code <name>-lanes}), and groups whose every commit on
     * the plan's topics is a replicator's position or the forward flow's sync (no consumer of theirs read the secondary).
     *
     * @throws InvalidInputException naming {@code topics} and/or {@code consumerGroups} and the fix; nothing changed
     */
    public List<String> secondaryHoldsOnlyThePlan(Plan plan, String secondaryBootstrap) {
        List<String> checks = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        List<String> fields = new ArrayList<>();

        Set<String> unlistedTopics = new TreeSet<>(kafka.topicNames(secondaryBootstrap));
        unlistedTopics.removeIf(topic -> plan.topics().contains(topic) || belongsToTheCluster(topic));
        judge(plan, unlistedTopics, UNLISTED_TOPICS, "topics", checks, fields, refusals,
                "the secondary has no topic the plan does not name",
                "topics on the secondary the plan does not name, left there",
                "the secondary has topics the plan does not name: %s. What applications wrote to them while they were on the secondary would stay "
                        + "there only (the reverse flow copies the plan's topics). Create each on the primary with the same partition count if it is "
                        + "missing there, add it to \"topics\" (and to the forward flow's topics and the stack's Topics parameter), then start the failback "
                        + "again; or, if no application of these aliases uses them, add \"force\": [\"" + UNLISTED_TOPICS + "\"]");

        // The groups reading a topic still to be added come with it, so that one refusal names all there is to add.
        Set<String> readTopics = new TreeSet<>(plan.topics());
        if (!plan.forces(UNLISTED_TOPICS)) {
            readTopics.addAll(unlistedTopics);
        }
        Set<String> unlistedGroups = new TreeSet<>();
        kafka.groupsCommittedOn(secondaryBootstrap, readTopics).forEach((group, offsets) -> {
            if (!plan.consumerGroups().contains(group) && !group.contains(plan.reverseReplicatorName()) && readOnTheSecondary(offsets)) {
                unlistedGroups.add(group + " " + offsets.keySet());
            }
        });
        judge(plan, unlistedGroups, UNLISTED_GROUPS, "consumerGroups", checks, fields, refusals,
                "no consumer group the plan does not name committed on its topics on the secondary",
                "groups that committed on the plan's topics on the secondary, not handed over",
                "consumer groups the plan does not name committed offsets on the secondary on its topics (or on those above): %s. The failback would not drain them "
                        + "nor put their offsets on the primary: their consumers would resume there by auto.offset.reset (re-read everything, or skip "
                        + "what was produced meanwhile). Add them to \"consumerGroups\", then start the failback again; or, if no consumer of theirs "
                        + "reads the secondary (their offsets there are the forward flow's sync only), add \"force\": [\"" + UNLISTED_GROUPS + "\"]");
        if (!refusals.isEmpty()) {
            throw new InvalidInputException(String.join(", ", fields), "leaves things behind on the secondary, nothing was changed: "
                    + String.join("; and ", refusals));
        }
        return checks;
    }

    /** One check of the comparison: passed, switched off by its {@code force} entry (said in the checks), or a refusal. */
    private static void judge(Plan plan, Set<String> unlisted, String forceEntry, String field, List<String> checks, List<String> fields,
                              List<String> refusals, String passed, String forced, String refusal) {
        if (unlisted.isEmpty()) {
            checks.add(passed);
        } else if (plan.forces(forceEntry)) {
            checks.add("FORCED (" + forceEntry + "): " + forced + ": " + named(unlisted));
        } else {
            fields.add(field);
            refusals.add(refusal.formatted(named(unlisted)));
        }
    }

    /**
     * Failover: each group of the plan has its offsets on the secondary for every partition of the plan's topics it
     * committed on the primary (the forward flow synced them). A partition the group never committed on, on the
     * primary either, is no missing sync. Without an answer from the primary (an automatic failover with the primary
     * down) the check cannot tell the two apart: it refuses nothing and warns of the groups with no offset at all.
     *
     * @param primaryBootstrap the primary's brokers when they answered, empty when they did not
     * @throws NotReadyException naming the groups and partitions without their offsets, unless forced
     */
    public Findings groupOffsetsOnSecondary(Plan plan, String secondaryBootstrap, Optional<String> primaryBootstrap, String primaryUnreachable) {
        List<String> checks = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (plan.consumerGroups().isEmpty()) {
            checks.add("no consumer group in the plan (ConsumerGroups): no offsets to check on the secondary");
            return new Findings(checks, warnings);
        }
        List<String> missing = new ArrayList<>();
        var secondaryCommits = kafka.committedOffsets(secondaryBootstrap, plan.consumerGroups(), plan.topics());
        var primaryCommits = primaryBootstrap.map(primary -> kafka.committedOffsets(primary, plan.consumerGroups(), plan.topics())).orElse(Map.of());
        Map<String, KafkaInspector.OffsetRange> onTheSecondary = primaryBootstrap.isPresent() ? kafka.offsetRanges(secondaryBootstrap, plan.topics()) : Map.of();
        for (String group : plan.consumerGroups()) {
            Set<String> onSecondary = secondaryCommits.get(group).keySet();
            if (primaryBootstrap.isEmpty()) {
                if (onSecondary.isEmpty()) {
                    warnings.add("group " + group + " has no offset on the secondary for " + plan.topics() + ", and the primary could not be asked whether it "
                            + "ever committed there (" + primaryUnreachable + "): if it did, its consumers start by auto.offset.reset");
                } else {
                    checks.add("group " + group + " has offsets on the secondary for " + onSecondary.size() + " partition(s) (the primary not asked: "
                            + primaryUnreachable + ")");
                }
                continue;
            }
            Set<String> notSynced = new TreeSet<>(primaryCommits.get(group).keySet());
            notSynced.removeAll(onSecondary);
            // No record there (a consumer commits its position on a partition nobody wrote to; no flow syncs that):
            // its consumers start at the partition's only position, re-reading nothing and missing nothing yet.
            Set<String> empty = new TreeSet<>(notSynced.stream().filter(partition -> onTheSecondary.containsKey(partition)
                    && onTheSecondary.get(partition).logStart() == onTheSecondary.get(partition).logEnd()).toList());
            notSynced.removeAll(empty);
            if (!empty.isEmpty()) {
                warnings.add("group " + group + " committed on the primary for " + empty + ", which hold no record on the secondary, where it has "
                        + "no offset: its consumers start there by auto.offset.reset (earliest: at the start, nothing missed; latest: they skip "
                        + "what producers write there before they join)");
            }
            if (notSynced.isEmpty()) {
                checks.add("group " + group + " has its offsets on the secondary for every partition it committed on the primary ("
                        + onSecondary.size() + ")");
            } else {
                missing.add(group + " " + notSynced);
            }
        }
        if (missing.isEmpty()) {
            return new Findings(checks, warnings);
        }
        if (plan.forces(GROUPS_WITHOUT_OFFSETS)) {
            String forced = "FORCED (" + GROUPS_WITHOUT_OFFSETS + "): groups committed on the primary without that offset on the secondary, their "
                    + "consumers start there by auto.offset.reset: " + named(missing);
            checks.add(forced);
            warnings.add(forced);
            return new Findings(checks, warnings);
        }
        throw new NotReadyException("secondary not ready: consumer groups committed on the primary for partitions where they have no offset on the "
                + "secondary (the forward flow has not synced them): " + named(missing) + ". Their consumers would start there by auto.offset.reset "
                + "(re-read everything, or skip). Make the forward flow sync them (MSK Replicator: consumer group offset sync on and the groups in "
                + "its consumerGroupsToReplicate; replicator-task: the groups in its GROUPS) and start again once they are there, or add \"force\": [\""
                + GROUPS_WITHOUT_OFFSETS + "\"] to fail over anyway");
    }

    /** Kafka's and MSK's own topics, MirrorMaker's, and the probe's canary: each cluster's own, never an application's. */
    private static boolean belongsToTheCluster(String topic) {
        return topic.startsWith("__") || topic.endsWith(".internal") || topic.equals(PrimaryProbe.CANARY_TOPIC);
    }

    /** A commit a consumer made: neither a replicator's own position nor the forward flow's sync of a primary commit. */
    private static boolean readOnTheSecondary(Map<String, KafkaInspector.CommittedOffset> offsets) {
        return offsets.values().stream().anyMatch(offset -> !CommitMetadata.isSynced(offset.metadata())
                && !CommitMetadata.isReplicatorPosition(offset.metadata()));
    }

    private static String named(java.util.Collection<String> names) {
        List<String> listed = names.stream().limit(NAMED_AT_MOST).toList();
        return String.join(", ", listed) + (names.size() > listed.size() ? " and " + (names.size() - listed.size()) + " more" : "");
    }
}
