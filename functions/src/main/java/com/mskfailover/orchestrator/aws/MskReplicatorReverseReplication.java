package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.MetricDatapoint;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.ReverseMskReplicators;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.kafka.KafkaClient;
import software.amazon.awssdk.services.kafka.model.Cluster;
import software.amazon.awssdk.services.kafka.model.KafkaCluster;
import software.amazon.awssdk.services.kafka.model.NotFoundException;
import software.amazon.awssdk.services.kafka.model.ReplicationStartingPositionType;
import software.amazon.awssdk.services.kafka.model.ReplicationTopicNameConfigurationType;
import software.amazon.awssdk.services.kafka.model.ReplicatorSummary;
import software.amazon.awssdk.services.kafka.model.TargetCompressionType;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The failback's reverse flow as an MSK Replicator, as the MSK Developer Guide's failback for identical topic names
 * does it: secondary -> primary, identical topic names, starting at earliest. A replicator runs in its target
 * cluster's Region, so every call goes to the primary's Region (kafka:CreateReplicator, DescribeReplicator,
 * ListReplicators, DeleteReplicator; DescribeClusterV2 of each cluster in its own Region for the subnets and
 * security groups the replicator connects through) and its MessageLag is read from CloudWatch there (AWS/Kafka,
 * dimension ReplicatorName). Consumer group offsets are not synchronised by the replicator: the failback's drain
 * hands them over exactly itself (see GroupOffsetHandover).
 */
public final class MskReplicatorReverseReplication implements ReverseMskReplicators {

    private static final Set<String> ACTIVE = Set.of("CREATING", "RUNNING", "UPDATING");

    private final Function<String, KafkaClient> kafkaInRegion;
    private final CloudWatchReplicatorMetrics primaryRegionMetrics;
    private final String primaryRegion;
    private final String serviceExecutionRoleArn;

    /**
     * @param kafkaInRegion           the MSK API client of a Region
     * @param primaryRegionCloudWatch CloudWatch in the primary's Region (where the reverse replicator publishes)
     * @param serviceExecutionRoleArn the role MSK Replicator assumes to read the secondary and write the primary
     */
    public MskReplicatorReverseReplication(Function<String, KafkaClient> kafkaInRegion, CloudWatchClient primaryRegionCloudWatch,
                                           String primaryRegion, String serviceExecutionRoleArn, Clock clock) {
        this.kafkaInRegion = kafkaInRegion;
        this.primaryRegionMetrics = new CloudWatchReplicatorMetrics(primaryRegionCloudWatch, "AWS/Kafka", clock);
        this.primaryRegion = primaryRegion;
        this.serviceExecutionRoleArn = serviceExecutionRoleArn;
    }

    @Override
    public Optional<String> findActive(String replicatorName) {
        List<ReplicatorSummary> found = AwsErrors.call("listing replicators named " + replicatorName, () -> primary()
                .listReplicators(request -> request.replicatorNameFilter(replicatorName)).replicators());
        return found.stream()
                .filter(replicator -> replicator.replicatorName().equals(replicatorName))
                .filter(replicator -> ACTIVE.contains(replicator.replicatorStateAsString()))
                .map(ReplicatorSummary::replicatorArn)
                .findFirst();
    }

    @Override
    public String create(Spec spec) {
        KafkaCluster source = cluster(spec.sourceClusterArn());
        KafkaCluster target = cluster(spec.targetClusterArn());
        return AwsErrors.call("creating replicator " + spec.name(), () -> primary().createReplicator(request -> request
                .replicatorName(spec.name())
                .description("msk-failover failback: " + spec.sourceClusterArn() + " -> " + spec.targetClusterArn())
                .serviceExecutionRoleArn(serviceExecutionRoleArn)
                .kafkaClusters(source, target)
                .replicationInfoList(info -> info
                        .sourceKafkaClusterArn(spec.sourceClusterArn())
                        .targetKafkaClusterArn(spec.targetClusterArn())
                        .targetCompressionType(TargetCompressionType.NONE)
                        .topicReplication(topics -> topics
                                .topicsToReplicate(spec.topics().stream().map(topic -> "^" + Pattern.quote(topic) + "$").toList())
                                .topicNameConfiguration(name -> name.type(ReplicationTopicNameConfigurationType.IDENTICAL))
                                .startingPosition(position -> position.type(ReplicationStartingPositionType.EARLIEST))
                                .copyTopicConfigurations(true)
                                .copyAccessControlListsForTopics(false)
                                .detectAndCopyNewTopics(false))
                        .consumerGroupReplication(groups -> groups
                                .consumerGroupsToReplicate(spec.groups().stream().map(group -> "^" + Pattern.quote(group) + "$").toList())
                                .synchroniseConsumerGroupOffsets(false)
                                .detectAndCopyNewConsumerGroups(false))))
                .replicatorArn());
    }

    @Override
    public ReplicatorTasks.TaskState state(String replicatorArn) {
        try {
            var replicator = primary().describeReplicator(request -> request.replicatorArn(replicatorArn));
            String state = replicator.replicatorStateAsString();
            String detail = "MSK Replicator " + replicator.replicatorName() + " " + state
                    + (replicator.stateInfo() == null || replicator.stateInfo().message() == null ? "" : ": " + replicator.stateInfo().message());
            return new ReplicatorTasks.TaskState(ACTIVE.contains(state) ? state : "STOPPED", detail);
        } catch (NotFoundException e) {
            return new ReplicatorTasks.TaskState("STOPPED", "MSK Replicator " + replicatorArn + " does not exist (deleted)");
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw AwsErrors.translate("describing replicator " + replicatorArn, e);
        }
    }

    @Override
    public List<MetricDatapoint> messageLag(String replicatorArn) {
        return primaryRegionMetrics.datapoints(nameOf(replicatorArn), "MessageLag", "Maximum");
    }

    @Override
    public void delete(String replicatorArn) {
        try {
            primary().deleteReplicator(request -> request.replicatorArn(replicatorArn));
        } catch (NotFoundException e) {
            // already deleted: a re-run of the last steps
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw AwsErrors.translate("deleting replicator " + replicatorArn, e);
        }
    }

    /** Actions a cross-Region replicator's service principal must be allowed on its source cluster (its cluster policy). */
    static final List<String> SOURCE_POLICY_ACTIONS = List.of("kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers", "kafka:DescribeClusterV2");

    @Override
    public List<String> sourceClusterPrerequisitesMissing(String sourceClusterArn) {
        String region = regionOf(sourceClusterArn);
        List<String> missing = new java.util.ArrayList<>();
        Cluster cluster = AwsErrors.call("describing cluster " + sourceClusterArn, () -> kafkaInRegion.apply(region)
                .describeClusterV2(request -> request.clusterArn(sourceClusterArn)).clusterInfo());
        // Serverless source clusters need no multi-VPC connectivity (MSK Developer Guide).
        if (cluster.provisioned() != null && !multiVpcIamEnabled(cluster)) {
            missing.add("multi-VPC private connectivity for IAM is off on " + sourceClusterArn + " (turn it on: aws kafka update-connectivity"
                    + " --region " + region + " --cluster-arn " + sourceClusterArn
                    + " --current-version <CurrentVersion> --connectivity-info '{\"VpcConnectivity\":{\"ClientAuthentication\":{\"Sasl\":{\"Iam\":{\"Enabled\":true}}}}}')");
        }
        String policy;
        try {
            policy = kafkaInRegion.apply(region).getClusterPolicy(request -> request.clusterArn(sourceClusterArn)).policy();
        } catch (NotFoundException e) {
            policy = null;
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw AwsErrors.translate("reading the cluster policy of " + sourceClusterArn, e);
        }
        List<String> notAllowed = policy == null ? SOURCE_POLICY_ACTIONS : SourceClusterPolicy.actionsNotAllowedToMsk(policy, SOURCE_POLICY_ACTIONS);
        if (!notAllowed.isEmpty()) {
            missing.add((policy == null ? "no cluster policy on " + sourceClusterArn : "the cluster policy of " + sourceClusterArn
                    + " does not let kafka.amazonaws.com call " + notAllowed) + " (put one that allows the service principal kafka.amazonaws.com "
                    + SOURCE_POLICY_ACTIONS + " on it: aws kafka put-cluster-policy --region " + region + " --cluster-arn " + sourceClusterArn
                    + " --policy file://policy.json; docs/deploy.md, \"The secondary cluster for MSK Replicator failback\")");
        }
        return missing;
    }

    private static boolean multiVpcIamEnabled(Cluster cluster) {
        var connectivity = cluster.provisioned().brokerNodeGroupInfo() == null ? null : cluster.provisioned().brokerNodeGroupInfo().connectivityInfo();
        var vpc = connectivity == null ? null : connectivity.vpcConnectivity();
        var auth = vpc == null ? null : vpc.clientAuthentication();
        var sasl = auth == null ? null : auth.sasl();
        return sasl != null && sasl.iam() != null && Boolean.TRUE.equals(sasl.iam().enabled());
    }

    /** The cluster as CreateReplicator takes it: its ARN and the subnets and security groups its clients use. */
    private KafkaCluster cluster(String clusterArn) {
        Cluster cluster = AwsErrors.call("describing cluster " + clusterArn, () -> kafkaInRegion.apply(regionOf(clusterArn))
                .describeClusterV2(request -> request.clusterArn(clusterArn)).clusterInfo());
        List<String> subnets;
        List<String> securityGroups;
        if (cluster.provisioned() != null) {
            subnets = cluster.provisioned().brokerNodeGroupInfo().clientSubnets();
            securityGroups = cluster.provisioned().brokerNodeGroupInfo().securityGroups();
        } else {
            subnets = cluster.serverless().vpcConfigs().getFirst().subnetIds();
            securityGroups = cluster.serverless().vpcConfigs().getFirst().securityGroupIds();
        }
        return KafkaCluster.builder()
                .amazonMskCluster(msk -> msk.mskClusterArn(clusterArn))
                .vpcConfig(vpc -> vpc.subnetIds(subnets).securityGroupIds(securityGroups))
                .build();
    }

    private KafkaClient primary() {
        return kafkaInRegion.apply(primaryRegion);
    }

    /** arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID -> REGION */
    static String regionOf(String arn) {
        String[] parts = arn.split(":");
        if (parts.length < 6 || !parts[2].equals("kafka") || parts[3].isEmpty()) {
            throw new IllegalStateException("'" + arn + "' is not an MSK cluster ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID): "
                    + "check PrimaryClusterArn and SecondaryClusterArn");
        }
        return parts[3];
    }

    /** arn:aws:kafka:REGION:ACCOUNT:replicator/NAME/UUID -> NAME (the metrics' ReplicatorName dimension) */
    static String nameOf(String replicatorArn) {
        String[] resource = replicatorArn.split(":", 6)[5].split("/");
        return resource.length > 1 ? resource[1] : replicatorArn;
    }
}
