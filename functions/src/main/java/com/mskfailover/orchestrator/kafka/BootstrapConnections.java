package com.mskfailover.orchestrator.kafka;

import org.apache.kafka.clients.ClientDnsLookup;
import org.apache.kafka.clients.ClientUtils;
import org.apache.kafka.common.config.ConfigException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether any bootstrap address of a cluster accepts a TCP connection, every address tried at once. A Kafka client
 * bootstraps through nothing else, so when none accepts (refused, unresolvable, no answer within the time) the cluster
 * is unreachable for it, and saying so takes milliseconds when the brokers' hosts refuse the connection: a Kafka
 * client would instead retry until its timeout, which is most of a failover's detection time when the brokers are down.
 */
public final class BootstrapConnections {

    private BootstrapConnections() {
    }

    /** Why no address of {@code bootstrapServers} accepted a connection within {@code timeout}; empty once one did. */
    public static Optional<String> noneAccepts(String bootstrapServers, Duration timeout) {
        List<InetSocketAddress> addresses;
        try {
            addresses = ClientUtils.parseAndValidateAddresses(Arrays.asList(bootstrapServers.split(",")), ClientDnsLookup.USE_ALL_DNS_IPS);
        } catch (ConfigException e) {
            return Optional.of(bootstrapServers + ": " + e.getMessage());
        }
        List<String> failures = new ArrayList<>();
        List<SocketChannel> channels = new ArrayList<>();
        Set<SelectionKey> pending = new HashSet<>();
        try (Selector selector = Selector.open()) {
            for (InetSocketAddress address : addresses) {
                SocketChannel channel = SocketChannel.open();
                channels.add(channel);
                channel.configureBlocking(false);
                try {
                    if (channel.connect(address)) {
                        return Optional.empty();
                    }
                    pending.add(channel.register(selector, SelectionKey.OP_CONNECT, address));
                } catch (IOException e) {
                    failures.add(address + ": " + e.getMessage());
                }
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!pending.isEmpty()) {
                long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
                if (left <= 0) {
                    pending.forEach(key -> failures.add(key.attachment() + ": no answer within " + timeout.toMillis() + " ms"));
                    break;
                }
                selector.select(left);
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (((SocketChannel) key.channel()).finishConnect()) {
                            return Optional.empty();
                        }
                    } catch (IOException e) {
                        failures.add(key.attachment() + ": " + e.getMessage());
                        key.cancel();
                        pending.remove(key);
                    }
                }
                selector.selectedKeys().clear();
            }
            return Optional.of("no bootstrap address accepted a connection: " + String.join("; ", failures));
        } catch (IOException e) {
            // The check itself could not run here: let the Kafka client find out.
            return Optional.empty();
        } finally {
            channels.forEach(BootstrapConnections::closeQuietly);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing was sent on it.
        }
    }
}
