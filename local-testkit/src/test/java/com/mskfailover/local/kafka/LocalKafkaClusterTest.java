package com.mskfailover.local.kafka;

import com.mskfailover.local.net.LoopbackPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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

    /**
     * The suite starts dozens of clusters while clients connect and other servers bind port 0, all drawing from the
     * kernel's ephemeral range: cluster starts in a row, under that churn, must each bind the ports they were given.
     */
    @Test
    void clusterStartsInARowBindTheirPortsWhileOtherSocketsChurnTheEphemeralRange() throws Exception {
        AtomicBoolean churning = new AtomicBoolean(true);
        AtomicInteger churned = new AtomicInteger();
        Thread churn = Thread.ofPlatform().daemon().start(() -> {
            while (churning.get()) {
                try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                     Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    churned.incrementAndGet();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        try {
            for (int start = 1; start <= 8; start++) {
                try (LocalKafkaCluster cluster = LocalKafkaCluster.start("start-" + start)) {
                    cluster.clients().createTopic("customer", 1);
                    cluster.clients().produce("customer", "k", "start " + start);
                    assertEquals(List.of("start " + start), KafkaClients.values(cluster.clients().readAll("customer")));
                }
            }
        } finally {
            churning.set(false);
            churn.join();
        }
        assertTrue(churned.get() > 0, "the churn opened no socket");
    }

    @Test
    void anInProcessClusterOpensItsDataDirectoryAgainOnItsPort(@TempDir Path dataDir) throws IOException {
        int port = LoopbackPorts.reserve();
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
