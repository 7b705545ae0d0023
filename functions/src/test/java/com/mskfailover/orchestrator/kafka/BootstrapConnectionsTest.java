package com.mskfailover.orchestrator.kafka;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When no bootstrap address accepts a connection, the probe knows the cluster is unreachable without a Kafka client. */
class BootstrapConnectionsTest {

    /** Generous: none of these cases may need it (refusals are immediate); it only bounds a broken machine. */
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void everyAddressRefusingIsDecidedAtOnceAndNamed() throws IOException {
        String refused = "127.0.0.1:" + closedPort();
        String alsoRefused = "127.0.0.1:" + closedPort();
        long started = System.nanoTime();
        Optional<String> why = BootstrapConnections.noneAccepts(refused + "," + alsoRefused, TIMEOUT);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(why.isPresent());
        assertTrue(why.get().contains(refused.substring("127.0.0.1".length())) && why.get().contains(alsoRefused.substring("127.0.0.1".length())), why.get());
        assertTrue(why.get().contains("refused"), why.get());
        assertTrue(took.compareTo(TIMEOUT.dividedBy(2)) < 0, "a refusal is an answer, not a timeout: " + took);
    }

    @Test
    void oneAcceptingAddressIsEnough() throws IOException {
        try (ServerSocket broker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertEquals(Optional.empty(), BootstrapConnections.noneAccepts("127.0.0.1:" + closedPort() + ",127.0.0.1:" + broker.getLocalPort(), TIMEOUT));
            assertEquals(Optional.empty(), BootstrapConnections.noneAccepts("localhost:" + broker.getLocalPort(), TIMEOUT));
        }
    }

    @Test
    void anUnresolvableBootstrapIsUnreachable() {
        Optional<String> why = BootstrapConnections.noneAccepts("b-1.no-such-cluster.invalid:9098", TIMEOUT);
        assertTrue(why.isPresent() && why.get().contains("b-1.no-such-cluster.invalid"), String.valueOf(why));
    }

    /** A loopback port nothing listens on any more. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
