package com.mskfailover.orchestrator.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads an MSK cluster policy (IAM policy grammar) for what MSK Replicator needs of a source cluster: the actions an
 * Allow statement grants the service principal {@code kafka.amazonaws.com} (or every principal), wildcards included.
 * Conditions and Deny statements are not weighed: the preflight reports a missing grant, IAM has the last word.
 */
final class SourceClusterPolicy {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MSK_SERVICE_PRINCIPAL = "kafka.amazonaws.com";

    private SourceClusterPolicy() {
    }

    /** Of {@code actions}, those no Allow statement of {@code policy} grants to MSK's service principal. */
    static List<String> actionsNotAllowedToMsk(String policy, List<String> actions) {
        List<Pattern> granted = new ArrayList<>();
        try {
            for (JsonNode statement : asList(JSON.readTree(policy).path("Statement"))) {
                if ("Allow".equals(statement.path("Effect").asText()) && namesMsk(statement.path("Principal"))) {
                    asList(statement.path("Action")).forEach(action -> granted.add(wildcard(action.asText())));
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return actions;
        }
        return actions.stream().filter(action -> granted.stream().noneMatch(pattern -> pattern.matcher(action).matches())).toList();
    }

    private static boolean namesMsk(JsonNode principal) {
        if (principal.isTextual()) {
            return "*".equals(principal.asText());
        }
        return asList(principal.path("Service")).stream().anyMatch(service -> MSK_SERVICE_PRINCIPAL.equals(service.asText()))
                || asList(principal.path("AWS")).stream().anyMatch(aws -> "*".equals(aws.asText()));
    }

    /** IAM action patterns are case-insensitive, with * and ? as wildcards. */
    private static Pattern wildcard(String action) {
        return Pattern.compile(Pattern.quote(action).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q"), Pattern.CASE_INSENSITIVE);
    }

    private static List<JsonNode> asList(JsonNode node) {
        List<JsonNode> list = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(list::add);
        } else if (!node.isMissingNode() && !node.isNull()) {
            list.add(node);
        }
        return list;
    }
}
