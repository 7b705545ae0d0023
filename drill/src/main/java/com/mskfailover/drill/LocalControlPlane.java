package com.mskfailover.drill;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.local.kafka.LocalKafkaCluster;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.local.stepfunctions.LocalLambdaEndpoint;
import com.mskfailover.local.stepfunctions.LocalStateMachineRunner;
import com.mskfailover.orchestrator.aliases.BootstrapAliasRecord;
import com.mskfailover.orchestrator.aliases.BootstrapAliasResolver;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.domain.OrchestratorSettings;
import com.mskfailover.orchestrator.domain.Timeouts;
import com.mskfailover.orchestrator.handlers.DetectImpairment;
import com.mskfailover.orchestrator.handlers.ProbePrimary;
import com.mskfailover.orchestrator.kafka.KafkaAdminInspector;
import com.mskfailover.orchestrator.kafka.ReplicatorGroupForwardReplication;
import com.mskfailover.orchestrator.local.FileBootstrapAliases;
import com.mskfailover.orchestrator.local.FixedAlarmStates;
import com.mskfailover.orchestrator.local.LocalProcessReplicatorTasks;
import com.mskfailover.orchestrator.local.LocalWiring;
import com.mskfailover.orchestrator.local.RecordingExecutions;
import com.mskfailover.orchestrator.local.RecordingNotifier;
import com.mskfailover.orchestrator.local.StaticClusterDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The orchestrator wired the way the drill runs it: the real handlers behind a local Lambda endpoint, the real
 * state machine files in the local ASL interpreter, and local adapters where AWS would be. The clusters carry the
 * ARNs of the sample inputs in events/, so those files are used as they are.
 */
final class LocalControlPlane implements AutoCloseable {

    static final String PRODUCER_ALIAS = "kafka-producers.msk.internal";
    static final String CONSUMER_ALIAS = "kafka-consumers.msk.internal";
    private static final String FORWARD_REPLICATOR = "replicator-task";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DrillOptions options;
    private final LocalKafkaCluster primary;
    private final LocalKafkaCluster secondary;
    private final String primaryArn;
    private final String secondaryArn;
    private final StaticClusterDirectory clusters;
    private final FileBootstrapAliases aliases;
    private final BootstrapAliasResolver resolver;
    private final LocalProcessReplicatorTasks tasks;
    private final FixedAlarmStates alarms = new FixedAlarmStates();
    private final RecordingExecutions executions = new RecordingExecutions();
    private final RecordingNotifier notifier = new RecordingNotifier(true);
    private final LocalWiring.LocalPorts ports;
    private final Map<String, RequestStreamHandler> handlers;
    private final LocalLambdaEndpoint lambdas;
    private Path forwardTaskLog;

    LocalControlPlane(DrillOptions options, LocalKafkaCluster primary, LocalKafkaCluster secondary) throws IOException {
        this.options = options;
        this.primary = primary;
        this.secondary = secondary;
        JsonNode failbackInput = JSON.readTree(options.projectDir().resolve("events/failback-start.json").toFile());
        this.primaryArn = failbackInput.path("primaryClusterArn").asText();
        this.secondaryArn = failbackInput.path("secondaryClusterArn").asText();
        this.clusters = new StaticClusterDirectory(Map.of(primaryArn, primary.bootstrapServers(), secondaryArn, secondary.bootstrapServers()));
        this.aliases = new FileBootstrapAliases(options.workDir().resolve("bootstrap-aliases.json"));
        this.resolver = new BootstrapAliasResolver(aliases);
        this.tasks = new LocalProcessReplicatorTasks(replicatorCommand(options.projectDir()), options.workDir().resolve("tasks"));

        OrchestratorSettings settings = new OrchestratorSettings(primaryArn, secondaryArn, List.of(PRODUCER_ALIAS), List.of(CONSUMER_ALIAS),
                List.of(Drill.TOPIC), List.of(Drill.GROUP), new Timeouts(60, 300, 300, 120), 300, true,
                "failback-replicator", FORWARD_REPLICATOR, Duration.ofSeconds(2), List.of(alarmName()), "none");
        KafkaAdminInspector kafka = new KafkaAdminInspector("none");
        ForwardReplication forward = new ForwardReplicationFromTask(
                new ReplicatorGroupForwardReplication(kafka, clusters, primaryArn, FORWARD_REPLICATOR, List.of(Drill.TOPIC), 1000),
                () -> forwardTaskLog);
        this.ports = new LocalWiring.LocalPorts(settings, clusters, kafka, aliases, tasks, forward, notifier, alarms, executions);
        // One set of handlers, as one deployed stack has: the Lambda endpoint and the direct invocations share it.
        this.handlers = LocalWiring.handlers(ports);
        this.lambdas = new LocalLambdaEndpoint(handlers);
    }

    /** How a Fargate task of replicator-task runs here: the same jar, in a child JVM. */
    static List<String> replicatorCommand(Path projectDir) {
        Path jar = projectDir.resolve("replicator-task/target/replicator-task.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with mvn -pl replicator-task -am package -DskipTests");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return List.of(java.toString(), "-Xmx256m", "-jar", jar.toString());
    }

    private String alarmName() throws IOException {
        return JSON.readTree(options.projectDir().resolve("events/alarm-primary-impaired.json").toFile())
                .path("detail").path("alarmName").asText();
    }

    /** The stack's initial records: every alias on one cluster. */
    String pointAliasesAt(LocalKafkaCluster cluster) {
        String arn = arnOf(cluster);
        String region = arn.split(":")[3];
        aliases.change(List.of(BootstrapAliasRecord.of(PRODUCER_ALIAS, arn, region, cluster.bootstrapServers()),
                BootstrapAliasRecord.of(CONSUMER_ALIAS, arn, region, cluster.bootstrapServers())), "drill set-up");
        return aliasTargets().toString();
    }

    boolean aliasesPointAt(LocalKafkaCluster cluster) {
        Map<String, String> targets = aliasTargets();
        return targets.size() == 2 && targets.values().stream().allMatch(arnOf(cluster)::equals);
    }

    /** Alias -> the ARN of the cluster it names. */
    Map<String, String> aliasTargets() {
        Map<String, String> targets = new LinkedHashMap<>();
        aliases.read(List.of(PRODUCER_ALIAS, CONSUMER_ALIAS)).forEach((alias, record) -> targets.put(alias, record.clusterArn()));
        return targets;
    }

    String resolveProducerBootstrap() {
        return resolver.resolve(PRODUCER_ALIAS).bootstrapServers();
    }

    String resolveConsumerBootstrap() {
        return resolver.resolve(CONSUMER_ALIAS).bootstrapServers();
    }

    /** The forward flow primary -> secondary, as it runs all along in the blog (there: MSK Replicator). */
    String startForwardReplication() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("SOURCE_BOOTSTRAP_SERVERS", primary.bootstrapServers());
        environment.put("TARGET_BOOTSTRAP_SERVERS", secondary.bootstrapServers());
        environment.put("SOURCE_AUTH", "none");
        environment.put("TARGET_AUTH", "none");
        environment.put("REPLICATOR_NAME", FORWARD_REPLICATOR);
        environment.put("STARTING_POSITION", "earliest");
        // One EMF line a second: the RPO check reads the latest ReplicationLatency from them, as it would from CloudWatch.
        environment.put("METRICS_INTERVAL_MS", "1000");
        String taskId = tasks.start(FORWARD_REPLICATOR, environment);
        forwardTaskLog = tasks.logOf(taskId);
        return taskId;
    }

    /** One run of ProbePrimary (every minute in AWS): its EMF line feeds the stack's PrimaryUnreachableAlarm. */
    boolean primaryReachable() throws IOException {
        String result = ((ProbePrimary) handlers.get("ProbePrimary")).handleJson("{}");
        return JSON.readTree(result).path("reachable").asBoolean();
    }

    /**
     * What EventBridge does with the alarm's state change: invokes DetectImpairment with the event. The failover
     * execution it starts is then run by the local interpreter.
     */
    ExecutionResult raiseAlarmAndRunFailover() throws IOException {
        JsonNode event = JSON.readTree(options.projectDir().resolve("events/alarm-primary-impaired.json").toFile());
        alarms.set(event.path("detail").path("alarmName").asText(), "ALARM");
        DetectImpairment detectImpairment = (DetectImpairment) handlers.get("DetectImpairment");
        String outcome = detectImpairment.handleJson(event.toString());
        Map<String, String> started = executions.started();
        if (started.isEmpty()) {
            throw new IllegalStateException("DetectImpairment started no failover: " + outcome);
        }
        var execution = started.entrySet().iterator().next();
        // A repeated delivery of the same event must start nothing new.
        String repeated = detectImpairment.handleJson(event.toString());
        if (executions.started().size() != 1) {
            throw new IllegalStateException("a repeated alarm event started a second failover: " + repeated);
        }
        return runExecution("failover", execution.getKey(), execution.getValue());
    }

    /** What the operator does: aws stepfunctions start-execution --input file://events/failback-start.json. */
    ExecutionResult runFailback() throws IOException {
        return runExecution("failback", "failback-drill", Files.readString(options.projectDir().resolve("events/failback-start.json")));
    }

    private ExecutionResult runExecution(String machine, String executionName, String input) {
        executions.setRunning(executionName, true);
        try {
            return new LocalStateMachineRunner(lambdas.endpoint())
                    .zeroWaits(!options.realWaits())
                    .timeout(Duration.ofMinutes(15))
                    .run(options.projectDir().resolve("statemachines").resolve(machine + ".asl.json"),
                            LocalWiring.definitionSubstitutions(), input);
        } finally {
            executions.setRunning(executionName, false);
        }
    }

    private String arnOf(LocalKafkaCluster cluster) {
        return cluster == primary ? primaryArn : secondaryArn;
    }

    @Override
    public void close() {
        lambdas.close();
        tasks.stopAll();
    }

    /**
     * The forward replicator-task seen from the control plane: running and keeping up per its consumer group on
     * the primary (the lag contract), and its latest ReplicationLatency from its EMF log lines, the figure
     * CloudWatch would hold.
     */
    private record ForwardReplicationFromTask(ForwardReplication groupView, java.util.function.Supplier<Path> log)
            implements ForwardReplication {

        @Override
        public Status status() {
            return groupView.status();
        }

        @Override
        public Optional<Duration> latestLatency() {
            Path file = log.get();
            if (file == null || !Files.exists(file)) {
                return Optional.empty();
            }
            try {
                List<String> lines = Files.readAllLines(file);
                for (int i = lines.size() - 1; i >= 0; i--) {
                    String line = lines.get(i);
                    if (line.startsWith("{\"_aws\"")) {
                        return Optional.of(Duration.ofMillis(JSON.readTree(line).path("ReplicationLatency").asLong()));
                    }
                }
                return Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }
}
