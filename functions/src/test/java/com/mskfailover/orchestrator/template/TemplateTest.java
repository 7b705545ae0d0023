package com.mskfailover.orchestrator.template;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.local.stepfunctions.OfflineAwsChecks;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.aws.DynamoDbOperationLock;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.local.LocalWiring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Offline checks of template.yaml and the state machine files against each other, the code and AWS's specifications. */
class TemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");
    private static final Map<String, String> MACHINES = Map.of("FailoverStateMachine", "failover", "FailbackStateMachine", "failback");

    private final SamTemplate template = new SamTemplate();

    @Test
    void everyResourceTypeAndPropertyIsInTheCloudFormationSpecification() {
        Map<String, JsonNode> resources = template.resources();
        Set<String> types = new TreeSet<>();
        resources.values().forEach(resource -> types.add(resource.path("Type").asText()));
        types.add("AWS::Lambda::Function");
        Map<String, OfflineAwsChecks.ResourceSpec> specs = OfflineAwsChecks.resourceSpecs(types);
        // The SAM part of the specification lags SAM itself: a function property it does not list yet (SnapStart)
        // passes if SAM hands it to AWS::Lambda::Function, where the specification has it.
        Set<String> lambdaProperties = specs.get("AWS::Lambda::Function").properties().keySet();
        JsonNode functionGlobals = template.root().path("Globals").path("Function");

        List<String> problems = new ArrayList<>();
        resources.forEach((id, resource) -> {
            String type = resource.path("Type").asText();
            OfflineAwsChecks.ResourceSpec spec = specs.get(type);
            if (spec == null || !spec.known()) {
                problems.add(id + ": unknown resource type " + type);
                return;
            }
            Set<String> present = new LinkedHashSet<>();
            resource.path("Properties").fieldNames().forEachRemaining(present::add);
            if (type.equals("AWS::Serverless::Function")) {
                functionGlobals.fieldNames().forEachRemaining(present::add);
            }
            present.stream().filter(name -> !spec.properties().containsKey(name))
                    .filter(name -> !(type.equals("AWS::Serverless::Function") && lambdaProperties.contains(name)))
                    .forEach(name -> problems.add(id + " (" + type + "): unknown property " + name));
            spec.properties().forEach((name, required) -> {
                if (required && !present.contains(name)) {
                    problems.add(id + " (" + type + "): required property " + name + " missing");
                }
            });
        });
        functionGlobals.fieldNames().forEachRemaining(name -> {
            if (!specs.get("AWS::Serverless::Function").properties().containsKey(name) && !lambdaProperties.contains(name)) {
                problems.add("Globals.Function: unknown property " + name);
            }
        });
        assertEquals(List.of(), problems);
    }

    @Test
    void everyFunctionHandlerIsAClassWithTheLambdaConstructorAndLocalWiringServesThemAll() throws Exception {
        Set<String> names = new TreeSet<>();
        for (var entry : template.resourcesOfType("AWS::Serverless::Function").entrySet()) {
            String handler = entry.getValue().path("Properties").path("Handler").asText();
            assertTrue(handler.endsWith("::handleRequest"), entry.getKey() + ": " + handler);
            Class<?> type = Class.forName(handler.substring(0, handler.indexOf("::")));
            assertTrue(RequestStreamHandler.class.isAssignableFrom(type), handler);
            type.getConstructor().getModifiers(); // the public no-argument constructor Lambda uses
            type.getConstructor(Ports.class).getModifiers(); // the one the local runs use, on the same ports
            assertEquals(type.getSimpleName() + "Function", entry.getKey(), "logical id names the handler");
            // sam build builds the jar through the Makefile (Maven from the project root): the module alone cannot be
            // built outside the reactor, which SAM's own Maven builder would try.
            assertEquals("makefile", entry.getValue().path("Metadata").path("BuildMethod").asText(), entry.getKey() + " needs Metadata BuildMethod: makefile");
            assertEquals("functions/sam-build", entry.getValue().path("Properties").path("CodeUri").asText(), entry.getKey());
            names.add(type.getSimpleName());
        }
        assertEquals(names, new TreeSet<>(LocalWiring.of(StateMachineRun.projectRoot()).handlerClasses().keySet()));
    }

    /**
     * What a deploy would meet first: each function's handler, built as Lambda builds it (AwsPorts from the environment
     * template.yaml computes for that function, plus Lambda's own variables), in every mode. A handler that asks its
     * ports for something its function's environment does not carry fails here, not at its first invocation.
     */
    @ParameterizedTest
    @CsvSource({"msk-replicator,msk-replicator,route53-change", "msk-replicator,msk-replicator,arc-routing-control",
            "replicator-task,replicator-task,route53-change", "replicator-task,replicator-task,arc-routing-control"})
    void everyHandlerBuildsOnAwsPortsFromItsFunctionsEnvironmentInEveryMode(String forward, String reverse, String aliases) throws Exception {
        Map<String, String> modes = Map.of("ForwardReplicationMode", forward, "ReverseReplicationMode", reverse, "AliasSwitchMode", aliases);
        for (var entry : template.resourcesOfType("AWS::Serverless::Function").entrySet()) {
            Map<String, String> env = new HashMap<>(template.functionEnvironment(entry.getKey(), modes));
            env.putAll(Map.of("AWS_REGION", "us-east-2", "AWS_LAMBDA_FUNCTION_NAME", entry.getKey()));
            String handler = entry.getValue().path("Properties").path("Handler").asText();
            try {
                Class.forName(handler.substring(0, handler.indexOf("::"))).getConstructor(Ports.class).newInstance(new AwsPorts(env));
            } catch (InvocationTargetException e) {
                throw new AssertionError(entry.getKey() + " cannot start with the environment template.yaml gives it (" + modes + "): "
                        + e.getCause() + "\n" + env, e.getCause());
            }
        }
    }

    /**
     * With MSK Replicator both ways the reverse-replication stack creates nothing of ECS (no image to push first): every
     * output of a nested stack that exists only under a condition is read only where that condition holds (a resource
     * or output of that Condition, or the first branch of an !If on it), or CloudFormation fails the deploy on a
     * missing attribute; and in that mode no function is given an ECS setting.
     */
    @Test
    void theReplicatorTaskResourcesExistAndAreReadOnlyInReplicatorTaskMode() {
        List<String> problems = new ArrayList<>();
        Map<String, String> conditionOfOutput = new TreeMap<>();
        template.nestedTemplates().forEach((id, nested) -> nested.path("Outputs").fields().forEachRemaining(output -> {
            if (output.getValue().has("Condition")) {
                conditionOfOutput.put(id + ".Outputs." + output.getKey(), output.getValue().path("Condition").asText());
            }
        }));
        for (String ecs : List.of("ClusterArn", "ClusterName", "TaskDefinitionArn", "TaskRoleArn", "ExecutionRoleArn")) {
            assertEquals("ReversesWithReplicatorTask", conditionOfOutput.get("ReverseReplication.Outputs." + ecs), ecs);
        }
        JsonNode reverse = template.nestedTemplates().get("ReverseReplication");
        reverse.path("Resources").fields().forEachRemaining(resource -> {
            if (resource.getValue().path("Type").asText().startsWith("AWS::ECS::") || resource.getKey().startsWith("ReplicatorTask")
                    || resource.getKey().equals("ReplicatorExecutionRole") || resource.getKey().equals("ReplicatorLogGroup")) {
                expect(problems, resource.getKey(), "ReversesWithReplicatorTask".equals(resource.getValue().path("Condition").asText()),
                        "exists only with ReverseReplicationMode replicator-task");
            }
        });
        for (String section : List.of("Resources", "Outputs")) {
            template.root().path(section).fields().forEachRemaining(entry -> {
                Set<String> holding = new TreeSet<>();
                if (entry.getValue().has("Condition")) {
                    holding.add(entry.getValue().path("Condition").asText());
                }
                readsOnlyWhereTheirConditionHolds(entry.getKey(), entry.getValue(), holding, conditionOfOutput, problems);
            });
        }
        assertEquals(List.of(), problems);

        Map<String, String> mskReplicatorBothWays = Map.of("ForwardReplicationMode", "msk-replicator", "ReverseReplicationMode", "msk-replicator");
        template.resourcesOfType("AWS::Serverless::Function").keySet().forEach(function ->
                template.functionEnvironment(function, mskReplicatorBothWays).forEach((name, value) ->
                        expect(problems, function, !value.contains(":ecs:"), name + " names no ECS resource with MSK Replicator both ways: " + value)));
        assertEquals(List.of(), problems);
    }

    /** ReplicatorTaskImage is needed, and refused empty, only where the ECS resources that use it exist. */
    @Test
    void theReplicatorTaskImageIsRequiredOnlyInReplicatorTaskMode() {
        Map<String, String> replicatorTask = new HashMap<>(Map.of("ForwardReplicationMode", "replicator-task", "ReverseReplicationMode", "replicator-task",
                "ReplicatorTaskImage", ""));
        List<String> refusals = template.refusedByTheRules(replicatorTask);
        assertEquals(1, refusals.size(), refusals.toString());
        assertTrue(refusals.get(0).startsWith("ReplicatorTaskImage is required when ReverseReplicationMode is replicator-task")
                && refusals.get(0).contains("docs/replicator.md"), "names the parameter and the fix: " + refusals);
        replicatorTask.put("ReplicatorTaskImage", SamTemplate.DEPLOY_VALUES.get("ReplicatorTaskImage"));
        assertEquals(List.of(), template.refusedByTheRules(replicatorTask));
        assertEquals("", template.root().path("Parameters").path("ReplicatorTaskImage").path("Default").asText("absent"));
        assertEquals(List.of(), template.refusedByTheRules(Map.of("ReplicatorTaskImage", "")), "the default mode, MSK Replicator both ways, needs no image");
    }

    private void readsOnlyWhereTheirConditionHolds(String path, JsonNode node, Set<String> holding, Map<String, String> conditionOfOutput,
                                                   List<String> problems) {
        if (node.isTextual()) {
            conditionOfOutput.forEach((output, condition) -> {
                if (node.asText().contains(output) && !holding.contains(condition)) {
                    problems.add(path + " reads " + output + " where " + condition + " may not hold");
                }
            });
        } else if (node.isArray() && node.size() == 3 && node.get(0).isTextual() && template.root().path("Conditions").has(node.get(0).asText())) {
            Set<String> inFirstBranch = new TreeSet<>(holding);
            inFirstBranch.add(node.get(0).asText());
            readsOnlyWhereTheirConditionHolds(path, node.get(1), inFirstBranch, conditionOfOutput, problems);
            readsOnlyWhereTheirConditionHolds(path, node.get(2), holding, conditionOfOutput, problems);
        } else if (node.isObject()) {
            node.fields().forEachRemaining(field -> readsOnlyWhereTheirConditionHolds(path + "." + field.getKey(), field.getValue(), holding,
                    conditionOfOutput, problems));
        } else {
            node.elements().forEachRemaining(element -> readsOnlyWhereTheirConditionHolds(path, element, holding, conditionOfOutput, problems));
        }
    }

    @Test
    void everyPlaceholderHasADefinitionSubstitutionAndViceVersa() throws IOException {
        Set<String> functionIds = template.resourcesOfType("AWS::Serverless::Function").keySet();
        for (var machine : MACHINES.entrySet()) {
            JsonNode properties = template.resources().get(machine.getKey()).path("Properties");
            assertEquals("statemachines/" + machine.getValue() + ".asl.json", properties.path("DefinitionUri").asText());
            String definition = Files.readString(StateMachineRun.definition(machine.getValue()));
            Set<String> placeholders = new TreeSet<>();
            Matcher matcher = PLACEHOLDER.matcher(definition);
            while (matcher.find()) {
                placeholders.add(matcher.group(1));
            }
            Set<String> substitutions = new TreeSet<>();
            properties.path("DefinitionSubstitutions").fieldNames().forEachRemaining(substitutions::add);
            assertEquals(placeholders, substitutions, machine.getKey());

            Set<String> invokable = new TreeSet<>();
            properties.path("Policies").forEach(policy -> invokable.add(policy.path("LambdaInvokePolicy").path("FunctionName").asText()));
            for (String name : substitutions) {
                String value = properties.path("DefinitionSubstitutions").path(name).asText();
                String function = value.replace(".Alias", "");
                assertTrue(functionIds.contains(function), name + " -> " + value + " is not a function of the template");
                assertEquals(name.replace("FunctionArn", "Function"), function);
                assertTrue(invokable.contains(function), machine.getKey() + " may not invoke " + function);
            }
            assertTrue(LocalWiring.of(StateMachineRun.projectRoot()).definitionSubstitutions().keySet().containsAll(placeholders), "the local runs substitute every placeholder");
        }
    }

    @Test
    void stateMachinesAreValidAndEveryTaskRetriesAndEndsInANotification() throws IOException {
        for (String machine : MACHINES.values()) {
            assertEquals(List.of(), OfflineAwsChecks.validateStateMachine(StateMachineRun.definition(machine)), machine);
            JsonNode states = JSON.readTree(StateMachineRun.definition(machine).toFile()).path("States");
            states.fields().forEachRemaining(entry -> {
                String name = entry.getKey();
                JsonNode state = entry.getValue();
                switch (state.path("Type").asText()) {
                    case "Task" -> {
                        assertTrue(state.path("Retry").toString().contains("Lambda.ServiceException"), name + " retries Lambda service errors");
                        if (name.startsWith("ReleaseOperationLock")) {
                            // A release that fails still notifies: its Catch goes on where its Next goes.
                            assertEquals(state.path("Next").asText(), state.path("Catch").get(0).path("Next").asText(), name);
                            assertEquals("[\"States.ALL\"]", state.path("Catch").get(0).path("ErrorEquals").toString(), name);
                        } else if (!name.startsWith("Notify")) {
                            // Every failure frees the operation lock, then notifies, then fails.
                            JsonNode catchers = state.path("Catch");
                            JsonNode catcher = catchers.get(catchers.size() - 1);
                            assertEquals("[\"States.ALL\"]", catcher.path("ErrorEquals").toString(), name);
                            assertEquals("ReleaseOperationLockAfterFailure", catcher.path("Next").asText(), name);
                            String handler = states.path("ReleaseOperationLockAfterFailure").path("Next").asText();
                            assertTrue(handler.startsWith("Notify") && handler.endsWith("Failed"), name + " -> " + handler);
                            assertEquals("Fail", states.path(states.path(handler).path("Next").asText()).path("Type").asText(), handler + " ends in Fail");
                            // Only the lock's refusal is told apart: it took no lock, so it notifies and fails at once.
                            assertTrue(catchers.size() == 1 || name.equals("AcquireOperationLock"), name + " catches " + catchers);
                        }
                    }
                    case "Choice" -> {
                        if (name.equals("DryRun?")) {
                            // A dry run stops after the checks: it notifies and succeeds, nothing in between.
                            JsonNode notify = states.path(state.path("Choices").get(0).path("Next").asText());
                            assertTrue(notify.path("Parameters").path("outcome").asText().equals("dry-run"), name);
                            assertEquals("Succeed", states.path(notify.path("Next").asText()).path("Type").asText(), name);
                            return;
                        }
                        if (name.equals("Planned?")) {
                            // planned: true moves the producers alone first; otherwise every alias moves in one change.
                            JsonNode producersFirst = states.path(state.path("Choices").get(0).path("Next").asText());
                            JsonNode allAtOnce = states.path(state.path("Default").asText());
                            assertEquals("$.plan.planned", state.path("Choices").get(0).path("Variable").asText(), name);
                            assertEquals("$.plan.producerAliases", producersFirst.path("Parameters").path("aliases.$").asText(), name);
                            assertEquals("$.plan.allAliases", allAtOnce.path("Parameters").path("aliases.$").asText(), name);
                            return;
                        }
                        // A loop goes back through a Wait to a check whose Lambda enforces the operator's deadline.
                        JsonNode wait = states.path(state.path("Default").asText());
                        assertEquals("Wait", wait.path("Type").asText(), name + " loops through a Wait");
                        JsonNode check = states.path(wait.path("Next").asText());
                        assertEquals("Task", check.path("Type").asText(), name);
                    }
                    default -> { }
                }
            });
        }
    }

    @Test
    void functionsLogJsonAndEveryTaskPassesTheExecutionAndStateNames() throws IOException {
        // Lambda keeps the handlers' JSON lines as they are and filters them by level; its own lines only from WARN.
        JsonNode logging = template.root().path("Globals").path("Function").path("LoggingConfig");
        assertEquals("{\"LogFormat\":\"JSON\",\"ApplicationLogLevel\":\"INFO\",\"SystemLogLevel\":\"WARN\",\"LogGroup\":\"FunctionsLogGroup\"}",
                logging.toString());
        template.resourcesOfType("AWS::Serverless::Function").forEach((id, function) ->
                assertTrue(function.path("Properties").path("LoggingConfig").isMissingNode(), id + " keeps the global LoggingConfig"));

        // What JsonHandler puts in the MDC of every line an invocation logs (the handlers' log4j2.xml prints it).
        JsonNode context = JSON.readTree("{\"execution.$\":\"$$.Execution.Name\",\"state.$\":\"$$.State.Name\"}");
        int tasks = 0;
        for (String machine : MACHINES.values()) {
            JsonNode states = JSON.readTree(StateMachineRun.definition(machine).toFile()).path("States");
            for (var entry : (Iterable<Map.Entry<String, JsonNode>>) states::fields) {
                JsonNode state = entry.getValue();
                if (!state.path("Type").asText().equals("Task")) {
                    continue;
                }
                tasks++;
                String name = machine + "." + entry.getKey();
                assertEquals(context, state.path("Parameters").path("context"), name + " passes the execution and state names");
                if (entry.getKey().startsWith("Validate")) {
                    // The execution's input, next to the context: the validator refuses fields it does not know.
                    assertEquals("$", state.path("Parameters").path("input.$").asText(), name + " passes the execution's input");
                }
            }
        }
        assertTrue(tasks >= 20, "both machines' Tasks were looked at: " + tasks);
    }

    @Test
    void loopTimeoutBoundsAreTheValidatorsAndLambdaTimeoutsAreRetriedAtMostOnce() throws IOException {
        JsonNode parameters = template.root().path("Parameters");
        assertEquals(com.mskfailover.orchestrator.domain.Timeouts.MAX_ALIAS_SYNC_SECONDS, parameters.path("AliasSyncTimeoutSeconds").path("MaxValue").asInt());
        assertEquals(com.mskfailover.orchestrator.domain.Timeouts.MAX_REPLICATION_CATCH_UP_SECONDS, parameters.path("ReplicationCatchUpTimeoutSeconds").path("MaxValue").asInt());
        assertEquals(com.mskfailover.orchestrator.domain.Timeouts.MAX_CONSUMER_DRAIN_SECONDS, parameters.path("ConsumerDrainTimeoutSeconds").path("MaxValue").asInt());
        assertEquals(com.mskfailover.orchestrator.domain.Timeouts.MAX_FORWARD_REPLICATION_SECONDS, parameters.path("ForwardReplicationTimeoutSeconds").path("MaxValue").asInt());
        for (String machine : MACHINES.values()) {
            JsonNode states = JSON.readTree(StateMachineRun.definition(machine).toFile()).path("States");
            states.fields().forEachRemaining(entry -> {
                int unknownRetries = 0;
                for (JsonNode retrier : entry.getValue().path("Retry")) {
                    if (retrier.path("ErrorEquals").toString().contains("\"Lambda.Unknown\"")) {
                        unknownRetries += retrier.path("MaxAttempts").asInt(3);
                    }
                }
                // Lambda.Unknown includes the function timing out: each retry may cost the whole function Timeout.
                assertTrue(unknownRetries <= 1, entry.getKey() + " retries Lambda.Unknown " + unknownRetries + " times");
                if (entry.getKey().startsWith("Notify") && entry.getKey().endsWith("Succeeded")) {
                    JsonNode catcher = entry.getValue().path("Catch").path(0);
                    assertEquals("[\"States.ALL\"]", catcher.path("ErrorEquals").toString(), entry.getKey());
                    assertEquals("$.notificationError", catcher.path("ResultPath").asText(), entry.getKey());
                    assertEquals("Succeed", states.path(catcher.path("Next").asText()).path("Type").asText(), entry.getKey() + " ends in success");
                }
            });
        }
        assertEquals(90, template.root().path("Globals").path("Function").path("Timeout").asInt());
    }

    @Test
    void iamHasNoWildcardActionAndRoute53ChangesOnlyTheAliasTxtRecords() {
        List<String> wildcards = new ArrayList<>();
        template.resources().forEach((id, resource) -> SamTemplate.allowedActions(resource).stream()
                .filter(action -> action.contains("*")).forEach(action -> wildcards.add(id + ": " + action)));
        assertEquals(List.of(), wildcards);

        int changeStatements = 0;
        for (var entry : template.resources().entrySet()) {
            for (JsonNode statement : SamTemplate.statements(entry.getValue())) {
                if (statement.path("Action").toString().contains("route53:ChangeResourceRecordSets")) {
                    changeStatements++;
                    JsonNode condition = statement.path("Condition").path("ForAllValues:StringEquals");
                    assertEquals("[\"ProducerAliasName\",\"ConsumerAliasName\",\"region.${ProducerAliasName}\",\"region.${ConsumerAliasName}\"]",
                            condition.path("route53:ChangeResourceRecordSetsNormalizedRecordNames").toString(), entry.getKey());
                    assertEquals("[\"TXT\"]", condition.path("route53:ChangeResourceRecordSetsRecordTypes").toString());
                    assertEquals("[\"UPSERT\"]", condition.path("route53:ChangeResourceRecordSetsActions").toString());
                    // !If [SwitchesAliasesWithRoute53Change, the zone, a zone that does not exist]
                    JsonNode resource = statement.path("Resource");
                    assertEquals("SwitchesAliasesWithRoute53Change", resource.path(0).asText(), statement.toString());
                    assertTrue(resource.path(1).asText().endsWith("hostedzone/${HostedZoneId}"), statement.toString());
                    assertTrue(resource.path(2).asText().endsWith("hostedzone/none"), statement.toString());
                }
            }
        }
        assertEquals(1, changeStatements, "only FlipBootstrapAliases changes records");
    }

    /**
     * The notification topic is encrypted with the stack's own key, which the alarms and rules that publish to it (the
     * service principals cloudwatch and events) may use, and so may exactly the functions allowed to publish to it
     * (a publisher to an encrypted topic needs kms:GenerateDataKey and kms:Decrypt: Amazon SNS Developer Guide).
     */
    @Test
    void theNotificationTopicIsEncryptedWithAKeyEveryPublisherMayUse() {
        assertEquals("NotificationKey.Arn", template.resources().get("NotificationTopic").path("Properties").path("KmsMasterKeyId").asText(),
                "the stack's key (alias/aws/sns could not be used by the alarms and the rule)");
        JsonNode keyPolicy = template.resources().get("NotificationKey").path("Properties").path("KeyPolicy");
        Set<String> servicesThatMayEncrypt = new TreeSet<>();
        keyPolicy.path("Statement").forEach(statement -> {
            if (statement.path("Action").toString().contains("kms:GenerateDataKey") && statement.path("Action").toString().contains("kms:Decrypt")) {
                statement.path("Principal").path("Service").forEach(service -> servicesThatMayEncrypt.add(service.asText()));
            }
        });
        assertEquals(Set.of("cloudwatch.amazonaws.com", "events.amazonaws.com"), servicesThatMayEncrypt);
        assertTrue(template.resources().get("NotificationKey").path("Properties").path("EnableKeyRotation").asBoolean());

        Map<String, Set<String>> publishers = new TreeMap<>();
        Map<String, Set<String>> keyUsers = new TreeMap<>();
        template.resourcesOfType("AWS::Serverless::Function").forEach((id, function) -> {
            for (JsonNode statement : SamTemplate.statements(function)) {
                String actions = statement.path("Action").toString();
                if (actions.contains("sns:Publish") && statement.path("Resource").asText().equals("NotificationTopic")) {
                    publishers.put(id, Set.of("NotificationTopic"));
                }
                if (actions.contains("kms:")) {
                    keyUsers.computeIfAbsent(id, key -> new TreeSet<>()).add(actions + " on " + statement.path("Resource").asText());
                }
            }
            JsonNode onFailure = function.path("Properties").path("EventInvokeConfig").path("DestinationConfig").path("OnFailure");
            if (onFailure.path("Destination").asText().equals("NotificationTopic")) {
                assertTrue(publishers.containsKey(id), id + " hands failed events to the topic: it must be allowed to publish (and to use the key)");
            }
        });
        assertEquals(Set.of("NotifyOperatorsFunction", "ReportPreflightFunction", "DetectImpairmentFunction"), publishers.keySet());
        Map<String, Set<String>> expected = new TreeMap<>();
        publishers.keySet().forEach(id -> expected.put(id, Set.of("[\"kms:GenerateDataKey\",\"kms:Decrypt\"] on NotificationKey.Arn")));
        assertEquals(expected, keyUsers);
    }

    /** Every log group has a retention, the functions' one included (functionsLogJson...: every function logs to it). */
    @Test
    void everyLogGroupHasARetention() {
        List<String> problems = new ArrayList<>();
        template.resourcesOfType("AWS::Logs::LogGroup").forEach((id, group) ->
                expect(problems, id, group.path("Properties").path("RetentionInDays").asInt() > 0, "has RetentionInDays"));
        assertEquals(List.of(), problems);
        assertTrue(template.resourcesOfType("AWS::Logs::LogGroup").containsKey("FunctionsLogGroup"));
    }

    /**
     * iam:PassRole only to the service the role is for (Service Authorization Reference, IAM: the iam:PassedToService
     * condition key), and ec2:CreateNetworkInterface only in the clusters' two Regions, never in every Region.
     */
    @Test
    void rolesArePassedOnlyToTheirServiceAndInterfacesCreatedOnlyInTheClustersRegions() {
        Map<String, String> passedTo = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        template.resources().forEach((id, resource) -> {
            for (JsonNode statement : SamTemplate.statements(resource)) {
                String actions = statement.path("Action").toString();
                if (actions.contains("iam:PassRole")) {
                    String service = statement.path("Condition").path("StringEquals").path("iam:PassedToService").asText("");
                    expect(problems, id, !service.isEmpty(), statement.path("Sid").asText() + " passes a role without iam:PassedToService");
                    passedTo.put(statement.path("Sid").asText(), service);
                }
                if (actions.contains("ec2:CreateNetworkInterface")) {
                    List<String> regions = new ArrayList<>();
                    statement.path("Resource").forEach(arn -> regions.add(arn.isTextual() ? arn.asText() : arn.toString()));
                    expect(problems, id, regions.stream().noneMatch(arn -> arn.contains(":ec2:*:")), "creates interfaces in every Region: " + regions);
                    expect(problems, id, regions.stream().filter(arn -> arn.contains("PrimaryClusterArn")).count() == 3
                            && regions.stream().filter(arn -> arn.contains("SecondaryClusterArn")).count() == 3, "names the two clusters' Regions: " + regions);
                }
            }
        });
        assertEquals(List.of(), problems);
        assertEquals(Map.of("PassReplicatorRoles", "ecs-tasks.amazonaws.com", "PassTheReplicatorServiceRole", "kafka.amazonaws.com"), passedTo);
    }

    @Test
    void theOperationLockIsOneOnDemandTableTouchedOnlyByItsTwoFunctionsWhichMayDescribeOnlyThisStacksExecutions() {
        JsonNode table = template.resources().get("OperationLockTable").path("Properties");
        assertEquals("PAY_PER_REQUEST", table.path("BillingMode").asText());
        assertEquals("[{\"AttributeName\":\"" + DynamoDbOperationLock.KEY + "\",\"KeyType\":\"HASH\"}]", table.path("KeySchema").toString());
        assertEquals(DynamoDbOperationLock.LEASE_UNTIL, table.path("TimeToLiveSpecification").path("AttributeName").asText());

        Map<String, Map<String, List<String>>> lockGrants = new TreeMap<>();
        template.resourcesOfType("AWS::Serverless::Function").forEach((id, function) -> {
            for (JsonNode statement : SamTemplate.statements(function)) {
                List<String> actions = new ArrayList<>();
                (statement.path("Action").isArray() ? statement.path("Action") : JSON.createArrayNode().add(statement.path("Action")))
                        .forEach(action -> actions.add(action.asText()));
                List<String> resources = new ArrayList<>();
                (statement.path("Resource").isArray() ? statement.path("Resource") : JSON.createArrayNode().add(statement.path("Resource")))
                        .forEach(resource -> resources.add(resource.asText()));
                actions.stream().filter(action -> action.startsWith("dynamodb:") || action.equals("states:DescribeExecution"))
                        .forEach(action -> lockGrants.computeIfAbsent(id, key -> new TreeMap<>()).put(action, resources));
            }
        });
        String executions = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${AWS::StackName}-";
        assertEquals(Map.of(
                "AcquireOperationLockFunction", Map.of("dynamodb:GetItem", List.of("OperationLockTable.Arn"), "dynamodb:PutItem", List.of("OperationLockTable.Arn"),
                        "states:DescribeExecution", List.of(executions + "failover:*", executions + "failback:*")),
                "ReleaseOperationLockFunction", Map.of("dynamodb:DeleteItem", List.of("OperationLockTable.Arn"))), lockGrants);
        // Those execution ARNs are this stack's because its state machines are named so.
        assertEquals("${AWS::StackName}-failover", template.resources().get("FailoverStateMachine").path("Properties").path("Name").asText());
        assertEquals("${AWS::StackName}-failback", template.resources().get("FailbackStateMachine").path("Properties").path("Name").asText());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"route53-change", "arc-routing-control"})
    void everyFunctionGetsTheEnvironmentItsHandlerNeedsToStart(String aliasSwitchMode) {
        JsonNode globals = template.root().path("Globals").path("Function").path("Environment").path("Variables");
        List<String> problems = new ArrayList<>();
        try {
            for (var entry : template.resourcesOfType("AWS::Serverless::Function").entrySet()) {
                Map<String, String> env = new HashMap<>();
                // Lambda sets the Region; the template sets the rest (values here only need the right form).
                env.put("AWS_REGION", "us-east-2");
                globals.fieldNames().forEachRemaining(name -> env.put(name, exampleValue(name)));
                entry.getValue().path("Properties").path("Environment").path("Variables").fieldNames()
                        .forEachRemaining(name -> env.put(name, exampleValue(name)));
                env.put("ALIAS_SWITCH_MODE", aliasSwitchMode);
                com.mskfailover.orchestrator.aws.AwsPorts.replaceShared(new com.mskfailover.orchestrator.aws.AwsPorts(env));
                String handler = entry.getValue().path("Properties").path("Handler").asText();
                try {
                    Class.forName(handler.substring(0, handler.indexOf("::"))).getConstructor().newInstance();
                } catch (java.lang.reflect.InvocationTargetException e) {
                    problems.add(entry.getKey() + ": " + e.getCause().getMessage());
                } catch (ReflectiveOperationException e) {
                    problems.add(entry.getKey() + ": " + e);
                }
            }
        } finally {
            com.mskfailover.orchestrator.aws.AwsPorts.replaceShared(null);
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void arcModeRecordsFollowRoutingControlsAndRoute53ModeKeepsTheSimpleRecords() {
        Map<String, JsonNode> resources = template.resources();
        List<String> problems = new ArrayList<>();
        Set<String> routingControls = routingControlParameters();
        Set<String> namesWithFailoverPairs = new TreeSet<>();
        template.resourcesOfType("AWS::Route53::RecordSet").forEach((id, record) -> {
            JsonNode properties = record.path("Properties");
            if (properties.has("Failover")) {
                expect(problems, id, "SwitchesAliasesWithArc".equals(record.path("Condition").asText()), "only in arc-routing-control mode");
                expect(problems, id, properties.path("SetIdentifier").asText().equalsIgnoreCase(properties.path("Failover").asText()), "SetIdentifier names its side");
                JsonNode check = resources.get(properties.path("HealthCheckId").asText());
                expect(problems, id, check != null && "RECOVERY_CONTROL".equals(check.path("Properties").path("HealthCheckConfig").path("Type").asText()),
                        "HealthCheckId is a RECOVERY_CONTROL health check of the template");
                if (check != null) {
                    String control = check.path("Properties").path("HealthCheckConfig").path("RoutingControlArn").asText();
                    expect(problems, id, routingControls.contains(control), "its health check follows a routing control the stack is given");
                    // The PRIMARY record of an alias follows the "On primary" control, the SECONDARY the "On secondary" one.
                    expect(problems, id, control.toLowerCase().contains("on" + properties.path("Failover").asText().toLowerCase()), "follows " + control);
                }
                namesWithFailoverPairs.add(properties.path("Name").asText() + " " + properties.path("Failover").asText());
            } else {
                expect(problems, id, "SwitchesAliasesWithRoute53Change".equals(record.path("Condition").asText()), "a simple record only in route53-change mode");
            }
        });
        assertEquals(List.of(), problems);
        assertEquals(new TreeSet<>(List.of("ProducerAliasName PRIMARY", "ProducerAliasName SECONDARY", "region.${ProducerAliasName} PRIMARY",
                "region.${ProducerAliasName} SECONDARY", "ConsumerAliasName PRIMARY", "ConsumerAliasName SECONDARY",
                "region.${ConsumerAliasName} PRIMARY", "region.${ConsumerAliasName} SECONDARY")), namesWithFailoverPairs);
    }

    @Test
    void routingControlsMayBeReadAndSetOnlyByTheAliasFunctionsAndOnlyOnTheStacksControls() {
        Set<String> routingControls = routingControlParameters();
        assertEquals(Set.of(), template.resourcesOfType("AWS::Route53RecoveryControl::RoutingControl").keySet(),
                "ARC's configuration resources exist only in us-west-2 and us-east-1: they are templates/arc-control.yaml's");
        Map<String, Set<String>> arcActionsByFunction = new TreeMap<>();
        for (var entry : template.resources().entrySet()) {
            for (JsonNode statement : SamTemplate.statements(entry.getValue())) {
                if (!statement.path("Action").toString().contains("route53-recovery-cluster:")) {
                    continue;
                }
                statement.path("Action").forEach(a -> arcActionsByFunction.computeIfAbsent(entry.getKey(), k -> new TreeSet<>()).add(a.asText()));
                if (statement.path("Action").isTextual()) {
                    arcActionsByFunction.computeIfAbsent(entry.getKey(), k -> new TreeSet<>()).add(statement.path("Action").asText());
                }
                // !If [NamesTheRoutingControls, [the stack's controls], a placeholder ARN that names no control]
                JsonNode resource = statement.path("Resource");
                assertEquals("NamesTheRoutingControls", resource.path(0).asText(), entry.getKey());
                Set<String> named = new TreeSet<>();
                resource.path(1).forEach(arn -> named.add(arn.asText()));
                assertEquals(routingControls, named, entry.getKey());
                assertTrue(resource.path(2).asText().endsWith(":controlpanel/none/routingcontrol/none"), resource.toString());
            }
        }
        // ... which holds in ARC mode only, and there only with every control given (as the Rules require).
        String namesTheControls = template.root().path("Conditions").path("NamesTheRoutingControls").toString();
        assertTrue(namesTheControls.contains("SwitchesAliasesWithArc"), namesTheControls);
        routingControls.forEach(control -> assertTrue(namesTheControls.contains(control), namesTheControls));
        assertEquals(Map.of(
                "FlipBootstrapAliasesFunction", Set.of("route53-recovery-cluster:GetRoutingControlState",
                        "route53-recovery-cluster:UpdateRoutingControlState", "route53-recovery-cluster:UpdateRoutingControlStates"),
                "CheckAliasesInSyncFunction", Set.of("route53-recovery-cluster:GetRoutingControlState"),
                "CheckAliasRecordsFunction", Set.of("route53-recovery-cluster:GetRoutingControlState"),
                "DetectImpairmentFunction", Set.of("route53-recovery-cluster:GetRoutingControlState")), arcActionsByFunction);
    }

    /** The four routing control ARN parameters (outputs of templates/arc-control.yaml of the same names). */
    private Set<String> routingControlParameters() {
        Set<String> names = new TreeSet<>();
        template.root().path("Parameters").fieldNames().forEachRemaining(name -> {
            if (name.endsWith("RoutingControlArn")) {
                names.add(name);
            }
        });
        assertEquals(4, names.size(), names.toString());
        return names;
    }

    private static void expect(List<String> problems, String id, boolean holds, String what) {
        if (!holds) {
            problems.add(id + ": " + what);
        }
    }

    private static String exampleValue(String name) {
        if (name.endsWith("_SECONDS") || name.equals("REVERSE_REPLICATOR_TASKS")) {
            return "60";
        }
        return switch (name) {
            case "KAFKA_AUTH" -> "iam";
            case "FORWARD_REPLICATION_MODE", "REVERSE_REPLICATION_MODE" -> "msk-replicator";
            case "PRIMARY_CLUSTER_ARN" -> "arn:aws:kafka:us-east-1:123456789012:cluster/msk-primary/0f1e2d3c-1";
            case "SECONDARY_CLUSTER_ARN" -> "arn:aws:kafka:us-east-2:123456789012:cluster/msk-secondary/1a2b3c4d-2";
            case "ARC_ROUTING_CONTROLS" -> "kafka-producers.msk.internal=arn:aws:route53-recovery-control::123456789012:controlpanel/p/routingcontrol/a"
                    + "|arn:aws:route53-recovery-control::123456789012:controlpanel/p/routingcontrol/b";
            // Empty until the operator copies the cluster's endpoints (README): handlers must start anyway.
            case "ARC_CLUSTER_ENDPOINTS" -> "";
            default -> "example-" + name.toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Collected once by {@link IamCoverageTest}; here so the template side lives with the other template checks. */
    static Map<String, Set<String>> allowedActionsByFunction(SamTemplate template) {
        Map<String, Set<String>> allowed = new HashMap<>();
        template.resourcesOfType("AWS::Serverless::Function").forEach((id, resource) ->
                allowed.put(id.replace("Function", ""), SamTemplate.allowedActions(resource)));
        return allowed;
    }

    /**
     * The nested applications (templates/*.yaml) declare their parameters without the checks template.yaml makes: they
     * must get the stack's own values under the same names, and a condition they share with template.yaml must be the
     * same test, or a mode would deploy the orchestrator one way and its aliases or alarms the other.
     */
    @Test
    void nestedApplicationsGetTheStacksParametersUnderTheirNamesAndShareItsConditions() {
        Set<String> parameters = new TreeSet<>();
        template.root().path("Parameters").fieldNames().forEachRemaining(parameters::add);
        List<String> problems = new ArrayList<>();
        template.nestedTemplates().forEach((id, nested) -> {
            template.resources().get(id).path("Properties").path("Parameters").fields().forEachRemaining(given -> {
                if (parameters.contains(given.getKey()) && !given.getValue().asText().equals(given.getKey())) {
                    problems.add(id + ": parameter " + given.getKey() + " is given " + given.getValue() + ", not the stack's " + given.getKey());
                }
            });
            nested.path("Conditions").fields().forEachRemaining(condition -> {
                JsonNode own = template.root().path("Conditions").path(condition.getKey());
                if (!own.isMissingNode() && !own.equals(condition.getValue())) {
                    problems.add(id + ": condition " + condition.getKey() + " is " + condition.getValue() + ", template.yaml's is " + own);
                }
            });
        });
        assertEquals(List.of(), problems);
        assertEquals(Set.of("BootstrapAliases", "ReverseReplication", "Monitoring"), template.nestedTemplates().keySet());
    }

    /**
     * docs/deploy.md's prerequisites checklist: each row names the preflight Task that checks it (a state of
     * statemachines/preflight.asl.json) or says the preflight does not check it, and every check of the preflight is
     * named by some row; the items a first deploy meets are all there.
     */
    @Test
    void everyPrerequisiteNamesThePreflightCheckThatFindsItMissingOrSaysNone() throws IOException {
        String documentation = Files.readString(StateMachineRun.projectRoot().resolve("docs/deploy.md"));
        String section = documentation.substring(documentation.indexOf("## Prerequisites"));
        section = section.substring(0, section.indexOf("\n## ", 1));
        Set<String> checks = new TreeSet<>();
        JsonNode preflight = JSON.readTree(StateMachineRun.projectRoot().resolve("statemachines/preflight.asl.json").toFile());
        preflight.path("States").path("RunPreflightChecks").path("Branches").forEach(branch -> branch.path("States").fields().forEachRemaining(state -> {
            if (state.getValue().path("Type").asText().equals("Task")) {
                checks.add(state.getKey());
            }
        }));
        assertEquals(Set.of("CheckSecondaryReady", "CheckPrimaryHealthy", "CheckReverseFlowReady", "CheckAliasRecords"), checks);
        List<String> problems = new ArrayList<>();
        Set<String> named = new TreeSet<>();
        List<String> rows = section.lines().filter(line -> line.startsWith("| ") && !line.startsWith("| prerequisite")).toList();
        for (String row : rows) {
            String checkedBy = row.substring(row.lastIndexOf(" | ") + 3);
            Set<String> here = new TreeSet<>();
            checks.stream().filter(check -> checkedBy.contains("`" + check + "`")).forEach(here::add);
            named.addAll(here);
            if (here.isEmpty() && !checkedBy.startsWith("not checked by the preflight") && !checkedBy.startsWith("every check")) {
                problems.add("names no preflight check and does not say it is not checked: " + row);
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(checks, named, "every preflight check backs some prerequisite");
        for (String item : List.of("private hosted zone", "both** Regions", "Routes both ways", "by CIDR", "**NAT**", "forward MSK Replicator",
                "multi-VPC private connectivity", "cluster policy", "replicator-task image in ECR")) {
            assertTrue(section.contains(item), "the checklist names " + item);
        }
    }

    /** The parameter table of docs/deploy.md names every parameter of template.yaml: the table cannot drift. */
    @Test
    void everyParameterIsDocumented() throws IOException {
        String documentation = Files.readString(StateMachineRun.projectRoot().resolve("docs/deploy.md"));
        List<String> missing = new ArrayList<>();
        template.root().path("Parameters").fieldNames().forEachRemaining(name -> {
            if (!documentation.contains("`" + name + "`")) {
                missing.add(name);
            }
        });
        assertTrue(missing.isEmpty(), "parameters of template.yaml that docs/deploy.md does not name: " + missing);
    }
}
