package com.mskfailover.orchestrator.domain;

import java.time.Clock;

/**
 * Everything the handlers reach beyond this JVM, as domain ports: AwsPorts builds them from a function's environment,
 * the local test kit from local clusters and stand-ins. A handler takes the ports and builds the domain object of its
 * state from the ones it uses; adding a state adds a handler, never a wiring of its own.
 */
public interface Ports {

    OrchestratorSettings settings();

    ClusterDirectory clusterDirectory();

    KafkaInspector kafkaInspector();

    BootstrapAliases bootstrapAliases();

    ReplicatorTasks replicatorTasks();

    /** The reverse flow as MSK Replicators, or null when the failback runs replicator-task (REVERSE_REPLICATION_MODE). */
    ReverseMskReplicators reverseMskReplicators();

    ForwardReplication forwardReplication();

    Notifier notifier();

    Executions executions();

    AlarmStates alarmStates();

    /** The lock that lets one failover or failback run at a time. */
    OperationLock operationLock();

    /** The primary cluster's health as its own Region reports it (DetectImpairment's independent second signal). */
    PrimaryRegionHealth primaryRegionHealth();

    /** Where DetectImpairment reads the aliases: the records themselves unless the adapter has a data-plane path. */
    default AliasReader aliasReader() {
        return bootstrapAliases();
    }

    /** The primary's bootstrap string: ProbePrimary reaches the brokers with it, without asking the MSK API. */
    default String primaryBootstrapServers() {
        return clusterDirectory().bootstrapServers(settings().primaryClusterArn());
    }

    default Clock clock() {
        return Clock.systemUTC();
    }
}
