package com.mskfailover.orchestrator.domain;

import java.util.List;

/**
 * What an execution will do, as its validation step worked it out from the input and the stack's settings. Every
 * later state reads it from {@code $.plan}.
 *
 * @param operation                    {@code failover} or {@code failback}
 * @param topics                       the replicated topics (identical names on both clusters)
 * @param consumerGroups               the application consumer groups that must drain before consumers move back
 * @param maxReplicationLatencySeconds failover only: the RPO; 0 skips the check
 * @param reverseReplicatorName        failback only: REPLICATOR_NAME of the secondary -> primary replicator-task
 * @param aliasTtlSeconds              the alias records' TTL: after INSYNC, clients may resolve the old value that long
 * @param force                        the checks the input switched off by name ({@code force}); the notifications repeat them
 * @param impairedSince                failover only: when the primary's impairment began (ISO-8601; the input's, else the
 *                                     moment the failover was validated): the RPO is checked against the replication
 *                                     latency before it
 */
public record Plan(String operation,
                   ClusterRef primary,
                   ClusterRef secondary,
                   List<String> topics,
                   List<String> consumerGroups,
                   List<String> producerAliases,
                   List<String> consumerAliases,
                   Timeouts timeouts,
                   int maxReplicationLatencySeconds,
                   boolean requireForwardThroughput,
                   String reverseReplicatorName,
                   int reverseReplicatorTasks,
                   String reason,
                   boolean dryRun,
                   boolean planned,
                   int aliasTtlSeconds,
                   List<String> force,
                   String impairedSince) {

    public Plan {
        force = force == null ? List.of() : List.copyOf(force);
    }

    /** A plan that switches no check off (and, for a failover, says no impairment start). */
    public Plan(String operation, ClusterRef primary, ClusterRef secondary, List<String> topics, List<String> consumerGroups,
                List<String> producerAliases, List<String> consumerAliases, Timeouts timeouts, int maxReplicationLatencySeconds,
                boolean requireForwardThroughput, String reverseReplicatorName, int reverseReplicatorTasks, String reason,
                boolean dryRun, boolean planned, int aliasTtlSeconds) {
        this(operation, primary, secondary, topics, consumerGroups, producerAliases, consumerAliases, timeouts, maxReplicationLatencySeconds,
                requireForwardThroughput, reverseReplicatorName, reverseReplicatorTasks, reason, dryRun, planned, aliasTtlSeconds, List.of(), null);
    }

    public boolean forces(String check) {
        return force.contains(check);
    }

    /** Every alias record the stack manages: producers' then consumers', without repeats (a failover moves them all at once). */
    @com.fasterxml.jackson.annotation.JsonProperty(value = "allAliases", access = com.fasterxml.jackson.annotation.JsonProperty.Access.READ_ONLY)
    public List<String> allAliases() {
        return java.util.stream.Stream.concat(producerAliases.stream(), consumerAliases.stream()).distinct().toList();
    }

    /**
     * Refuses a plan this stack's functions must not act on: one naming clusters other than the stack's, or aliases it
     * does not manage. The Validate states build plans from the stack's settings; every later state checks again, so that
     * whoever may invoke a function directly cannot point the aliases at, or replicate between, clusters of their choice.
     */
    public void requireServedBy(OrchestratorSettings stack) {
        List<String> foreign = new java.util.ArrayList<>();
        if (primary == null || !stack.primaryClusterArn().equals(primary.clusterArn())) {
            foreign.add("primary " + (primary == null ? "missing" : primary.clusterArn()) + " (the stack's: " + stack.primaryClusterArn() + ")");
        }
        if (secondary == null || !stack.secondaryClusterArn().equals(secondary.clusterArn())) {
            foreign.add("secondary " + (secondary == null ? "missing" : secondary.clusterArn()) + " (the stack's: " + stack.secondaryClusterArn() + ")");
        }
        java.util.stream.Stream.concat(producerAliases == null ? java.util.stream.Stream.<String>empty() : producerAliases.stream()
                                .filter(alias -> !stack.producerAliases().contains(alias)).map(alias -> "producer alias " + alias),
                        consumerAliases == null ? java.util.stream.Stream.<String>empty() : consumerAliases.stream()
                                .filter(alias -> !stack.consumerAliases().contains(alias)).map(alias -> "consumer alias " + alias))
                .forEach(foreign::add);
        if (!foreign.isEmpty()) {
            throw new InvalidInputException("plan", "is not one this stack serves: " + String.join("; ", foreign)
                    + ". Plans come from ValidateFailoverInput/ValidateFailbackInput: start the state machine instead of invoking this function directly");
        }
    }

    public ClusterRef cluster(MoveTarget target) {
        return target == MoveTarget.PRIMARY ? primary : secondary;
    }
}
