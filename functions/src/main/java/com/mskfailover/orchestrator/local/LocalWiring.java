package com.mskfailover.orchestrator.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.mskfailover.orchestrator.domain.AlarmStates;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.Executions;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.Notifier;
import com.mskfailover.orchestrator.domain.OrchestratorSettings;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.ReverseMskReplicators;
import com.mskfailover.orchestrator.handlers.CheckAliasesInSync;
import com.mskfailover.orchestrator.handlers.CheckPrimaryHealthy;
import com.mskfailover.orchestrator.handlers.CheckReverseReplicationLag;
import com.mskfailover.orchestrator.handlers.CheckSecondaryConsumersDrained;
import com.mskfailover.orchestrator.handlers.CheckSecondaryReady;
import com.mskfailover.orchestrator.handlers.DetectImpairment;
import com.mskfailover.orchestrator.handlers.FlipBootstrapAliases;
import com.mskfailover.orchestrator.handlers.NotifyOperators;
import com.mskfailover.orchestrator.handlers.ProbePrimary;
import com.mskfailover.orchestrator.handlers.StartReverseReplication;
import com.mskfailover.orchestrator.handlers.StopReverseReplication;
import com.mskfailover.orchestrator.handlers.ValidateFailbackInput;
import com.mskfailover.orchestrator.handlers.ValidateFailoverInput;
import com.mskfailover.orchestrator.handlers.VerifyForwardReplication;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every handler wired to local ports, by the function name the state machines' DefinitionSubstitutions use
 * ({@code ${NameFunctionArn}} -> function {@code Name}). The tests and the drill serve these through
 * local-runtime's LocalLambdaEndpoint and run statemachines/*.asl.json with its LocalStateMachineRunner.
 */
public final class LocalWiring {

    /** The ports a local run needs; {@code executions} and {@code alarms} only matter to DetectImpairment. */
    public record LocalPorts(OrchestratorSettings settings,
                             ClusterDirectory clusters,
                             KafkaInspector kafka,
                             BootstrapAliases aliases,
                             ReplicatorTasks tasks,
                             ForwardReplication forwardReplication,
                             Notifier notifier,
                             AlarmStates alarms,
                             Executions executions,
                             ReverseMskReplicators mskReplicators) {

        /** With replicator-task as the reverse flow. */
        public LocalPorts(OrchestratorSettings settings, ClusterDirectory clusters, KafkaInspector kafka, BootstrapAliases aliases,
                          ReplicatorTasks tasks, ForwardReplication forwardReplication, Notifier notifier, AlarmStates alarms,
                          Executions executions) {
            this(settings, clusters, kafka, aliases, tasks, forwardReplication, notifier, alarms, executions, null);
        }
    }

    private LocalWiring() {
    }

    /** Function name -> handler, for every Lambda of template.yaml. */
    public static Map<String, RequestStreamHandler> handlers(LocalPorts ports) {
        Map<String, RequestStreamHandler> handlers = new LinkedHashMap<>();
        handlers.put("ValidateFailoverInput", new ValidateFailoverInput(ports.settings()));
        handlers.put("ValidateFailbackInput", new ValidateFailbackInput(ports.settings()));
        handlers.put("CheckSecondaryReady", new CheckSecondaryReady(ports.clusters(), ports.kafka(), ports.forwardReplication(),
                ports.settings().probeTimeout()));
        handlers.put("CheckPrimaryHealthy", new CheckPrimaryHealthy(ports.clusters(), ports.kafka(), ports.settings().probeTimeout()));
        handlers.put("FlipBootstrapAliases", new FlipBootstrapAliases(ports.aliases(), ports.clusters()));
        handlers.put("CheckAliasesInSync", new CheckAliasesInSync(ports.aliases(), ports.clusters()));
        handlers.put("StartReverseReplication", new StartReverseReplication(ports.tasks(), ports.mskReplicators(), ports.kafka(),
                ports.clusters(), ports.settings().kafkaAuth()));
        handlers.put("CheckReverseReplicationLag", new CheckReverseReplicationLag(ports.tasks(), ports.mskReplicators(), ports.kafka(),
                ports.clusters()));
        handlers.put("CheckSecondaryConsumersDrained", new CheckSecondaryConsumersDrained(ports.tasks(), ports.mskReplicators(),
                ports.kafka(), ports.clusters()));
        handlers.put("StopReverseReplication", new StopReverseReplication(ports.tasks(), ports.mskReplicators()));
        handlers.put("VerifyForwardReplication", new VerifyForwardReplication(ports.forwardReplication()));
        handlers.put("NotifyOperators", new NotifyOperators(ports.notifier()));
        handlers.put("DetectImpairment", new DetectImpairment(ports.settings(), ports.alarms(), ports.executions(), ports.aliases(),
                ports.kafka(), ports.notifier()));
        handlers.put("ProbePrimary", new ProbePrimary(ports.kafka(), ports.settings().primaryClusterArn(),
                ports.clusters().bootstrapServers(ports.settings().primaryClusterArn()), ports.settings().probeTimeout(), System.out));
        return handlers;
    }

    /** The function names of template.yaml (each function's logical id is the name plus "Function"). */
    public static final List<String> FUNCTION_NAMES = List.of("ValidateFailoverInput", "ValidateFailbackInput",
            "CheckSecondaryReady", "CheckPrimaryHealthy", "FlipBootstrapAliases", "CheckAliasesInSync", "StartReverseReplication",
            "CheckReverseReplicationLag", "CheckSecondaryConsumersDrained", "StopReverseReplication", "VerifyForwardReplication",
            "NotifyOperators", "DetectImpairment", "ProbePrimary");

    /** Functions started by EventBridge, not by a state machine: the definitions name no ARN of theirs. */
    private static final Set<String> NOT_STATE_MACHINE_TASKS = Set.of("DetectImpairment", "ProbePrimary");

    /** The DefinitionSubstitutions template.yaml gives ({@code NameFunctionArn}), with local function ARNs. */
    public static Map<String, String> definitionSubstitutions() {
        Map<String, String> substitutions = new LinkedHashMap<>();
        for (String function : FUNCTION_NAMES) {
            if (!NOT_STATE_MACHINE_TASKS.contains(function)) {
                substitutions.put(function + "FunctionArn", "arn:aws:lambda:us-east-2:000000000000:function:" + function);
            }
        }
        return substitutions;
    }
}
