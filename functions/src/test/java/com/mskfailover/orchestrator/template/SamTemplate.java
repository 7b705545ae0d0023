package com.mskfailover.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.mskfailover.orchestrator.StateMachineRun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * template.yaml as data, with the templates of its nested applications (templates/*.yaml): {@link #resources()} are
 * the resources of all of them, as deployed. CloudFormation's short tags (!Ref X, !Sub ..., !Join [...]) read as their
 * plain value, which is all these checks need: names, types, actions.
 */
final class SamTemplate {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final JsonNode root;
    private final Map<String, JsonNode> nested = new LinkedHashMap<>();
    /** template.yaml's resources, then its nested applications' (read once: the templates do not change). */
    private final Map<String, JsonNode> resources = new LinkedHashMap<>();

    private static final String RC = "arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef0123456789abcdef/routingcontrol/";
    /** Example values for the parameters a deploy must give (or that a mode needs), valid for their AllowedPattern. */
    static final Map<String, String> DEPLOY_VALUES = Map.ofEntries(
            Map.entry("PrimaryClusterArn", "arn:aws:kafka:us-east-1:123456789012:cluster/msk-primary/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-1"),
            Map.entry("SecondaryClusterArn", "arn:aws:kafka:us-east-2:123456789012:cluster/msk-secondary/1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809-2"),
            Map.entry("PrimaryBootstrapServers", "b-1.mskprimary.abc123.c2.kafka.us-east-1.amazonaws.com:9098"),
            Map.entry("SecondaryBootstrapServers", "b-1.msksecondary.def456.c3.kafka.us-east-2.amazonaws.com:9098"),
            Map.entry("HostedZoneId", "Z0123456789ABCDEFGHIJ"),
            Map.entry("ReplicatorTaskImage", "123456789012.dkr.ecr.us-east-2.amazonaws.com/replicator-task:abc1234"),
            Map.entry("SubnetIds", "subnet-0123456789abcdef0,subnet-0123456789abcdef1"),
            Map.entry("SecurityGroupIds", "sg-0123456789abcdef0"),
            Map.entry("ForwardReplicatorArn", "arn:aws:kafka:us-east-2:123456789012:replicator/msk-forward/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3"),
            Map.entry("ArcClusterEndpoints", "us-east-1=https://host-aaaaaa.us-east-1.example.com/v1,us-west-2=https://host-bbbbbb.us-west-2.example.com/v1"),
            Map.entry("ProducersOnPrimaryRoutingControlArn", RC + "aaaaaaaaaaaaaaaa"),
            Map.entry("ProducersOnSecondaryRoutingControlArn", RC + "bbbbbbbbbbbbbbbb"),
            Map.entry("ConsumersOnPrimaryRoutingControlArn", RC + "cccccccccccccccc"),
            Map.entry("ConsumersOnSecondaryRoutingControlArn", RC + "dddddddddddddddd"));

    /** What CloudFormation gives for the references to the stack's own resources in a function's environment. */
    static final Map<String, String> DEPLOYED_REFERENCES = Map.of(
            "NotificationTopic", "arn:aws:sns:us-east-2:123456789012:msk-failover-NotificationTopic-AbCdEf",
            "FailoverStateMachine", "arn:aws:states:us-east-2:123456789012:stateMachine:msk-failover-failover",
            "FailbackStateMachine", "arn:aws:states:us-east-2:123456789012:stateMachine:msk-failover-failback",
            "OperationLockTable", "msk-failover-OperationLockTable-AbCdEf",
            "ReverseReplication.Outputs.ClusterArn", "arn:aws:ecs:us-east-2:123456789012:cluster/msk-failover-ReverseReplication-AbC-ReplicatorCluster-DeF",
            "ReverseReplication.Outputs.TaskDefinitionArn", "arn:aws:ecs:us-east-2:123456789012:task-definition/msk-failover-replicator-task:1",
            "ReverseReplication.Outputs.ServiceRoleArn", "arn:aws:iam::123456789012:role/msk-failover-ReverseReplication-ReverseReplicatorServiceRole-1");

    SamTemplate() {
        root = read("template.yaml");
        root.path("Resources").fields().forEachRemaining(entry -> {
            if (entry.getValue().path("Type").asText().equals("AWS::Serverless::Application")) {
                nested.put(entry.getKey(), read(nestedLocation(entry.getValue())));
            }
        });
        root.path("Resources").fields().forEachRemaining(entry -> resources.put(entry.getKey(), entry.getValue()));
        nested.values().forEach(template -> template.path("Resources").fields().forEachRemaining(entry -> {
            if (resources.putIfAbsent(entry.getKey(), entry.getValue()) != null) {
                throw new IllegalStateException("two resources named " + entry.getKey() + ": give each a name of its own");
            }
        }));
    }

    private static JsonNode read(String path) {
        try {
            return YAML.readTree(StateMachineRun.projectRoot().resolve(path).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A nested application's template, relative to the project (as sam build reads it). */
    static String nestedLocation(JsonNode application) {
        return application.path("Properties").path("Location").asText();
    }

    JsonNode root() {
        return root;
    }

    /** The nested applications' templates by the logical id of their AWS::Serverless::Application. */
    Map<String, JsonNode> nestedTemplates() {
        return nested;
    }

    /** Every resource: template.yaml's, then its nested applications'. */
    Map<String, JsonNode> resources() {
        return java.util.Collections.unmodifiableMap(resources);
    }

    /**
     * The environment template.yaml gives a function (Globals' variables, then its own) for these parameter values (the
     * rest at their Default), as CloudFormation would compute it: a name that is a parameter reads as !Ref to it,
     * {@code [delimiter, [...]]} as !Join, {@code ${Name}} in text as !Sub, and {@code [condition, a, b]} as !If taking
     * {@code a} where the condition holds for these values, {@code b} where not. A reference to a resource of the stack
     * (!Ref, !GetAtt) reads as {@link #DEPLOYED_REFERENCES}' example value.
     */
    Map<String, String> functionEnvironment(String functionId, Map<String, String> parameters) {
        Map<String, String> values = values(parameters);
        Map<String, String> env = new LinkedHashMap<>();
        root.path("Globals").path("Function").path("Environment").path("Variables").fields()
                .forEachRemaining(variable -> env.put(variable.getKey(), resolve(variable.getValue(), values)));
        resources().get(functionId).path("Properties").path("Environment").path("Variables").fields()
                .forEachRemaining(variable -> env.put(variable.getKey(), resolve(variable.getValue(), values)));
        env.forEach((name, value) -> {
            if (resources().containsKey(value.split("\\.")[0])) {
                throw new IllegalStateException(functionId + "'s " + name + " refers to " + value + ": add its deployed form to DEPLOYED_REFERENCES");
            }
        });
        return env;
    }

    /** Every parameter's value for a deploy giving these (the rest at DEPLOY_VALUES, else their Default), and the stack's references. */
    Map<String, String> values(Map<String, String> parameters) {
        Map<String, String> values = new LinkedHashMap<>(DEPLOYED_REFERENCES);
        root.path("Parameters").fields().forEachRemaining(parameter ->
                values.put(parameter.getKey(), parameter.getValue().path("Default").asText("")));
        values.putAll(DEPLOY_VALUES);
        values.putAll(parameters);
        return values;
    }

    /**
     * The AssertDescription of every assertion of template.yaml's Rules that these parameter values fail, as
     * CloudFormation would refuse the deploy (conditions read as {@link #holds(String, Map)} reads them).
     */
    List<String> refusedByTheRules(Map<String, String> parameters) {
        Map<String, String> values = values(parameters);
        List<String> refusals = new ArrayList<>();
        root.path("Rules").forEach(rule -> {
            if (rule.has("RuleCondition") && !holds(rule.path("RuleCondition"), values)) {
                return;
            }
            rule.path("Assertions").forEach(assertion -> {
                if (!holds(assertion.path("Assert"), values)) {
                    refusals.add(assertion.path("AssertDescription").asText());
                }
            });
        });
        return refusals;
    }

    private String resolve(JsonNode value, Map<String, String> parameters) {
        if (value.isArray() && value.size() == 3 && value.get(0).isTextual() && root.path("Conditions").has(value.get(0).asText())) {
            return resolve(holds(value.get(0).asText(), parameters) ? value.get(1) : value.get(2), parameters);
        }
        if (value.isArray() && value.size() == 2 && value.get(0).isTextual()) {
            List<String> parts = new ArrayList<>();
            (value.get(1).isArray() ? value.get(1) : List.of(value.get(1))).forEach(part -> parts.add(resolve(part, parameters)));
            return String.join(value.get(0).asText(), parts);
        }
        String text = value.asText();
        if (parameters.containsKey(text)) {
            return parameters.get(text);
        }
        return java.util.regex.Pattern.compile("\\$\\{([A-Za-z0-9:]+)}").matcher(text)
                .replaceAll(match -> java.util.regex.Matcher.quoteReplacement(parameters.getOrDefault(match.group(1), "msk-failover")));
    }

    /**
     * Whether a condition of template.yaml holds for these parameter values. Without their tags the conditions read as
     * !Condition: a name; !Not: [x]; !Equals: [a, b] of two plain values (a parameter's name reads as its value); !And:
     * any other list (the template uses no !Or in its Conditions).
     */
    boolean holds(String condition, Map<String, String> parameters) {
        JsonNode definition = root.path("Conditions").path(condition);
        if (definition.isMissingNode()) {
            throw new IllegalArgumentException("template.yaml has no condition " + condition);
        }
        return holds(definition, parameters);
    }

    private boolean holds(JsonNode condition, Map<String, String> parameters) {
        if (condition.isTextual()) {
            return holds(condition.asText(), parameters);
        }
        if (condition.size() == 1) {
            return !holds(condition.get(0), parameters);
        }
        if (condition.size() == 2 && condition.get(0).isValueNode() && condition.get(1).isValueNode()) {
            return resolve(condition.get(0), parameters).equals(resolve(condition.get(1), parameters));
        }
        for (JsonNode part : condition) {
            if (!holds(part, parameters)) {
                return false;
            }
        }
        return true;
    }

    Map<String, JsonNode> resourcesOfType(String type) {
        Map<String, JsonNode> matching = new LinkedHashMap<>();
        resources().forEach((id, resource) -> {
            if (type.equals(resource.path("Type").asText())) {
                matching.put(id, resource);
            }
        });
        return matching;
    }

    /** Every IAM action a resource's inline policy statements allow (Policies of a function, PolicyDocument of a role). */
    static Set<String> allowedActions(JsonNode resource) {
        Set<String> actions = new LinkedHashSet<>();
        for (JsonNode statement : statements(resource)) {
            if ("Allow".equals(statement.path("Effect").asText())) {
                JsonNode action = statement.path("Action");
                if (action.isArray()) {
                    action.forEach(a -> actions.add(a.asText()));
                } else if (!action.isMissingNode()) {
                    actions.add(action.asText());
                }
            }
        }
        return actions;
    }

    /** Every statement, including both branches of a conditional one ({@code !If [Condition, statement, AWS::NoValue]}). */
    static List<JsonNode> statements(JsonNode resource) {
        List<JsonNode> statements = new ArrayList<>();
        JsonNode properties = resource.path("Properties");
        java.util.function.Consumer<JsonNode> add = statement -> {
            if (statement.isArray() && statement.size() == 3 && statement.get(0).isTextual()) {
                for (int branch = 1; branch <= 2; branch++) {
                    if (statement.get(branch).isObject()) {
                        statements.add(statement.get(branch));
                    }
                }
            } else {
                statements.add(statement);
            }
        };
        properties.path("Policies").forEach(policy -> {
            policy.path("Statement").forEach(add);
            policy.path("PolicyDocument").path("Statement").forEach(add);
        });
        return statements;
    }
}
