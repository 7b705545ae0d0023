package com.mskfailover.orchestrator.domain;

/** One MSK cluster of the pair as the state machines carry it: bootstrapServers is null until resolved. */
public record ClusterRef(String clusterArn, String region, String bootstrapServers) {

    public ClusterRef withBootstrapServers(String bootstrapServers) {
        return new ClusterRef(clusterArn, region, bootstrapServers);
    }

    /** The Region of an MSK cluster ARN ({@code arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID}). */
    public static String regionOf(String clusterArn) {
        return ClusterArns.parse(clusterArn).region();
    }
}
