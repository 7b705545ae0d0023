package com.mskfailover.orchestrator.aws;

import com.mskfailover.client.BootstrapAliasResolver;
import com.mskfailover.orchestrator.domain.AlarmStates;
import com.mskfailover.orchestrator.domain.AliasReader;
import com.mskfailover.orchestrator.domain.PrimaryRegionHealth;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.Executions;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.Notifier;
import com.mskfailover.orchestrator.domain.OperationLock;
import com.mskfailover.orchestrator.domain.OrchestratorSettings;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.ReverseMskReplicators;
import com.mskfailover.orchestrator.kafka.KafkaAdminInspector;
import com.mskfailover.orchestrator.kafka.ReplicatorGroupForwardReplication;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.kafka.KafkaClient;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sns.SnsClient;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.route53recoverycluster.Route53RecoveryClusterClient;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.HashMap;
import java.util.function.Supplier;

/**
 * The AWS side of every port, built from the function's environment (template.yaml sets it). Clients are made on
 * first use and kept for the life of the function instance; each honours AWS_ENDPOINT_URL (and
 * AWS_ENDPOINT_URL_ROUTE_53, ...) as the SDK does, which is how tests point them at a local endpoint. Credentials
 * always come from the SDK's default provider chain: in Lambda that is the role's session credentials
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN), which keys alone would not sign for.
 */
public final class AwsPorts implements Ports {

    /** Where replicator-task writes its embedded metrics (its ReplicationMetrics.NAMESPACE); the stack's default. */
    public static final String REPLICATOR_TASK_METRICS_NAMESPACE = "MskFailover/Replicator";
    /**
     * Each AWS API call as a whole, retries included, and each attempt: well inside the functions' 90 s Timeout (the
     * most calls one invocation makes add up to about 60 s at worst), so that a hung call ends as this function's own
     * error, which the state machine retries or reports, rather than as a Lambda timeout.
     */
    static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(10);
    static final Duration API_CALL_ATTEMPT_TIMEOUT = Duration.ofSeconds(5);

    private static volatile AwsPorts shared;

    private final Map<String, String> env;
    private final OrchestratorSettings settings;
    private final Map<String, Object> made = new HashMap<>();

    public AwsPorts(Map<String, String> env) {
        this.env = Map.copyOf(env);
        this.settings = OrchestratorSettings.fromEnvironment(env);
    }

    /** Replaces the instance the no-argument handler constructors use (tests: ports against a local endpoint). */
    public static synchronized void replaceShared(AwsPorts ports) {
        shared = ports;
    }

    /** The instance for this Lambda container, from System.getenv(). */
    public static AwsPorts shared() {
        if (shared == null) {
            synchronized (AwsPorts.class) {
                if (shared == null) {
                    shared = new AwsPorts(System.getenv());
                }
            }
        }
        return shared;
    }

    @Override
    public OrchestratorSettings settings() {
        return settings;
    }

    @Override
    public ClusterDirectory clusterDirectory() {
        return once("clusters", () -> new MskClusterDirectory(this::kafkaClient, settings.kafkaAuth()));
    }

    /** The primary's bootstrap string as the template has it: ProbePrimary reaches the brokers without the MSK API. */
    @Override
    public String primaryBootstrapServers() {
        return OrchestratorSettings.required(env, "PRIMARY_BOOTSTRAP_SERVERS");
    }

    @Override
    public KafkaInspector kafkaInspector() {
        return once("kafka", () -> new KafkaAdminInspector(settings.kafkaAuth()));
    }

    /** ALIAS_SWITCH_MODE: route53-change (UPSERT the TXT records) or arc-routing-control (flip ARC routing controls). */
    @Override
    public BootstrapAliases bootstrapAliases() {
        return once("aliases", () -> switch (env.getOrDefault("ALIAS_SWITCH_MODE", "route53-change")) {
            case "route53-change" -> new Route53BootstrapAliases(
                    once("route53", () -> configured(Route53Client.builder()).region(Region.AWS_GLOBAL).build()),
                    OrchestratorSettings.required(env, "HOSTED_ZONE_ID"),
                    Long.parseLong(env.getOrDefault("ALIAS_TTL_SECONDS", "60")));
            case "arc-routing-control" -> new ArcRoutingControlAliases(
                    // Endpoints may be empty until the operator copies them from the created cluster (README): the
                    // client then fails each call naming the variable, but every handler still starts.
                    new RoutingControlClusterClient(RoutingControlClusterClient.parseEndpoints(env.getOrDefault("ARC_CLUSTER_ENDPOINTS", ""))
                            .stream().map(this::routingControlEndpoint).toList(), API_CALL_TIMEOUT),
                    ArcRoutingControlAliases.parseControls(OrchestratorSettings.required(env, "ARC_ROUTING_CONTROLS")),
                    new ArcRoutingControlAliases.ClusterRecords(settings.primaryClusterArn(), primaryBootstrapServers()),
                    new ArcRoutingControlAliases.ClusterRecords(settings.secondaryClusterArn(), OrchestratorSettings.required(env, "SECONDARY_BOOTSTRAP_SERVERS")));
            default -> throw new IllegalStateException("ALIAS_SWITCH_MODE must be route53-change or arc-routing-control");
        });
    }

    @Override
    public ReplicatorTasks replicatorTasks() {
        return once("tasks", () -> new EcsReplicatorTasks(
                once("ecs", () -> configured(EcsClient.builder()).build()),
                OrchestratorSettings.required(env, "ECS_CLUSTER_ARN"),
                OrchestratorSettings.required(env, "REPLICATOR_TASK_DEFINITION_ARN"),
                env.getOrDefault("REPLICATOR_CONTAINER_NAME", "replicator-task"),
                OrchestratorSettings.list(OrchestratorSettings.required(env, "SUBNET_IDS")),
                OrchestratorSettings.list(OrchestratorSettings.required(env, "SECURITY_GROUP_IDS"))));
    }

    @Override
    public ForwardReplication forwardReplication() {
        return once("forward", () -> switch (env.getOrDefault("FORWARD_REPLICATION_MODE", "msk-replicator")) {
            case "msk-replicator" -> new MskReplicatorForwardReplication(
                    kafkaClient(Region.of(localRegion()).id()), cloudWatch(),
                    OrchestratorSettings.required(env, "FORWARD_REPLICATOR_ARN"), Clock.systemUTC());
            case "replicator-task" -> new ReplicatorTaskForwardReplication(
                    new ReplicatorGroupForwardReplication(kafkaInspector(), clusterDirectory(),
                            settings.primaryClusterArn(), settings.forwardReplicatorName(), settings.topics(),
                            Long.parseLong(env.getOrDefault("FORWARD_MAX_LAG_RECORDS", "1000"))),
                    cloudWatch(), env.getOrDefault("REPLICATOR_TASK_METRICS_NAMESPACE", REPLICATOR_TASK_METRICS_NAMESPACE),
                    settings.forwardReplicatorName(), Clock.systemUTC());
            default -> throw new IllegalStateException("FORWARD_REPLICATION_MODE must be msk-replicator or replicator-task");
        });
    }

    /**
     * REVERSE_REPLICATION_MODE: {@code replicator-task} (the default: the failback runs replicator-task on ECS; this
     * answers null) or {@code msk-replicator} (the failback creates an MSK Replicator in the primary's Region).
     */
    @Override
    public ReverseMskReplicators reverseMskReplicators() {
        return switch (env.getOrDefault("REVERSE_REPLICATION_MODE", "replicator-task")) {
            case "replicator-task" -> null;
            case "msk-replicator" -> once("reverse-msk", () -> {
                String primaryRegion = MskReplicatorReverseReplication.regionOf(settings.primaryClusterArn());
                return new MskReplicatorReverseReplication(this::kafkaClient, primaryRegionCloudWatch(), primaryRegion, OrchestratorSettings.required(env, "REVERSE_REPLICATOR_SERVICE_ROLE_ARN"), Clock.systemUTC());
            });
            default -> throw new IllegalStateException("REVERSE_REPLICATION_MODE must be replicator-task or msk-replicator, not '"
                    + env.get("REVERSE_REPLICATION_MODE") + "' (template parameter ReverseReplicationMode)");
        };
    }

    @Override
    public Notifier notifier() {
        return once("notifier", () -> new SnsNotifier(
                once("sns", () -> configured(SnsClient.builder()).build()),
                OrchestratorSettings.required(env, "NOTIFICATION_TOPIC_ARN")));
    }

    @Override
    public Executions executions() {
        return once("executions", () -> new StepFunctionsExecutions(
                once("sfn", () -> configured(SfnClient.builder()).build()),
                // AcquireOperationLock only describes executions by their ARN: it is not given the state machines'
                // ARNs (they name it in their definitions: naming them back would be a dependency cycle).
                () -> OrchestratorSettings.required(env, "FAILOVER_STATE_MACHINE_ARN"),
                () -> OrchestratorSettings.required(env, "FAILBACK_STATE_MACHINE_ARN")));
    }

    @Override
    public OperationLock operationLock() {
        return once("operation-lock", () -> new DynamoDbOperationLock(
                once("dynamodb", () -> configured(DynamoDbClient.builder()).build()),
                OrchestratorSettings.required(env, "OPERATION_LOCK_TABLE")));
    }

    @Override
    public AlarmStates alarmStates() {
        return once("alarms", () -> new CloudWatchAlarmStates(cloudWatch()));
    }

    @Override
    public PrimaryRegionHealth primaryRegionHealth() {
        return once("primary-region-health", () -> new CloudWatchPrimaryRegionHealth(primaryRegionCloudWatch(), cloudWatch(),
                settings.primaryClusterArn(), Clock.systemUTC()));
    }

    /**
     * The aliases through DNS (ALIAS_DNS_SERVER, or the VPC's resolver when empty), a second at most per try, the
     * alias records' own adapter as the fallback.
     */
    @Override
    public AliasReader aliasReader() {
        String server = env.getOrDefault("ALIAS_DNS_SERVER", "");
        return once("alias-reader", () -> new DnsAliasReader(
                BootstrapAliasResolver.dns(server.isBlank() ? null : server, Duration.ofSeconds(1), 1), bootstrapAliases()));
    }

    /** CloudWatch in the primary cluster's Region (its ARN's), shared by the reverse flow's metrics and the detector. */
    private CloudWatchClient primaryRegionCloudWatch() {
        String primaryRegion = MskReplicatorReverseReplication.regionOf(settings.primaryClusterArn());
        return once("cloudwatch-" + primaryRegion, () -> configured(CloudWatchClient.builder()).region(Region.of(primaryRegion)).build());
    }

    private CloudWatchClient cloudWatch() {
        return once("cloudwatch", () -> configured(CloudWatchClient.builder()).build());
    }

    private KafkaClient kafkaClient(String region) {
        return once("kafka-api-" + region, () -> configured(KafkaClient.builder()).region(Region.of(region)).build());
    }

    private String localRegion() {
        return env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-2"));
    }

    /**
     * The JDK's HTTP client for every SDK client with bounded call times, the SDK's default credentials chain, and
     * the endpoint and Region of this instance's environment when it names them (the SDK would read them from the
     * process environment; a test's AwsPorts has its own).
     */
    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configured(B builder) {
        builder.httpClient(UrlConnectionHttpClient.builder().connectionTimeout(API_CALL_ATTEMPT_TIMEOUT).socketTimeout(API_CALL_ATTEMPT_TIMEOUT).build());
        builder.overrideConfiguration(config -> config.apiCallTimeout(API_CALL_TIMEOUT).apiCallAttemptTimeout(API_CALL_ATTEMPT_TIMEOUT));
        builder.credentialsProvider(credentials());
        if (env.containsKey("AWS_ENDPOINT_URL")) {
            builder.endpointOverride(URI.create(env.get("AWS_ENDPOINT_URL")));
        }
        if (env.containsKey("AWS_REGION")) {
            builder.region(Region.of(env.get("AWS_REGION")));
        }
        return builder;
    }

    /**
     * An SDK client for one of the ARC cluster's endpoints, signed for its Region: a few seconds and no retry of its own,
     * since the next endpoint is the better retry when this one's Region is the impaired one.
     */
    private RoutingControlClusterClient.Endpoint routingControlEndpoint(RoutingControlClusterClient.ClusterEndpoint where) {
        Duration perEndpoint = Duration.ofSeconds(3);
        return new RoutingControlClusterClient.Endpoint(where, Route53RecoveryClusterClient.builder()
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(perEndpoint).socketTimeout(perEndpoint).build())
                .overrideConfiguration(config -> config.apiCallTimeout(perEndpoint).retryStrategy(AwsRetryStrategy.doNotRetry()))
                .credentialsProvider(credentials())
                .endpointOverride(where.uri())
                .region(Region.of(where.region()))
                .build());
    }

    /** The SDK's default chain (in Lambda: the execution role's session credentials, token included), one per instance. */
    private AwsCredentialsProvider credentials() {
        return once("default-credentials", () -> DefaultCredentialsProvider.builder().build());
    }

    @SuppressWarnings("unchecked")
    private <T> T once(String key, Supplier<T> factory) {
        // Not computeIfAbsent: a factory may itself ask for another client, and the map forbids nested updates.
        synchronized (made) {
            Object existing = made.get(key);
            if (existing == null) {
                existing = factory.get();
                made.put(key, existing);
            }
            return (T) existing;
        }
    }
}
