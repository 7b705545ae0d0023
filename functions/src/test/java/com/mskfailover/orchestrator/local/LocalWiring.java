package com.mskfailover.orchestrator.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.mskfailover.orchestrator.domain.AlarmStates;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.Executions;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.Notifier;
import com.mskfailover.orchestrator.domain.OperationLock;
import com.mskfailover.orchestrator.domain.OrchestratorSettings;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.PrimaryRegionHealth;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.ReverseMskReplicators;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The functions of template.yaml as Lambda would run them, on local ports: each function's Handler class (read from
 * the template, as Lambda reads it) built with its {@code (Ports)} constructor, by the function name the state
 * machines' DefinitionSubstitutions use ({@code ${NameFunctionArn}} -> function {@code NameFunction}). The tests and the
 * drill serve these through the local test kit's LocalLambdaEndpoint and run statemachines/*.asl.json with its
 * LocalStateMachineRunner. A new state needs nothing here: its handler and its template entry are enough.
 */
public final class LocalWiring {

    private static final String LOCAL_FUNCTION_ARN = "arn:aws:lambda:us-east-2:000000000000:function:";

    /** The local ports: what AwsPorts builds from a function's environment, as local stand-ins. */
    public record LocalPorts(OrchestratorSettings settings,
                             ClusterDirectory clusterDirectory,
                             KafkaInspector kafkaInspector,
                             BootstrapAliases bootstrapAliases,
                             ReplicatorTasks replicatorTasks,
                             ForwardReplication forwardReplication,
                             Notifier notifier,
                             AlarmStates alarmStates,
                             Executions executions,
                             ReverseMskReplicators reverseMskReplicators,
                             OperationLock operationLock,
                             PrimaryRegionHealth primaryRegionHealth) implements Ports {

        /** With replicator-task as the reverse flow, and no operation lock (for the functions that take none). */
        public LocalPorts(OrchestratorSettings settings, ClusterDirectory clusters, KafkaInspector kafka, BootstrapAliases aliases,
                          ReplicatorTasks tasks, ForwardReplication forwardReplication, Notifier notifier, AlarmStates alarms,
                          Executions executions) {
            this(settings, clusters, kafka, aliases, tasks, forwardReplication, notifier, alarms, executions, null, (OperationLock) null);
        }

        /** The same ports with this operation lock (the state machines take it first). */
        public LocalPorts withOperationLock(OperationLock lock) {
            return new LocalPorts(settings, clusterDirectory, kafkaInspector, bootstrapAliases, replicatorTasks, forwardReplication,
                    notifier, alarmStates, executions, reverseMskReplicators, lock, primaryRegionHealth);
        }

        /** The primary Region's view is the primary cluster's own, as MSK's metrics report it, and the probe has seen it. */
        public LocalPorts(OrchestratorSettings settings, ClusterDirectory clusters, KafkaInspector kafka, BootstrapAliases aliases,
                          ReplicatorTasks tasks, ForwardReplication forwardReplication, Notifier notifier, AlarmStates alarms,
                          Executions executions, ReverseMskReplicators reverseMskReplicators) {
            this(settings, clusters, kafka, aliases, tasks, forwardReplication, notifier, alarms, executions, reverseMskReplicators,
                    (OperationLock) null);
        }

        /** With this operation lock; the primary Region's view is the primary cluster's own. */
        public LocalPorts(OrchestratorSettings settings, ClusterDirectory clusters, KafkaInspector kafka, BootstrapAliases aliases,
                          ReplicatorTasks tasks, ForwardReplication forwardReplication, Notifier notifier, AlarmStates alarms,
                          Executions executions, ReverseMskReplicators reverseMskReplicators, OperationLock operationLock) {
            this(settings, clusters, kafka, aliases, tasks, forwardReplication, notifier, alarms, executions, reverseMskReplicators,
                    operationLock, new ClusterReportedHealth(() -> clusters.bootstrapServers(settings.primaryClusterArn())));
        }

        /** With this view of the primary Region, and no operation lock. */
        public LocalPorts(OrchestratorSettings settings, ClusterDirectory clusters, KafkaInspector kafka, BootstrapAliases aliases,
                          ReplicatorTasks tasks, ForwardReplication forwardReplication, Notifier notifier, AlarmStates alarms,
                          Executions executions, ReverseMskReplicators reverseMskReplicators, PrimaryRegionHealth primaryRegionHealth) {
            this(settings, clusters, kafka, aliases, tasks, forwardReplication, notifier, alarms, executions, reverseMskReplicators,
                    null, primaryRegionHealth);
        }
    }

    private final Map<String, String> handlerClasses;
    private final Map<String, String> definitionSubstitutions;

    private LocalWiring(Map<String, String> handlerClasses, Map<String, String> definitionSubstitutions) {
        this.handlerClasses = Collections.unmodifiableMap(handlerClasses);
        this.definitionSubstitutions = Collections.unmodifiableMap(definitionSubstitutions);
    }

    /** The functions and the state machines' substitutions of {@code projectRoot/template.yaml}. */
    public static LocalWiring of(Path projectRoot) {
        JsonNode resources;
        try {
            // CloudFormation's short tags (!Ref X.Alias) read as their plain value: the names are all this needs.
            resources = new ObjectMapper(new YAMLFactory()).readTree(projectRoot.resolve("template.yaml").toFile()).path("Resources");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> handlerClasses = new LinkedHashMap<>();
        Map<String, String> substitutions = new LinkedHashMap<>();
        resources.fields().forEachRemaining(resource -> {
            JsonNode properties = resource.getValue().path("Properties");
            switch (resource.getValue().path("Type").asText()) {
                case "AWS::Serverless::Function" -> {
                    String handler = properties.path("Handler").asText();
                    handlerClasses.put(resource.getKey().replaceFirst("Function$", ""), handler.substring(0, handler.indexOf("::")));
                }
                case "AWS::Serverless::StateMachine" -> properties.path("DefinitionSubstitutions").fieldNames().forEachRemaining(name ->
                        substitutions.put(name, LOCAL_FUNCTION_ARN + name.replaceFirst("FunctionArn$", "")));
                default -> {
                }
            }
        });
        return new LocalWiring(handlerClasses, substitutions);
    }

    /** Function name (the logical id without "Function") -> its Handler class's name, as template.yaml has them. */
    public Map<String, String> handlerClasses() {
        return handlerClasses;
    }

    /** Function name -> handler on these ports, for every function of the template. */
    public Map<String, RequestStreamHandler> handlers(Ports ports) {
        Map<String, RequestStreamHandler> handlers = new LinkedHashMap<>();
        handlerClasses.forEach((function, className) -> handlers.put(function, handler(className, ports)));
        return handlers;
    }

    /** The DefinitionSubstitutions of template.yaml's state machines ({@code NameFunctionArn}), with local function ARNs. */
    public Map<String, String> definitionSubstitutions() {
        return definitionSubstitutions;
    }

    private static RequestStreamHandler handler(String className, Ports ports) {
        try {
            return Class.forName(className).asSubclass(RequestStreamHandler.class).getConstructor(Ports.class).newInstance(ports);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(className + " (a Handler of template.yaml) needs a public constructor taking Ports", e);
        }
    }
}
