package com.mskfailover.orchestrator.template;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lambda refuses a function whose environment variables (names and values) exceed 4 KB, and CloudFormation then fails
 * the deploy or, worse, a later update. Every function's environment, in every mode, with the largest inputs
 * docs/deploy.md documents, must fit with room to spare.
 */
class EnvironmentSizeTest {

    /** Lambda's limit on all of a function's environment variables together. */
    private static final int LIMIT = 4 * 1024;
    private static final SamTemplate TEMPLATE = new SamTemplate();

    /** An MSK broker string of {@code brokers} brokers with the longest host names MSK gives (IAM port). */
    private static String bootstrap(int brokers, String region) {
        return IntStream.rangeClosed(1, brokers)
                .mapToObj(i -> "b-" + i + ".msk-failover-primary-cl.a1b2c3.c12.kafka." + region + ".amazonaws.com:9098")
                .collect(Collectors.joining(","));
    }

    /** A comma-separated list of names starting with {@code prefix}, as long as the parameter's MaxLength allows. */
    private static String atMaxLength(String parameter, String prefix) {
        int maxLength = TEMPLATE.root().path("Parameters").path(parameter).path("MaxLength").asInt();
        assertTrue(maxLength > 0, parameter + " has no MaxLength: nothing bounds its share of the functions' environment");
        StringBuilder list = new StringBuilder();
        for (int i = 1; list.length() + prefix.length() + 4 <= maxLength; i++) {
            list.append(list.isEmpty() ? "" : ",").append(prefix).append(String.format("%03d", i));
        }
        return list.toString();
    }

    /** The largest deployment the template allows: 3 brokers a side, 5 ARC endpoints, topics, groups and watched alarms at their MaxLength. */
    static Map<String, String> largest(String aliasMode, String replicationMode) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("AliasSwitchMode", aliasMode);
        parameters.put("ForwardReplicationMode", replicationMode);
        parameters.put("ReverseReplicationMode", replicationMode);
        parameters.put("PrimaryBootstrapServers", bootstrap(3, "us-east-1"));
        parameters.put("SecondaryBootstrapServers", bootstrap(3, "us-west-2"));
        parameters.put("ArcClusterEndpoints", List.of("us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1", "ap-southeast-2").stream()
                .map(region -> region + "=https://host-abcdef.route53-recovery-cluster." + region + ".amazonaws.com/v1").collect(Collectors.joining(",")));
        parameters.put("Topics", atMaxLength("Topics", "orders.payments.topic-"));
        parameters.put("ConsumerGroups", atMaxLength("ConsumerGroups", "orders-payments-group-"));
        // docs/deploy.md: at most five alarms of your own, of up to 64 characters each.
        parameters.put("WatchedAlarmNames", IntStream.rangeClosed(1, 5).mapToObj(i -> "payments-producer-errors-" + "x".repeat(36) + "-" + i + "0").collect(Collectors.joining(",")));
        parameters.put("ProducerAliasName", "kafka-producers.payments.msk.internal");
        parameters.put("ConsumerAliasName", "kafka-consumers.payments.msk.internal");
        return parameters;
    }

    private static int size(Map<String, String> environment) {
        return environment.entrySet().stream()
                .mapToInt(variable -> variable.getKey().getBytes(StandardCharsets.UTF_8).length + variable.getValue().getBytes(StandardCharsets.UTF_8).length)
                .sum();
    }

    @Test
    void everyFunctionsEnvironmentFitsLambdasFourKilobytesInEveryModeWithTheLargestDocumentedInputs() {
        List<String> figures = new ArrayList<>();
        int largest = 0;
        for (String aliasMode : List.of("route53-change", "arc-routing-control")) {
            for (String replicationMode : List.of("msk-replicator", "replicator-task")) {
                for (String function : TEMPLATE.resourcesOfType("AWS::Serverless::Function").keySet()) {
                    int size = size(TEMPLATE.functionEnvironment(function, largest(aliasMode, replicationMode)));
                    largest = Math.max(largest, size);
                    figures.add(aliasMode + "/" + replicationMode + " " + function + " " + size);
                }
            }
        }
         System.out.println("largest function environment: " + largest + " bytes of " + LIMIT + "\n" + String.join("\n", figures));
        assertTrue(largest <= LIMIT * 95 / 100, largest + " bytes of environment, more than 95% of Lambda's " + LIMIT + ":\n" + String.join("\n", figures));
    }
}
