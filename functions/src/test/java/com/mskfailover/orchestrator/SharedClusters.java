package com.mskfailover.orchestrator;

import com.mskfailover.local.kafka.LocalKafkaCluster;

/**
 * Two real single-node Kafka clusters shared by every test of this module (starting them is the slow part; each
 * test uses its own topic and group names, so tests do not see each other's data).
 */
public final class SharedClusters {

    private static LocalKafkaCluster primary;
    private static LocalKafkaCluster secondary;

    private SharedClusters() {
    }

    public static synchronized LocalKafkaCluster primary() {
        start();
        return primary;
    }

    public static synchronized LocalKafkaCluster secondary() {
        start();
        return secondary;
    }

    private static void start() {
        if (primary == null) {
            primary = LocalKafkaCluster.start("primary");
            secondary = LocalKafkaCluster.start("secondary");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                secondary.close();
                primary.close();
            }));
        }
    }
}
