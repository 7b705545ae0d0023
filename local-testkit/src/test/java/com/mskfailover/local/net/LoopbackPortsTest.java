package com.mskfailover.local.net;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopbackPortsTest {

    @Test
    void portsComeFromBelowTheEphemeralRangeAndAreFreeAndDistinct() throws IOException {
        Set<Integer> ports = new HashSet<>();
        try {
            for (int i = 0; i < 50; i++) {
                int port = LoopbackPorts.reserve();
                assertTrue(port < LoopbackPorts.ephemeralLow(), port + " is in the ephemeral range from " + LoopbackPorts.ephemeralLow());
                assertTrue(ports.add(port), "port " + port + " handed out twice");
                try (ServerSocket socket = new ServerSocket()) {
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                }
            }
        } finally {
            ports.forEach(LoopbackPorts::release);
        }
    }

    @Test
    void anotherJvmNeverGetsAPortThisOneHoldsAndGetsItOnceReleased() throws Exception {
        int low = threeFreePortsBelow(10_000);
        int high = low + 2;
        int first = LoopbackPorts.reserve(low, high);
        int second = LoopbackPorts.reserve(low, high);
        Set<Integer> held = Set.of(first, second);
        try {
            List<String> child = reserveInAnotherJvm(low, high, 2);
            int third = low + high + low + 1 - first - second;
            assertEquals(List.of(String.valueOf(third), "none"), child,
                    "the other JVM must get only the port this one does not hold, then none: held " + held);

            LoopbackPorts.release(first);
            assertEquals(List.of(String.valueOf(first)), reserveInAnotherJvm(first, first, 1));
        } finally {
            held.forEach(LoopbackPorts::release);
        }
    }

    /** Reserves {@code count} ports of the range in a child JVM and prints each, or "none" once there is none. */
    public static void main(String[] args) {
        int low = Integer.parseInt(args[0]);
        int high = Integer.parseInt(args[1]);
        for (int i = 0; i < Integer.parseInt(args[2]); i++) {
            try {
                System.out.println(LoopbackPorts.reserve(low, high));
            } catch (IllegalStateException e) {
                System.out.println("none");
            }
        }
    }

    private static List<String> reserveInAnotherJvm(int low, int high, int count) throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LoopbackPortsTest.class.getName(),
                String.valueOf(low), String.valueOf(high), String.valueOf(count))
                .redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        return output.lines().toList();
    }

    /** The lowest of three consecutive ports below {@code below} that nothing listens on now. */
    private static int threeFreePortsBelow(int below) throws IOException {
        for (int low = below - 3; low > 1024; low -= 3) {
            List<ServerSocket> bound = new ArrayList<>();
            try {
                for (int port = low; port < low + 3; port++) {
                    ServerSocket socket = new ServerSocket();
                    bound.add(socket);
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                }
                return low;
            } catch (IOException taken) {
                // Try the next three.
            } finally {
                for (ServerSocket socket : bound) {
                    socket.close();
                }
            }
        }
        throw new IllegalStateException("no three free ports below " + below);
    }
}
