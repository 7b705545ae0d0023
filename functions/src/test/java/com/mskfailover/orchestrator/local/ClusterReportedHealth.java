package com.mskfailover.orchestrator.local;

import com.mskfailover.orchestrator.domain.PrimaryRegionHealth;
import com.mskfailover.orchestrator.kafka.BootstrapConnections;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Local stand-in for the primary Region's CloudWatch: the figures MSK publishes there (offline partitions,
 * partitions under min ISR, a controller), taken from the primary cluster itself over its own path, the way MSK's
 * monitoring inside that Region sees it; nothing when the cluster does not answer (SILENT), as MSK stops reporting a
 * cluster it cannot reach. Whether ProbePrimary has seen the primary reachable is set by the test or drill (true
 * unless told otherwise: the stack has been running).
 */
public final class ClusterReportedHealth implements PrimaryRegionHealth {

    private final Supplier<String> bootstrapServers;
    private volatile boolean probeHasSeenPrimaryReachable = true;
    private volatile Report.Status forcedStatus;

    public ClusterReportedHealth(Supplier<String> bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public ClusterReportedHealth probeHasSeenPrimaryReachable(boolean seen) {
        this.probeHasSeenPrimaryReachable = seen;
        return this;
    }

    /** The primary Region's API itself down (UNREADABLE); null to read the cluster again. */
    public ClusterReportedHealth regionApi(Report.Status status) {
        this.forcedStatus = status;
        return this;
    }

    @Override
    public boolean probeHasSeenPrimaryReachable() {
        return probeHasSeenPrimaryReachable;
    }

    @Override
    public Report report() {
        if (forcedStatus != null) {
            return new Report(forcedStatus, "set by the test");
        }
        // CloudWatch answers at once, with no datapoint of a cluster whose brokers are gone: so does this stand-in.
        Optional<String> gone = BootstrapConnections.noneAccepts(bootstrapServers.get(), Duration.ofSeconds(1));
        if (gone.isPresent()) {
            return new Report(Report.Status.SILENT, "the primary cluster reports nothing: " + gone.get());
        }
        Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers.get(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        try (Admin admin = Admin.create(config)) {
            var names = admin.listTopics().names().get(3, TimeUnit.SECONDS);
            Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get(3, TimeUnit.SECONDS);
            Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                    .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList()).all().get(3, TimeUnit.SECONDS);
            long offline = 0;
            long underMinIsr = 0;
            for (TopicDescription topic : topics.values()) {
                int minIsr = Integer.parseInt(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name())).get("min.insync.replicas").value());
                for (TopicPartitionInfo partition : topic.partitions()) {
                    offline += partition.leader() == null || partition.leader().isEmpty() ? 1 : 0;
                    underMinIsr += partition.isr().size() < minIsr ? 1 : 0;
                }
            }
            // Asked last: a cluster that does not answer at all is SILENT from the calls above, without this one's wait.
            boolean controller = activeController(admin);
            String figures = "OfflinePartitionsCount " + offline + ", ActiveControllerCount " + (controller ? 1 : 0)
                    + ", UnderMinIsrPartitionCount " + underMinIsr + " (the cluster's own view of " + topics.keySet().stream().sorted().collect(Collectors.joining(",")) + ")";
            return new Report(offline > 0 || underMinIsr > 0 || !controller ? Report.Status.IMPAIRED : Report.Status.HEALTHY, figures);
        } catch (Exception e) {
            return new Report(Report.Status.SILENT, "the primary cluster reports nothing: " + e);
        }
    }

    /**
     * Whether the KRaft quorum has a leader (MSK's ActiveControllerCount). Not describeCluster's controller: a KRaft
     * broker names some live broker there, and one that lost its quorum (two of three AZs gone) still answers with
     * its last metadata, every partition led and in sync, where MSK reports no active controller.
     */
    private static boolean activeController(Admin admin) throws InterruptedException {
        try {
            return admin.describeMetadataQuorum().quorumInfo().get(3, TimeUnit.SECONDS).leaderId() >= 0;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }
}
