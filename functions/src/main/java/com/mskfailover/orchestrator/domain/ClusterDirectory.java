package com.mskfailover.orchestrator.domain;

/** Port: where clients connect to a cluster (MSK GetBootstrapBrokers in AWS, a map locally). */
public interface ClusterDirectory {
    /** The bootstrap string clients use for the cluster, for the stack's client authentication. */
    String bootstrapServers(String clusterArn);
}
