package com.mskfailover.drill;

import com.mskfailover.contract.ReplicatorEnvironment;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.local.kafka.LocalKafkaCluster;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.local.stepfunctions.LocalLambdaEndpoint;
import com.mskfailover.local.stepfunctions.LocalStateMachineRunner;
import com.mskfailover.client.BootstrapAliasResolver;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.domain.OrchestratorSettings;
import com.mskfailover.orchestrator.domain.Timeouts;
import com.mskfailover.orchestrator.handlers.DetectImpairment;
import com.mskfailover.orchestrator.handlers.ProbePrimary;
import com.mskfailover.orchestrator.kafka.KafkaAdminInspector;
import com.mskfailover.orchestrator.kafka.ReplicatorGroupForwardReplication;
import com.mskfailover.orchestrator.aws.DynamoDbOperationLock;
import com.mskfailover.orchestrator.domain.OperationLock;
import com.mskfailover.orchestrator.local.DynaliteOperationLocks;
import com.mskfailover.orchestrator.local.FileBootstrapAliases;
import com.mskfailover.orchestrator.local.FixedAlarmStates;
import com.mskfailover.orchestrator.local.LocalProcessReplicatorTasks;
import com.mskfailover.orchestrator.local.LocalReverseMskReplicators;
import com.mskfailover.local.msk.LocalCloudWatch;
import com.mskfailover.local.msk.LocalMskReplicator;
import com.mskfailover.orchestrator.local.LocalWiring;
import com.mskfailover.orchestrator.local.RecordingExecutions;
import com.mskfailover.orchestrator.local.RecordingNotifier;
import com.mskfailover.orchestrator.local.StaticClusterDirectory;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.TransientDependencyException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The orchestrator wired the way the drill runs it: the real handlers behind a local Lambda endpoint, the real
 * state machine files in the local ASL interpreter, and local adapters where AWS would be. The clusters carry the
 * ARNs of the sample inputs in events/, so those files are used as they are.
 */
final class LocalControlPlane implements AutoCloseable {

    static final String PRODUCER_ALIAS = "kafka-producers.msk.internal";
    static final String CONSUMER_ALIAS = "kafka-consumers.msk.internal";
    static final String PRIMARY_ARN = "arn:aws:kafka:us-east-1:123456789012:cluster/msk-primary/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-1";
    static final String SECONDARY_ARN = "arn:aws:kafka:us-east-2:123456789012:cluster/msk-secondary/1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809-2";
    private static final String FORWARD_REPLICATOR = "replicator-task";
    static final String REVERSE_REPLICATOR = "failback-replicator";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DrillOptions options;
    private final LocalKafkaCluster primary;
    private final LocalKafkaCluster secondary;
    private final String primaryArn;
    private final String secondaryArn;
    private final StaticClusterDirectory clusters;
    private final FileBootstrapAliases aliasFile;
    private final CountingAliases aliases;
    private final BootstrapAliasResolver resolver;
    private final LocalProcessReplicatorTasks tasks;
    private final FixedAlarmStates alarms = new FixedAlarmStates();
    /** DescribeAlarms throttled (a scenario's fault) while set: every read of the alarms fails as the AWS adapter fails it. */
    private volatile boolean alarmReadsThrottled;
    private final RecordingExecutions executions = new RecordingExecutions();
    /** The real DynamoDB adapter on dynalite (a server of this JVM, a table of this run). */
    private final DynamoDbOperationLock operationLock = DynaliteOperationLocks.fresh();
    private final RecordingNotifier notifier = new RecordingNotifier(true);
    /** What operators do when a notification reaches them (a scenario's people), after it is recorded. */
    private final List<java.util.function.Consumer<RecordingNotifier.Notification>> operators = new CopyOnWriteArrayList<>();
    /** The notification topic: what reaches it is recorded, then handed to the scenario's operators. */
    private final com.mskfailover.orchestrator.domain.Notifier toOperators;
    private final LocalWiring.LocalPorts ports;
    private final LocalWiring wiring;
    private final Map<String, RequestStreamHandler> handlers;
    private final LocalLambdaEndpoint lambdas;
    private final Map<String, List<Fault>> faults = new ConcurrentHashMap<>();
    private final List<String> faultFailures = new CopyOnWriteArrayList<>();
    private Path forwardTaskLog;
    private volatile LocalReverseMskReplicators.StandIn forwardStandIn;
    /**
     * The MSK Replicator stand-ins' CloudWatch: AWS's proportions (creation, per-period Maximum, late datapoints) with
     * half-second periods, so the failback's freshness rule runs as in AWS without waiting minutes.
     */
    private final LocalCloudWatch cloudWatch = new LocalCloudWatch(LocalCloudWatch.Timing.scaled(Duration.ofMillis(500)));
    private final List<Runnable> standIns = new CopyOnWriteArrayList<>();
    /** Names of the reverse MSK Replicators the failbacks created, in order. */
    private final List<String> reverseMskReplicators = new CopyOnWriteArrayList<>();
    private volatile String unreachablePrimary;

    /** What a scenario does to the world just before a function runs (a kill, a second start, ...). */
    interface Fault {
        void inject() throws Exception;
    }

    LocalControlPlane(DrillOptions options, LocalKafkaCluster primary, LocalKafkaCluster secondary) throws IOException {
        this.options = options;
        this.primary = primary;
        this.secondary = secondary;
        // The stack's two clusters (its PrimaryClusterArn and SecondaryClusterArn): the sample inputs do not repeat them.
        this.primaryArn = PRIMARY_ARN;
        this.secondaryArn = SECONDARY_ARN;
        this.clusters = new StaticClusterDirectory(Map.of(primaryArn, primary.bootstrapServers(), secondaryArn, secondary.bootstrapServers()));
        this.aliasFile = new FileBootstrapAliases(options.workDir().resolve("bootstrap-aliases.json"));
        this.aliases = new CountingAliases(aliasFile);
        this.resolver = new BootstrapAliasResolver(aliasFile);
        this.tasks = new LocalProcessReplicatorTasks(replicatorCommand(options.projectDir()), options.workDir().resolve("tasks"));

        // requireForwardThroughput false: as deployed (template.yaml leaves REQUIRE_FORWARD_THROUGHPUT unset).
        OrchestratorSettings settings = new OrchestratorSettings(primaryArn, secondaryArn, List.of(PRODUCER_ALIAS), List.of(CONSUMER_ALIAS),
                List.of(Drill.TOPIC), List.of(Drill.GROUP), new Timeouts(60, 300, 300, 120), 300, false,
                REVERSE_REPLICATOR, FORWARD_REPLICATOR, Duration.ofSeconds(2), List.of(alarmName(), notWritableAlarmName()), "none",
                options.reverseTasks(), 1);
        // The functions reach the primary's brokers over the network path between the Regions, which a scenario may cut.
        KafkaAdminInspector kafka = new KafkaAdminInspector(bootstrap -> KafkaAdminInspector.clientConfig(pathFromTheSecondary(bootstrap), "none"));
        ForwardReplication forward = options.mskReplicator() ? new ForwardFromStandIn(() -> forwardStandIn) : new ForwardReplicationFromTask(
                new ReplicatorGroupForwardReplication(kafka, clusters, primaryArn, FORWARD_REPLICATOR, List.of(Drill.TOPIC), 1000),
                () -> forwardTaskLog);
        // With --forward msk-replicator the failback's reverse flow is an MSK Replicator stand-in too (ReverseReplicationMode).
        LocalReverseMskReplicators reverse = !options.mskReplicator() ? null : new LocalReverseMskReplicators(clusters,
                (name, source, target, topics) -> reverseStandIn(name, LocalMskReplicator.start(new LocalMskReplicator.Config(name, source, target, topics,
                        LocalMskReplicator.StartingPosition.EARLIEST, List.of()), cloudWatch)));
        this.toOperators = (subject, message) -> {
            notifier.publish(subject, message);
            operators.forEach(operator -> operator.accept(new RecordingNotifier.Notification(subject, message)));
        };
        com.mskfailover.orchestrator.domain.AlarmStates alarmReads = new com.mskfailover.orchestrator.domain.AlarmStates() {
            @Override
            public Optional<String> stateOf(String alarmName) {
                throwWhileThrottled(List.of(alarmName));
                return alarms.stateOf(alarmName);
            }

            @Override
            public Map<String, State> current(java.util.Collection<String> alarmNames) {
                throwWhileThrottled(alarmNames);
                return alarms.current(alarmNames);
            }
        };
        this.ports = new LocalWiring.LocalPorts(settings, clusters, kafka, aliases, tasks, forward, toOperators, alarmReads, executions, reverse,
                operationLock);
        // One set of handlers, as one deployed stack has: the Lambda endpoint and the direct invocations share it.
        this.wiring = LocalWiring.of(options.projectDir());
        this.handlers = wiring.handlers(ports);
        Map<String, RequestStreamHandler> served = new LinkedHashMap<>();
        handlers.forEach((name, handler) -> served.put(name, (in, out, context) -> {
            injectFaults(name);
            handler.handleRequest(in, out, context);
        }));
        this.lambdas = new LocalLambdaEndpoint(served);
    }

    /**
     * Cuts (or mends) the network path from the secondary Region's functions to the primary's brokers, as a missing
     * peering route, security group rule or NACL would: their Kafka clients get a port where nothing listens instead.
     * The primary itself, its clients in its own Region and its Region's view of it (ClusterReportedHealth, what
     * MSK's metrics there report) are untouched.
     */
    void cutThePathToThePrimary(boolean cut) throws IOException {
        if (cut) {
            try (java.net.ServerSocket nothingListens = new java.net.ServerSocket(0)) {
                unreachablePrimary = "127.0.0.1:" + nothingListens.getLocalPort();
            }
        } else {
            unreachablePrimary = null;
        }
    }

    private String pathFromTheSecondary(String bootstrapServers) {
        String cut = unreachablePrimary;
        return cut != null && bootstrapServers.equals(primary.bootstrapServers()) ? cut : bootstrapServers;
    }

    /** Runs the fault once, just before the next invocation of the function (through the Lambda endpoint). */
    void beforeNextCall(String function, Fault fault) {
        faults.computeIfAbsent(function, name -> new CopyOnWriteArrayList<>()).add(fault);
    }

    /** Called with each notification once it is published, on the publishing function's thread: hand slow work to another. */
    void onNotification(java.util.function.Consumer<RecordingNotifier.Notification> operator) {
        operators.add(operator);
    }

    /** Faults that could not be injected (each fails the scenario: its subject was not rehearsed). */
    List<String> faultFailures() {
        return List.copyOf(faultFailures);
    }

    private void injectFaults(String function) {
        List<Fault> pending = faults.remove(function);
        if (pending == null) {
            return;
        }
        for (Fault fault : pending) {
            try {
                fault.inject();
            } catch (Exception e) {
                faultFailures.add("before " + function + ": " + e);
            }
        }
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

    String alarmName() throws IOException {
        return JSON.readTree(options.projectDir().resolve("events/alarm-primary-impaired.json").toFile())
                .path("detail").path("alarmName").asText();
    }

    /** The stack's other alarm (template.yaml PrimaryNotWritableAlarm): the canary's, named after the same stack. */
    String notWritableAlarmName() throws IOException {
        return alarmName().replace("-primary-unreachable", "-primary-not-writable");
    }

    /** CloudWatch DescribeAlarms throttled (true) or answering again (false). */
    void throttleAlarmReads(boolean throttled) {
        alarmReadsThrottled = throttled;
    }

    private void throwWhileThrottled(java.util.Collection<String> alarmNames) {
        if (alarmReadsThrottled) {
            // The text CloudWatchAlarmStates gives it (AwsErrors): what the operators then read.
            throw new TransientDependencyException("describing alarms " + alarmNames
                    + " failed: Throttling (HTTP 400): Rate exceeded (Service: CloudWatch, Status Code: 400) (drill)", null);
        }
    }

    /** The stack's initial records: every alias on one cluster. */
    String pointAliasesAt(LocalKafkaCluster cluster) {
        String arn = arnOf(cluster);
        String region = arn.split(":")[3];
        aliasFile.change(List.of(BootstrapAliasRecord.of(PRODUCER_ALIAS, arn, region, cluster.bootstrapServers()),
                BootstrapAliasRecord.of(CONSUMER_ALIAS, arn, region, cluster.bootstrapServers())), "drill set-up");
        return aliasTargets().toString();
    }

    boolean aliasesPointAt(LocalKafkaCluster cluster) {
        Map<String, String> targets = aliasTargets();
        return targets.size() == 2 && targets.values().stream().allMatch(arnOf(cluster)::equals);
    }

    /** Which cluster an alias names now: primary or secondary. */
    String aliasTarget(String alias) {
        String arn = aliasTargets().get(alias);
        return primaryArn.equals(arn) ? "primary" : secondaryArn.equals(arn) ? "secondary" : String.valueOf(arn);
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
        if (options.mskReplicator()) {
            // As the blog's: identical names, from earliest, consumer group offsets synced (LEGACY).
            forwardStandIn = standIn(LocalMskReplicator.start(new LocalMskReplicator.Config("msk-forward", primary.bootstrapServers(),
                    secondary.bootstrapServers(), List.of(Drill.TOPIC), LocalMskReplicator.StartingPosition.EARLIEST, List.of(Drill.GROUP)),
                    cloudWatch));
            return "local MSK Replicator msk-forward";
        }
        Map<String, String> environment = ReplicatorEnvironment.flow(FORWARD_REPLICATOR, primary.bootstrapServers(), secondary.bootstrapServers())
                .auth("none").fromEarliest()
                // One EMF line a second: the RPO check reads the latest ReplicationLatency from them, as it would from CloudWatch.
                .with("METRICS_INTERVAL_MS", "1000")
                .toMap();
        String taskId = tasks.start(FORWARD_REPLICATOR, environment);
        forwardTaskLog = tasks.logOf(taskId);
        return taskId;
    }

    /** One run of ProbePrimary (every minute in AWS): its EMF line feeds the stack's PrimaryUnreachableAlarm. */
    boolean primaryReachable() throws IOException {
        return probePrimary().path("reachable").asBoolean();
    }

    /** ProbePrimary's result: reachable (PrimaryReachable) and canaryWritable (PrimaryCanaryWritable, the not-writable alarm's input). */
    JsonNode probePrimary() throws IOException {
        return JSON.readTree(((ProbePrimary) handlers.get("ProbePrimary")).handleJson("{}"));
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

    /** What the operator does after deploying, and the schedule daily: the preflight (statemachines/preflight.asl.json). */
    ExecutionResult runPreflight() {
        return runExecution("preflight", "preflight-drill", "{}");
    }

    /** What the operator does: aws stepfunctions start-execution --input file://events/failback-start.json. */
    ExecutionResult runFailback() throws IOException {
        return runFailback("failback-drill", input -> input);
    }

    /** What the operator does for a planned failover: start-execution --input file://events/planned-failover-start.json. */
    ExecutionResult runPlannedFailover() throws IOException {
        return runExecution("failover", "planned-failover-drill",
                Files.readString(options.projectDir().resolve("events/planned-failover-start.json")));
    }

    /** A failback with the sample input as changed by {@code edit} (e.g. shorter timeouts), under its own name. */
    ExecutionResult runFailback(String executionName, UnaryOperator<ObjectNode> edit) throws IOException {
        ObjectNode input = (ObjectNode) JSON.readTree(options.projectDir().resolve("events/failback-start.json").toFile());
        return runExecution("failback", executionName, edit.apply(input).toString());
    }

    /**
     * Hands DetectImpairment an alarm state change as EventBridge would (the sample event of that state, with its own
     * state timestamp), the alarm being in that state now; returns the decision (STARTED, DUPLICATE, IGNORED, REFUSED).
     */
    String deliverAlarm(String state, java.time.Instant changedAt) throws IOException {
        return deliverAlarm(alarmName(), state, changedAt);
    }

    /** {@link #deliverAlarm(String, java.time.Instant)} for the watched alarm of that name (the sample event renamed). */
    String deliverAlarm(String alarmName, String state, java.time.Instant changedAt) throws IOException {
        String outcome = ((DetectImpairment) handlers.get("DetectImpairment")).handleJson(alarmEvent(alarmName, state, changedAt).toString());
        return JSON.readTree(outcome).path("decision").asText() + ": " + JSON.readTree(outcome).path("reason").asText();
    }

    /** The sample event of that state, renamed and stamped; the alarm is put in that state now, as CloudWatch would be. */
    ObjectNode alarmEvent(String alarmName, String state, java.time.Instant changedAt) throws IOException {
        String file = "ALARM".equals(state) ? "events/alarm-primary-impaired.json" : "events/alarm-primary-recovered.json";
        ObjectNode event = (ObjectNode) JSON.readTree(options.projectDir().resolve(file).toFile());
        ((ObjectNode) event.path("detail")).put("alarmName", alarmName);
        ((ObjectNode) event.path("detail").path("state")).put("timestamp", changedAt.toString().replace("Z", "+0000"));
        alarms.set(alarmName, state);
        return event;
    }

    /**
     * What Lambda does with an asynchronous invocation of DetectImpairment (EventBridge's), as template.yaml configures
     * it (EventInvokeConfig of DetectImpairmentFunction): the event is invoked once and again on each error up to
     * MaximumRetryAttempts; if every attempt failed, the invocation record goes to the OnFailure destination, the
     * notification topic. (Lambda waits a minute, then two, between attempts: left out here.)
     */
    AsyncInvocation invokeDetectImpairmentAsynchronously(JsonNode event) throws IOException {
        JsonNode invokeConfig = templateResource("DetectImpairmentFunction").path("Properties").path("EventInvokeConfig");
        JsonNode onFailure = invokeConfig.path("DestinationConfig").path("OnFailure");
        if (!invokeConfig.path("MaximumRetryAttempts").isInt() || !"SNS".equals(onFailure.path("Type").asText())
                || !"NotificationTopic".equals(onFailure.path("Destination").asText())) {
            throw new IllegalStateException("template.yaml: DetectImpairmentFunction's EventInvokeConfig must set MaximumRetryAttempts and an "
                    + "OnFailure destination of Type SNS, the NotificationTopic; it is " + invokeConfig);
        }
        int attempts = 1 + invokeConfig.path("MaximumRetryAttempts").asInt();
        DetectImpairment detectImpairment = (DetectImpairment) handlers.get("DetectImpairment");
        RuntimeException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                String outcome = detectImpairment.handleJson(event.toString());
                return new AsyncInvocation(attempts, attempt, attempt - 1, JSON.readTree(outcome), null);
            } catch (RuntimeException e) {
                last = e;
            }
        }
        ObjectNode record = onFailureRecord(event, attempts, last);
        // Lambda publishes it with no subject: e-mail subscribers see SNS's default one.
        toOperators.publish("AWS Notification Message", record.toPrettyString());
        return new AsyncInvocation(attempts, attempts, attempts, null, record);
    }

    /** A resource of template.yaml as deployed (CloudFormation's short tags read as their plain value: !Ref X is X). */
    JsonNode templateResource(String logicalId) throws IOException {
        JsonNode resource = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(options.projectDir().resolve("template.yaml").toFile()).path("Resources").path(logicalId);
        if (resource.isMissingNode()) {
            throw new IllegalStateException("template.yaml has no resource " + logicalId);
        }
        return resource;
    }

    /** The stack's name, as its alarms carry it (the sample event's alarm is ${AWS::StackName}-primary-unreachable). */
    String stackName() throws IOException {
        return alarmName().replace("-primary-unreachable", "");
    }

    /** What CloudWatch sends to an alarm's actions (the notification topic) when it goes to ALARM: its subject and its JSON. */
    void publishAlarmAction(String alarmName, String reason) {
        ObjectNode message = JSON.createObjectNode();
        message.put("AlarmName", alarmName);
        message.put("NewStateValue", "ALARM");
        message.put("NewStateReason", reason);
        message.put("StateChangeTime", java.time.Instant.now().toString());
        message.put("Region", "US East (Ohio)");
        toOperators.publish("ALARM: \"" + alarmName + "\" in US East (Ohio)", message.toPrettyString());
    }

    /**
     * The record Lambda sends to an on-failure destination (docs: "Capturing records of Lambda asynchronous
     * invocations"); a Java function's unhandled exception gives errorType (its class), errorMessage and stackTrace.
     */
    private static ObjectNode onFailureRecord(JsonNode event, int invokeCount, RuntimeException error) {
        ObjectNode record = JSON.createObjectNode();
        record.put("version", "1.0");
        record.put("timestamp", java.time.Instant.now().toString());
        ObjectNode requestContext = record.putObject("requestContext");
        requestContext.put("requestId", java.util.UUID.randomUUID().toString());
        requestContext.put("functionArn", "arn:aws:lambda:us-east-2:123456789012:function:msk-failover-DetectImpairmentFunction:$LATEST");
        requestContext.put("condition", "RetriesExhausted");
        requestContext.put("approximateInvokeCount", invokeCount);
        record.set("requestPayload", event);
        ObjectNode responseContext = record.putObject("responseContext");
        responseContext.put("statusCode", 200);
        responseContext.put("executedVersion", "$LATEST");
        responseContext.put("functionError", "Unhandled");
        ObjectNode responsePayload = record.putObject("responsePayload");
        responsePayload.put("errorMessage", error.getMessage());
        responsePayload.put("errorType", error.getClass().getName());
        var stackTrace = responsePayload.putArray("stackTrace");
        java.util.Arrays.stream(error.getStackTrace()).limit(5).forEach(frame -> stackTrace.add(frame.toString()));
        return record;
    }

    /**
     * One asynchronous invocation as Lambda ran it: of {@code attemptsAllowed} (1 + MaximumRetryAttempts),
     * {@code invocations} made, of which {@code errors} failed (what the function's Errors metric counts); the outcome
     * of the one that succeeded, or the record sent on failure.
     */
    record AsyncInvocation(int attemptsAllowed, int invocations, int errors, JsonNode outcome, JsonNode failureRecord) {
    }

    /** EventBridge's schedule firing (RecheckEveryMinute, rate(1 minute)): the sample event stamped now, to DetectImpairment. */
    String recheck() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(options.projectDir().resolve("events/scheduled-recheck.json").toFile());
        event.put("time", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        String outcome = ((DetectImpairment) handlers.get("DetectImpairment")).handleJson(event.toString());
        return JSON.readTree(outcome).path("decision").asText() + ": " + JSON.readTree(outcome).path("reason").asText();
    }

    /** The failover execution DetectImpairment started last (name -> input), run by the local interpreter. */
    ExecutionResult runStartedFailover() {
        var execution = executions.started().entrySet().stream().reduce((first, second) -> second)
                .orElseThrow(() -> new IllegalStateException("DetectImpairment started no failover"));
        return runExecution("failover", execution.getKey(), execution.getValue());
    }

    /** A failover started by hand under this name (events/failover-start.json), run by the local interpreter. */
    ExecutionResult runFailover(String executionName) throws IOException {
        return runExecution("failover", executionName, Files.readString(options.projectDir().resolve("events/failover-start.json")));
    }

    /** The failover DetectImpairment started under this name, run by the local interpreter. */
    ExecutionResult runStartedFailover(String executionName) {
        String input = executions.started().get(executionName);
        if (input == null) {
            throw new IllegalStateException("DetectImpairment started no failover named " + executionName + ": " + executions.started().keySet());
        }
        return runExecution("failover", executionName, input);
    }

    /** Names of the failovers DetectImpairment started, in order. */
    List<String> startedFailovers() {
        return List.copyOf(executions.started().keySet());
    }

    /** Who holds the operation lock now (read consistently). */
    Optional<OperationLock.Holder> operationLockHolder() {
        return operationLock.holder();
    }

    /**
     * Leaves the operation lock as an execution killed mid-way leaves it: held by it until {@code leaseUntil}, no
     * release; {@code listedRunning}: Step Functions still says RUNNING (what only the lease then frees).
     */
    String leaveOperationLock(String machine, String executionName, java.time.Instant leaseUntil, boolean listedRunning) {
        String arn = executionArn(machine, executionName);
        operationLock.acquire(new OperationLock.Holder(arn, machine, java.time.Instant.now(), leaseUntil), java.time.Instant.now());
        executions.setRunning(executionName, listedRunning);
        return arn;
    }

    /** $$.Execution.Id of a local execution (the runner names the state machine after its file). */
    static String executionArn(String machine, String executionName) {
        return "arn:aws:states:us-east-2:000000000000:execution:" + machine + ":" + executionName;
    }

    int failoversStarted() {
        return executions.started().size();
    }

    List<RecordingNotifier.Notification> notifications() {
        return notifier.notifications();
    }

    /** Alias changes the store accepted, each as the aliases it held (one change = one Route 53 change batch). */
    List<List<String>> aliasChanges() {
        return aliases.accepted();
    }

    /** The alias store refuses the next {@code times} changes as Route 53 does when throttling (Rate exceeded). */
    void throttleAliasChanges(int times) {
        aliases.refuseNext(times);
    }

    /** Every failback replicator-task started so far, running or not; with --forward msk-replicator, every reverse MSK Replicator created. */
    List<String> reverseTasks() {
        return options.mskReplicator() ? List.copyOf(reverseMskReplicators) : tasks.startedTasks(REVERSE_REPLICATOR);
    }

    Optional<String> runningReverseTask() {
        return tasks.findActive(REVERSE_REPLICATOR).stream().findFirst();
    }

    /** kill -9 of the failback's replicator-task, like a Fargate task lost with its host. */
    String killReverseTask() {
        String taskId = runningReverseTask().orElseThrow(() -> new IllegalStateException("no failback replicator-task runs"));
        tasks.kill(taskId);
        return taskId;
    }

    String reverseTaskState(String taskId) {
        return tasks.state(taskId).status() + " (" + tasks.state(taskId).detail() + ")";
    }

    private ExecutionResult runExecution(String machine, String executionName, String input) {
        executions.setRunning(executionName, true);
        try {
            return new LocalStateMachineRunner(lambdas.endpoint())
                    .executionName(executionName)
                    .zeroWaits(!options.realWaits())
                    .timeout(Duration.ofMinutes(15))
                    .run(options.projectDir().resolve("statemachines").resolve(machine + ".asl.json"),
                            wiring.definitionSubstitutions(), input);
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
        standIns.forEach(Runnable::run);
    }

    private LocalReverseMskReplicators.StandIn reverseStandIn(String name, LocalMskReplicator replicator) {
        reverseMskReplicators.add(name);
        return standIn(replicator);
    }

    /** local-testkit's MSK Replicator stand-in as the orchestrator's local port sees it; closed with the control plane. */
    private LocalReverseMskReplicators.StandIn standIn(LocalMskReplicator replicator) {
        standIns.add(replicator::close);
        return LocalReverseMskReplicators.StandIn.of(replicator);
    }

    /** The forward MSK Replicator stand-in, once started. */
    private record ForwardFromStandIn(java.util.function.Supplier<LocalReverseMskReplicators.StandIn> standIn) implements ForwardReplication {
        @Override
        public Status status() {
            return standIn.get() == null ? new Status(false, 0, "not started") : LocalReverseMskReplicators.forward(standIn.get()).status();
        }

        @Override
        public java.util.List<com.mskfailover.orchestrator.domain.MetricDatapoint> latencyBefore(java.time.Instant until, Duration lookback) {
            return LocalReverseMskReplicators.latencyAsAMinuteBefore(until, standIn.get() == null ? Optional.empty() : standIn.get().latency().get());
        }

        @Override
        public java.util.OptionalLong messageLag(java.time.Instant since) {
            return standIn.get() == null ? java.util.OptionalLong.empty() : LocalReverseMskReplicators.forward(standIn.get()).messageLag(since);
        }

        @Override
        public Optional<String> offsetSyncMarker() {
            return Optional.empty();
        }
    }

    /**
     * The alias store as the orchestrator sees it: the file the clients resolve, able to refuse changes as Route 53
     * does when it throttles, and keeping what each accepted change held.
     */
    private static final class CountingAliases implements BootstrapAliases {
        private final FileBootstrapAliases file;
        private final AtomicInteger refusals = new AtomicInteger();
        private final List<List<String>> accepted = new CopyOnWriteArrayList<>();

        CountingAliases(FileBootstrapAliases file) {
            this.file = file;
        }

        void refuseNext(int times) {
            refusals.set(times);
        }

        List<List<String>> accepted() {
            return List.copyOf(accepted);
        }

        @Override
        public Map<String, BootstrapAliasRecord> read(java.util.Collection<String> aliasNames) {
            return file.read(aliasNames);
        }

        @Override
        public String change(List<BootstrapAliasRecord> records, String comment) {
            if (refusals.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                throw new TransientDependencyException("Route 53 ChangeResourceRecordSets: Throttling: Rate exceeded (drill)", null);
            }
            String changeId = file.change(records, comment);
            accepted.add(records.stream().map(BootstrapAliasRecord::aliasName).toList());
            return changeId;
        }

        @Override
        public boolean isInSync(String changeId) {
            return file.isInSync(changeId);
        }
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
        public java.util.OptionalLong messageLag(java.time.Instant since) {
            return groupView.messageLag(since);
        }

        @Override
        public Optional<String> offsetSyncMarker() {
            return groupView.offsetSyncMarker();
        }

        @Override
        public java.util.List<com.mskfailover.orchestrator.domain.MetricDatapoint> latencyBefore(java.time.Instant until, Duration lookback) {
            return LocalReverseMskReplicators.latencyAsAMinuteBefore(until, latestLatency());
        }

        private Optional<Duration> latestLatency() {
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
