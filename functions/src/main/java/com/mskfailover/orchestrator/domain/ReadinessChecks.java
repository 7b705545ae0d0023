package com.mskfailover.orchestrator.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The preconditions of a move: checked before anything changes, so a refusal leaves everything as it was. */
public final class ReadinessChecks {

    /**
     * What was checked and found, for the execution history and the notification.
     *
     * @param warnings what operators must know although nothing was refused (every notification repeats it)
     */
    public record Readiness(String clusterArn, String bootstrapServers, List<String> checks, List<String> warnings) {
    }

    private final ClusterDirectory clusters;
    private final KafkaInspector kafka;
    private final Duration probeTimeout;
    private final PlanComparison planComparison;

    /** How far before the impairment began the RPO check looks for a ReplicationLatency figure. */
    static final Duration RPO_LOOKBACK = Duration.ofMinutes(15);

    public ReadinessChecks(ClusterDirectory clusters, KafkaInspector kafka, Duration probeTimeout) {
        this.clusters = clusters;
        this.kafka = kafka;
        this.probeTimeout = probeTimeout;
        this.planComparison = new PlanComparison(kafka);
    }

    /**
     * Failover: the secondary answers, has every topic, (if an RPO is set) replication was recent enough, and the
     * plan's groups have their offsets there ({@link PlanComparison#groupOffsetsOnSecondary}).
     *
     * @param forwardReplication      the flow whose latency is held against the RPO (only this check reads it)
     * @param primaryBootstrapServers where the primary's brokers are, asked only for the groups' commits there
     */
    public Readiness checkSecondaryReady(Plan plan, ForwardReplication forwardReplication, java.util.function.Supplier<String> primaryBootstrapServers) {
        List<String> checks = new ArrayList<>();
        String bootstrap = reachableWithTopics(plan.secondary(), plan, "secondary", checks);
        if (plan.maxReplicationLatencySeconds() > 0) {
            Instant impaired = plan.impairedSince() != null ? Instant.parse(plan.impairedSince()) : Instant.now();
            // A minute that ended before the impairment began: later ones may show 0 for a flow with nothing left to read
            // from an impaired primary (MSK Replicator documents 0 for a topic that is not replicating).
            Optional<MetricDatapoint> latency = MetricDatapoint.newestEndingBy(forwardReplication.latencyBefore(impaired, RPO_LOOKBACK), impaired);
            if (latency.isEmpty()) {
                throw new NotReadyException("secondary not ready: no ReplicationLatency figure of a minute in the " + RPO_LOOKBACK.toMinutes()
                        + " minutes before the impairment began (" + impaired + ") to check the RPO of " + plan.maxReplicationLatencySeconds()
                        + " s against (the forward flow published none: stopped, or not replicating); start with maxReplicationLatencySeconds 0"
                        + " to fail over anyway, or give impairedSince if the impairment began earlier");
            }
            long seconds = (long) Math.ceil(latency.get().value() / 1000);
            if (seconds > plan.maxReplicationLatencySeconds()) {
                throw new NotReadyException("secondary not ready: replication latency " + seconds + " s (Maximum of the minute from "
                        + latency.get().periodStart() + ", the last before the impairment began at " + impaired + ") exceeds the RPO of "
                        + plan.maxReplicationLatencySeconds() + " s");
            }
            checks.add("replication latency " + (long) latency.get().value() + " ms (the minute from " + latency.get().periodStart()
                    + ", the last before the impairment began at " + impaired + ") within RPO " + plan.maxReplicationLatencySeconds() + " s");
        } else {
            checks.add("RPO check skipped (maxReplicationLatencySeconds 0)");
        }
        if (plan.planned()) {
            // Consumers move only once the wait has their last commits on the secondary: synced (replicator-task) or handed
            // over from the records (MSK Replicator, whose sync stops once producers write there).
            checks.add("group offsets: the planned failover's wait puts each group's last commit on the secondary before consumers move");
            return new Readiness(plan.secondary().clusterArn(), bootstrap, checks, List.of());
        }
        PlanComparison.Findings groups = groupOffsets(plan, bootstrap, primaryBootstrapServers);
        checks.addAll(groups.checks());
        return new Readiness(plan.secondary().clusterArn(), bootstrap, checks, groups.warnings());
    }

    /** Compared with the primary's commits when its brokers serve a probe; a primary that does not answer never fails this check. */
    private PlanComparison.Findings groupOffsets(Plan plan, String secondary, java.util.function.Supplier<String> primaryBootstrapServers) {
        if (plan.consumerGroups().isEmpty()) {
            return planComparison.groupOffsetsOnSecondary(plan, secondary, Optional.empty(), "");
        }
        String primary;
        KafkaInspector.ProbeResult probe;
        try {
            primary = primaryBootstrapServers.get();
            probe = kafka.probe(primary, probeTimeout);
        } catch (RuntimeException e) {
            return planComparison.groupOffsetsOnSecondary(plan, secondary, Optional.empty(), "primary: " + e.getMessage());
        }
        if (!probe.reachable() || probe.refused()) {
            return planComparison.groupOffsetsOnSecondary(plan, secondary, Optional.empty(), "primary: " + probe.detail());
        }
        try {
            return planComparison.groupOffsetsOnSecondary(plan, secondary, Optional.of(primary), "");
        } catch (TransientDependencyException e) {
            // Brokers that answer a probe yet not for the groups (their coordinators lost with two AZs): not asked.
            return planComparison.groupOffsetsOnSecondary(plan, secondary, Optional.empty(), "primary: " + e.getMessage());
        }
    }

    /**
     * Failback: the recovered primary answers and has every topic (replicator-task copies into identical names), and
     * the secondary holds no topic or group the plan would leave behind ({@link PlanComparison#secondaryHoldsOnlyThePlan}).
     */
    public Readiness checkPrimaryHealthy(Plan plan) {
        List<String> checks = new ArrayList<>();
        String bootstrap = reachableWithTopics(plan.primary(), plan, "primary", checks);
        checks.addAll(planComparison.secondaryHoldsOnlyThePlan(plan, clusters.bootstrapServers(plan.secondary().clusterArn())));
        return new Readiness(plan.primary().clusterArn(), bootstrap, checks, List.of());
    }

    /**
     * Preflight: the failback's reverse flow could start now, in the mode in use (an MSK Replicator needs its source
     * cluster prepared; replicator-task its ECS cluster, task definition and image); NotReadyException naming each gap.
     */
    public Readiness checkReverseFlowReady(Plan plan, ReverseFlow flow) {
        List<String> missing = flow.startPrerequisitesMissing(plan);
        if (!missing.isEmpty()) {
            throw new NotReadyException("the failback's reverse flow (" + flow.describe(plan) + ") could not start: " + String.join("; ", missing));
        }
        return new Readiness(plan.secondary().clusterArn(), "", List.of("the failback's reverse flow could start: " + flow.describe(plan)), List.of());
    }

    /**
     * Preflight: every alias of the plan has its record, naming one of the plan's two clusters (DNS first, as clients
     * read it); NotReadyException naming each alias that lacks one.
     */
    public Readiness checkAliasRecords(Plan plan, AliasReader aliases) {
        List<String> names = new ArrayList<>(plan.producerAliases());
        names.addAll(plan.consumerAliases());
        java.util.Map<String, com.mskfailover.client.BootstrapAliasRecord> records = aliases.read(names);
        List<String> problems = new ArrayList<>();
        List<String> checks = new ArrayList<>();
        for (String alias : names) {
            var record = records.get(alias);
            if (record == null) {
                problems.add(alias + " has no record (the aliases stack creates it: a TXT record made by hand under that name makes the"
                        + " stack fail with \"already exists\"; delete it and update the stack, see docs/deploy.md)");
            } else if (!record.clusterArn().equals(plan.primary().clusterArn()) && !record.clusterArn().equals(plan.secondary().clusterArn())) {
                problems.add(alias + " names " + record.clusterArn() + ", neither of the stack's clusters");
            } else {
                checks.add(alias + " -> " + (record.clusterArn().equals(plan.primary().clusterArn()) ? "primary" : "secondary"));
            }
        }
        if (!problems.isEmpty()) {
            throw new NotReadyException("alias records not ready: " + String.join("; ", problems));
        }
        return new Readiness(plan.primary().clusterArn(), "", checks, List.of());
    }

    private String reachableWithTopics(ClusterRef cluster, Plan plan, String role, List<String> checks) {
        String bootstrap = clusters.bootstrapServers(cluster.clusterArn());
        KafkaInspector.ProbeResult probe = kafka.probe(bootstrap, probeTimeout);
        if (probe.refused()) {
            throw new DependencyFailedException(role + " cluster " + cluster.clusterArn() + " refused the orchestrator: " + probe.detail());
        }
        if (!probe.reachable()) {
            throw new NotReadyException(role + " not ready: cluster " + cluster.clusterArn() + " did not answer within "
                    + probeTimeout.toSeconds() + " s: " + probe.detail());
        }
        checks.add(role + " reachable: " + probe.detail());
        Set<String> missing = kafka.missingTopics(bootstrap, plan.topics());
        if (!missing.isEmpty()) {
            throw new NotReadyException(role + " not ready: topics missing on " + cluster.clusterArn() + ": " + missing.stream().sorted().toList());
        }
        checks.add(role + " has topics " + plan.topics());
        return bootstrap;
    }
}
