package com.mskfailover.local.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for servers that are told their port before they bind it (a broker's listeners, which must keep their
 * port across restarts), which no one else takes in the meantime.
 *
 * <p>A port chosen by binding port 0 and closing the socket again is an ephemeral port: the kernel hands the same range
 * out to every client connection and every other bind of port 0 (a controller listener, an HTTP stand-in), so it can be
 * gone by the time the broker binds it ("Address already in use"). The ports here come from below the kernel's
 * ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range}), which the kernel never hands out by itself, and each
 * is reserved across every JVM of this machine by an exclusive lock on a file named after it (surefire forks, the
 * drill and its child processes all choose here): a lock is released by {@link #release(int)} or when the JVM that holds
 * it ends, however it ends.
 */
public final class LoopbackPorts {

    /** Where the lock files live: one per reserved port, shared by every JVM of the machine. */
    private static final Path LOCK_DIR = Path.of(System.getProperty("java.io.tmpdir"), "local-testkit-ports");
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** Linux's default lower bound, for a machine that does not say. */
    private static final int DEFAULT_EPHEMERAL_LOW = 32768;
    /** How many ports below the ephemeral range are drawn from. */
    private static final int SPAN = 10_000;
    private static final int LOWEST = 10_000;

    private static final Map<Integer, FileChannel> RESERVED = new HashMap<>();

    private LoopbackPorts() {
    }

    /**
     * A loopback port that nothing listens on and no other caller of this class, in this JVM or another, will get
     * until it is released.
     */
    public static int reserve() {
        int high = ephemeralLow() - 1;
        if (high - LOWEST < 1_000) {
            throw new IllegalStateException("the kernel's ephemeral port range starts at " + (high + 1) + " (" + EPHEMERAL_RANGE
                    + "), which leaves no room below it for the test clusters' ports: start it at 20000 or higher "
                    + "(sysctl net.ipv4.ip_local_port_range)");
        }
        return reserve(Math.max(LOWEST, high - SPAN), high);
    }

    /** A port of {@code low..high} (inclusive), reserved as {@link #reserve()} does. */
    static synchronized int reserve(int low, int high) {
        int span = high - low + 1;
        int start = ThreadLocalRandom.current().nextInt(span);
        for (int i = 0; i < span; i++) {
            int port = low + (start + i) % span;
            if (!RESERVED.containsKey(port) && tryReserve(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port in " + low + "-" + high + " (below the ephemeral range): "
                + RESERVED.size() + " reserved by this JVM; see " + LOCK_DIR);
    }

    /** Gives a port back: another caller may get it from now on. */
    public static synchronized void release(int port) {
        FileChannel lock = RESERVED.remove(port);
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException e) {
                throw new UncheckedIOException("releasing loopback port " + port, e);
            }
        }
    }

    /** The lower bound of the kernel's ephemeral port range, which no port here reaches. */
    static int ephemeralLow() {
        // Read as lines: procfs files report a size of 0, which Files.readString trusts.
        try (var lines = Files.lines(EPHEMERAL_RANGE)) {
            String[] range = lines.findFirst().orElseThrow().trim().split("\\s+");
            return Integer.parseInt(range[0]);
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }

    private static boolean tryReserve(int port) {
        FileChannel channel = null;
        try {
            Files.createDirectories(LOCK_DIR);
            channel = FileChannel.open(LOCK_DIR.resolve(port + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null || !isFree(port)) {
                channel.close();
                return false;
            }
            RESERVED.put(port, channel);
            return true;
        } catch (OverlappingFileLockException e) {
            close(channel);
            return false;
        } catch (IOException e) {
            close(channel);
            throw new UncheckedIOException("reserving loopback port " + port + " under " + LOCK_DIR, e);
        }
    }

    /** Whether nothing else (a service of the machine, a server started without this class) listens on it now. */
    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing was reserved through it.
            }
        }
    }
}
