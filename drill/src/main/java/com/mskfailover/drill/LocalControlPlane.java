package com.mskfailover.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.local.kafka.LocalKafkaCluster;
import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.local.stepfunctions.LocalLambdaEndpoint;
import com.mskfailover.local.stepfunctions.LocalStateMachineRunner;
import com.mskfailover.orchestrator.aliases.BootstrapAliasRecord;
import com.mskfailover.orchestrator.aliases.BootstrapAliasResolver;
import com.mskfailover.orchestrator.domain.OrchestratorSettings;
import com.mskfailover.orchestrator.local.FileBootstrapAliases;
import com.mskfailover.orchestrator.local.FixedAlarmStates;
import com.mskfailover.orchestrator.local.LocalProcessReplicatorTasks;
import com.mskfailover.orchestrator.local.RecordingExecutions;
import com.mskfailover.orchestrator.local.RecordingNotifier;
import com.mskfailover.orchestrator.local.StaticClusterDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The orchestrator wired the way the drill runs it: the real handlers behind a local Lambda endpoint, the real
 * state machine files in the local ASL interpreter, and local adapters where AWS would be. The clusters are named
 * by the ARNs of the sample events, so the events in events/ are used as they are.
 */
final class LocalControlPlane implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DrillOptions options;
    private final LocalKafkaCluster primary;
    private final LocalKafkaCluster secondary;
    private final OrchestratorSettings settings;
    private final FileBootstrapAliases aliases;
    private final BootstrapAliasResolver resolver;
    private final LocalProcessReplicatorTasks tasks;
    private final FixedAlarmStates alarms = new FixedAlarmStates();
    private final RecordingExecutions executions = new RecordingExecutions();
    private final RecordingNotifier notifier = new RecordingNotifier(true);
    private final LocalLambdaEndpoint lambdas;
    private String forwardTaskId;

    LocalControlPlane(DrillOptions options, LocalKafkaCluster primary, LocalKafkaCluster secondary) {
        this.options = options;
        this.primary = primary;
        this.secondary = secondary;
        this.settings = null; // wired below once the sample events are read
        this.aliases = new FileBootstrapAliases(options.workDir().resolve("bootstrap-aliases.json"));
        this.resolver = new BootstrapAliasResolver(aliases);
        this.tasks = new LocalProcessReplicatorTasks(replicatorCommand(options.projectDir()), options.workDir().resolve("tasks"));
        this.lambdas = null;
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

    String pointAliasesAt(LocalKafkaCluster cluster) {
        return null;
    }

    boolean aliasesPointAt(LocalKafkaCluster cluster) {
        return false;
    }

    Map<String, String> aliasTargets() {
        return Map.of();
    }

    String resolveProducerBootstrap() {
        return null;
    }

    String resolveConsumerBootstrap() {
        return null;
    }

    String startForwardReplication() {
        return null;
    }

    ExecutionResult raiseAlarmAndRunFailover() {
        return null;
    }

    ExecutionResult runFailback() {
        return null;
    }

    @Override
    public void close() {
    }
}
