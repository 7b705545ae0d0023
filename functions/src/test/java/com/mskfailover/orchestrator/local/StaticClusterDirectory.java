package com.mskfailover.orchestrator.local;

import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.DependencyFailedException;

import java.util.Map;

/** Local {@link ClusterDirectory}: a fixed map of cluster ARN to bootstrap string (e.g. LocalKafkaCluster.bootstrapServers()). */
public final class StaticClusterDirectory implements ClusterDirectory {

    private final Map<String, String> bootstrapByClusterArn;

    public StaticClusterDirectory(Map<String, String> bootstrapByClusterArn) {
        this.bootstrapByClusterArn = Map.copyOf(bootstrapByClusterArn);
    }

    @Override
    public String bootstrapServers(String clusterArn) {
        String bootstrap = bootstrapByClusterArn.get(clusterArn);
        if (bootstrap == null) {
            throw new DependencyFailedException("no cluster " + clusterArn + " (known: " + bootstrapByClusterArn.keySet() + ")");
        }
        return bootstrap;
    }
}
