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
 * template.yaml as data. CloudFormation's short tags (!Ref X, !Sub ..., !Join [...]) read as their plain value,
 * which is all these checks need: names, types, actions.
 */
final class SamTemplate {

    private final JsonNode root;

    SamTemplate() {
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(StateMachineRun.projectRoot().resolve("template.yaml").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode root() {
        return root;
    }

    Map<String, JsonNode> resources() {
        Map<String, JsonNode> resources = new LinkedHashMap<>();
        root.path("Resources").fields().forEachRemaining(entry -> resources.put(entry.getKey(), entry.getValue()));
        return resources;
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
