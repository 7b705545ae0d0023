package com.mskfailover.orchestrator;

import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.OperationLock;
import com.mskfailover.orchestrator.domain.OrchestratorSettings;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.Timeouts;
import com.mskfailover.orchestrator.kafka.KafkaAdminInspector;
import com.mskfailover.orchestrator.local.DynaliteOperationLocks;
import com.mskfailover.orchestrator.local.FileBootstrapAliases;
import com.mskfailover.orchestrator.local.FixedAlarmStates;
import com.mskfailover.orchestrator.local.LocalWiring;
import com.mskfailover.orchestrator.local.RecordingExecutions;
import com.mskfailover.orchestrator.local.RecordingNotifier;
import com.mskfailover.orchestrator.local.StaticClusterDirectory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The local ports every orchestrator test builds on, around the shared clusters. */
public final class TestPorts {

    public static final String PRIMARY_ARN = "arn:aws:kafka:us-east-1:123456789012:cluster/msk-primary/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-1";
    public static final String SECONDARY_ARN = "arn:aws:kafka:us-east-2:123456789012:cluster/msk-secondary/1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809-2";
    public static final String PRODUCER_ALIAS = "kafka-producers.msk.internal";
    public static final String CONSUMER_ALIAS = "kafka-consumers.msk.internal";
    public static final String ALARM = "msk-failover-primary-unreachable";
    public static final String NOT_WRITABLE_ALARM = "msk-failover-primary-not-writable";
    /** A user's own alarm among the watched ones (WatchedAlarmNames). */
    public static final String USER_ALARM = "orders-producer-errors";

    public final OrchestratorSettings settings;
    public final StaticClusterDirectory clusters;
    public final KafkaAdminInspector kafka = new KafkaAdminInspector("none");
    public final BootstrapAliases aliases;
    public final RecordingNotifier notifier = new RecordingNotifier();
    public final FixedAlarmStates alarms = new FixedAlarmStates();
    public final RecordingExecutions executions = new RecordingExecutions();
    /** The real DynamoDB adapter on dynalite, a table of its own per TestPorts, made on first use. */
    public final OperationLock lock = DynaliteOperationLocks.onFirstUse();
    public ReplicatorTasks tasks;
    public ForwardReplication forwardReplication = healthyForward();

    public TestPorts(Path dir, List<String> topics, List<String> groups, BootstrapAliases aliases) {
        this(dir, topics, groups, aliases, Map.of(PRIMARY_ARN, SharedClusters.primary().bootstrapServers(),
                SECONDARY_ARN, SharedClusters.secondary().bootstrapServers()));
    }

    public TestPorts(Path dir, List<String> topics, List<String> groups, BootstrapAliases aliases, Map<String, String> bootstraps) {
        this.settings = settingsFor(topics, groups);
        this.clusters = new StaticClusterDirectory(bootstraps);
        this.aliases = aliases == null ? new FileBootstrapAliases(dir.resolve("aliases.json")) : aliases;
    }

    /** The tests' settings for these topics and groups (probes time out after 2 s). */
    public static OrchestratorSettings settingsFor(List<String> topics, List<String> groups) {
        return settings(topics, groups, Duration.ofSeconds(2));
    }

    private static OrchestratorSettings settings(List<String> topics, List<String> groups, Duration probeTimeout) {
        return new OrchestratorSettings(PRIMARY_ARN, SECONDARY_ARN, List.of(PRODUCER_ALIAS), List.of(CONSUMER_ALIAS),
                // requireForwardThroughput false: as deployed (template.yaml leaves REQUIRE_FORWARD_THROUGHPUT unset).
                topics, groups, new Timeouts(30, 60, 60, 30), 300, false, "failback-replicator", "replicator-task",
                probeTimeout, List.of(ALARM, NOT_WRITABLE_ALARM, USER_ALARM), "none", 1, 1);
    }

    /** What ProbePrimary uses: the settings, a Kafka inspector, and where the primary's brokers are. */
    public static Ports forProbe(KafkaInspector kafka, String primaryBootstrapServers, Duration probeTimeout) {
        return new LocalWiring.LocalPorts(settings(List.of(), List.of(), probeTimeout),
                new StaticClusterDirectory(Map.of(PRIMARY_ARN, primaryBootstrapServers)), kafka, null, null, null, null, null, null);
    }

    public LocalWiring.LocalPorts ports() {
        return new LocalWiring.LocalPorts(settings, clusters, kafka, aliases, tasks, forwardReplication, notifier, alarms, executions)
                .withOperationLock(lock);
    }

    /** Points every alias at a cluster, as the stack's initial records (or a finished move) would. */
    public void pointAliasesAt(String clusterArn) {
        String region = clusterArn.equals(PRIMARY_ARN) ? "us-east-1" : "us-east-2";
        String bootstrap = clusters.bootstrapServers(clusterArn);
        aliases.change(List.of(BootstrapAliasRecord.of(PRODUCER_ALIAS, clusterArn, region, bootstrap),
                BootstrapAliasRecord.of(CONSUMER_ALIAS, clusterArn, region, bootstrap)), "test set-up");
    }

    public String clusterOf(String alias) {
        return aliases.read(List.of(alias)).get(alias).clusterArn();
    }

    public static ForwardReplication healthyForward() {
        return fixedForward(new ForwardReplication.Status(true, 12.5, "stub forward flow"), Optional.of(Duration.ofMillis(800)));
    }

    public static ForwardReplication fixedForward(ForwardReplication.Status status, Optional<Duration> latency) {
        return fixedForward(status, latency, since -> status.running() ? java.util.OptionalLong.of(0) : java.util.OptionalLong.empty());
    }

    /** A forward flow with this status and latency, answering its lag with {@code lag}; it marks no offset sync. */
    public static ForwardReplication fixedForward(ForwardReplication.Status status, Optional<Duration> latency,
                                                  java.util.function.Function<java.time.Instant, java.util.OptionalLong> lag) {
        return new ForwardReplication() {
            @Override
            public Status status() {
                return status;
            }

            @Override
            public java.util.List<com.mskfailover.orchestrator.domain.MetricDatapoint> latencyBefore(java.time.Instant until, Duration lookback) {
                return com.mskfailover.orchestrator.local.LocalReverseMskReplicators.latencyAsAMinuteBefore(until, latency);
            }

            @Override
            public java.util.OptionalLong messageLag(java.time.Instant since) {
                return lag.apply(since);
            }

            @Override
            public java.util.Optional<String> offsetSyncMarker() {
                return java.util.Optional.empty();
            }
        };
    }
}
