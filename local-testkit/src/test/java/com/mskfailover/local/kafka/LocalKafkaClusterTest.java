package com.mskfailover.local.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
class LocalKafkaClusterTest {

    @Test
    void aHardKilledClusterComesBackWithItsDataWhileTheOtherKeepsServing() {
        try (LocalKafkaCluster primary = LocalKafkaCluster.builder("primary").mode(LocalKafkaCluster.Mode.CHILD_JVM).start();
             LocalKafkaCluster secondary = LocalKafkaCluster.start("secondary")) {
            assertNotEquals(primary.clusterId(), secondary.clusterId());
            assertNotEquals(primary.bootstrapServers(), secondary.bootstrapServers());

            primary.clients().createTopic("customer", 3);
            primary.clients().produce("customer", "k1", "message 1");
            primary.clients().produce("customer", "k2", "message 2");
            secondary.clients().createTopic("customer", 3);
            secondary.clients().produce("customer", "k3", "message 3");

            String bootstrapBefore = primary.bootstrapServers();
            primary.kill();
            assertFalse(primary.isRunning());
            assertEquals(List.of("message 3"), KafkaClients.values(secondary.clients().readAll("customer")));

            primary.restart();
            assertTrue(primary.isRunning());
            assertEquals(bootstrapBefore, primary.bootstrapServers());
            assertEquals(List.of("message 1", "message 2"),
                    KafkaClients.values(primary.clients().readAll("customer")).stream().sorted().toList());
        }
    }

    @Test
    void aGroupResumesAfterAGracefulRestartInProcess() {
        try (LocalKafkaCluster cluster = LocalKafkaCluster.start("in-process")) {
            KafkaClients clients = cluster.clients();
            clients.createTopic("customer", 1, Map.of("retention.ms", "86400000"));
            clients.produce("customer", "k", "first");
            assertEquals(List.of("first"), KafkaClients.values(clients.consumeAsGroup("msk-consumer", "customer")));

            cluster.restart();
            clients.produce("customer", "k", "second");
            assertEquals(List.of("second"), KafkaClients.values(clients.consumeAsGroup("msk-consumer", "customer")));
            assertEquals(2L, clients.committedOffsets("msk-consumer").values().iterator().next());
        }
    }

    @Test
    void anInProcessClusterOpensItsDataDirectoryAgainOnItsPort(@TempDir Path dataDir) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String clusterId;
        try (LocalKafkaCluster cluster = LocalKafkaCluster.builder("kept").dataDir(dataDir).brokerPort(port).start()) {
            assertEquals("127.0.0.1:" + port, cluster.bootstrapServers());
            cluster.clients().createTopic("customer", 1);
            cluster.clients().produce("customer", "k", "kept");
            clusterId = cluster.clusterId();
        }
        try (LocalKafkaCluster cluster = LocalKafkaCluster.builder("kept").dataDir(dataDir).brokerPort(port).start()) {
            assertEquals(clusterId, cluster.clusterId());
            assertEquals(List.of("kept"), KafkaClients.values(cluster.clients().readAll("customer")));
        }
    }

    @Test
    void onlyAChildJvmClusterCanBeKilled() {
        try (LocalKafkaCluster cluster = LocalKafkaCluster.start("in-process")) {
            assertThrows(IllegalStateException.class, cluster::kill);
            assertTrue(cluster.isRunning());
        }
    }
}
