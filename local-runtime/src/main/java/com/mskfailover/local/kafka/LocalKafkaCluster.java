package com.mskfailover.local.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-node Apache Kafka cluster (KRaft, broker and controller in one node) on loopback.
 *
 * <p>Two ways to run the node: in this JVM (fast: about 2 s for the first cluster, a fraction of a
 * second for the next), or in a child JVM that {@link #kill()} ends with SIGKILL, which is the
 * closest thing to a Region outage a single machine offers. Ports and data survive {@link #stop()},
 * {@link #kill()} and {@link #restart()}, so clients and bootstrap aliases keep working after a recovery.
 */
public final class LocalKafkaCluster implements AutoCloseable {

    public enum Mode { IN_PROCESS, CHILD_JVM }

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Mode mode;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final String clusterId;
    private final int brokerPort;
    private final int controllerPort;
    private final Map<String, String> brokerOverrides;
    private final Map<String, Object> adminOverrides;

    private KafkaRaftServer inProcessServer;
    private Process childProcess;

    private LocalKafkaCluster(Builder builder) throws IOException {
        this.name = builder.name;
        this.mode = builder.mode;
        this.deleteDataDirOnClose = builder.dataDir == null;
        this.dataDir = builder.dataDir != null
                ? Files.createDirectories(builder.dataDir)
                : Files.createTempDirectory("local-kafka-" + builder.name + "-");
        this.clusterId = existingClusterId(dataDir).orElseGet(() -> Uuid.randomUuid().toString());
        this.brokerPort = builder.brokerPort != 0 ? builder.brokerPort : freePort();
        this.controllerPort = freePort();
        this.brokerOverrides = Map.copyOf(builder.brokerOverrides);
        this.adminOverrides = Map.copyOf(builder.adminOverrides);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Starts an in-process cluster with a temporary data directory, deleted on {@link #close()}. */
    public static LocalKafkaCluster start(String name) {
        return builder(name).start();
    }

    public String name() {
        return name;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    /** The KRaft cluster id, as {@code Admin.describeCluster().clusterId()} reports it. */
    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Mode mode() {
        return mode;
    }

    public synchronized boolean isRunning() {
        return inProcessServer != null || (childProcess != null && childProcess.isAlive());
    }

    /** Starts the node (formatting its storage the first time) and waits until it serves clients. */
    public synchronized LocalKafkaCluster startNode() {
        if (isRunning()) {
            return this;
        }
        Properties config = brokerConfig();
        formatStorageOnce(config);
        if (mode == Mode.IN_PROCESS) {
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
            server.startup();
            inProcessServer = server;
        } else {
            childProcess = startChildJvm(config);
        }
        awaitReady();
        return this;
    }

    /** Graceful shutdown; data and ports are kept for {@link #restart()}. */
    public synchronized void stop() {
        if (inProcessServer != null) {
            inProcessServer.shutdown();
            inProcessServer.awaitShutdown();
            inProcessServer = null;
        }
        if (childProcess != null) {
            childProcess.destroy();
            awaitExit(childProcess);
            childProcess = null;
        }
    }

    /**
     * Ends the node with SIGKILL, like a Region going away: no controlled shutdown, no flush.
     * Only a child-JVM node can be killed this way.
     */
    public synchronized void kill() {
        if (mode != Mode.CHILD_JVM) {
            throw new IllegalStateException("cluster " + name + " runs in this JVM; build it with mode(CHILD_JVM) to kill it");
        }
        if (childProcess != null) {
            childProcess.destroyForcibly();
            awaitExit(childProcess);
            childProcess = null;
        }
    }

    /** Starts the node again on the same ports with the data it had. */
    public synchronized LocalKafkaCluster restart() {
        stop();
        return startNode();
    }

    /** An admin client for this cluster; the caller closes it. */
    public Admin admin() {
        Map<String, Object> config = new LinkedHashMap<>(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
        config.putAll(adminOverrides);
        return Admin.create(config);
    }

    public KafkaClients clients() {
        return new KafkaClients(bootstrapServers());
    }

    @Override
    public synchronized void close() {
        if (mode == Mode.CHILD_JVM && childProcess != null) {
            // The data is thrown away anyway: no need to wait for a controlled shutdown.
            childProcess.destroyForcibly();
            awaitExit(childProcess);
            childProcess = null;
        }
        stop();
        if (deleteDataDirOnClose) {
            deleteRecursively(dataDir);
        }
    }

    @Override
    public String toString() {
        return name + "@" + bootstrapServers();
    }

    private Properties brokerConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("log.dirs", dataDir.resolve("log").toString());
        config.put("num.partitions", "1");
        config.put("default.replication.factor", "1");
        config.put("min.insync.replicas", "1");
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "5");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("share.coordinator.state.topic.num.partitions", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("auto.create.topics.enable", "false");
        // Keeps the log cleaner from taking 128 MiB of heap per broker.
        config.put("log.cleaner.dedupe.buffer.size", "4194304");
        // A restarted node re-registers sooner after a hard kill.
        config.put("broker.session.timeout.ms", "3000");
        config.put("broker.heartbeat.interval.ms", "500");
        config.put("num.network.threads", "2");
        config.put("num.io.threads", "2");
        config.put("background.threads", "2");
        config.putAll(brokerOverrides);
        Properties properties = new Properties();
        properties.putAll(config);
        return properties;
    }

    private void formatStorageOnce(Properties config) {
        Path logDir = dataDir.resolve("log");
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        Path configFile = writeConfig(config);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool.execute(new String[] {
                    "format", "--cluster-id", clusterId, "--config", configFile.toString(), "--ignore-formatted"}, printStream);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("formatting storage of " + name + " failed: " + output.toString(StandardCharsets.UTF_8));
        }
    }

    private Path writeConfig(Properties config) {
        Path configFile = dataDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(configFile)) {
            config.store(out, "local-runtime " + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return configFile;
    }

    private Process startChildJvm(Properties config) {
        Path configFile = writeConfig(config);
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(
                javaBin.toString(), "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                "kafka.Kafka", configFile.toString()));
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("broker.out").toFile()))
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("starting the child JVM of " + name, e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                if (childProcess != null && !childProcess.isAlive()) {
                    throw new IllegalStateException("the broker of " + name + " exited with code "
                            + childProcess.exitValue() + "; see " + dataDir.resolve("broker.out"));
                }
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        admin.listTopics().names().get(5, TimeUnit.SECONDS);
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                pause(Duration.ofMillis(100));
            }
        }
        throw new IllegalStateException("cluster " + name + " did not serve clients within " + READY_TIMEOUT, last);
    }

    private static void awaitExit(Process process) {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a broker to exit", e);
        }
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Optional<String> existingClusterId(Path dataDir) throws IOException {
        Path metaProperties = dataDir.resolve("log").resolve("meta.properties");
        if (!Files.exists(metaProperties)) {
            return Optional.empty();
        }
        Properties meta = new Properties();
        try (var in = Files.newInputStream(metaProperties)) {
            meta.load(in);
        }
        return Optional.ofNullable(meta.getProperty("cluster.id"));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static final class Builder {
        private final String name;
        private Mode mode = Mode.IN_PROCESS;
        private Path dataDir;
        private int brokerPort;
        private final Map<String, String> brokerOverrides = new LinkedHashMap<>();
        private final Map<String, Object> adminOverrides = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        /** Keeps the data in this directory (not deleted on close) instead of a temporary one. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder brokerPort(int brokerPort) {
            this.brokerPort = brokerPort;
            return this;
        }

        public Builder brokerProperty(String key, String value) {
            brokerOverrides.put(key, value);
            return this;
        }

        /** A client property of {@link #admin()} (and of the readiness check), e.g. the SASL login of a SASL listener. */
        public Builder adminClientProperty(String key, Object value) {
            adminOverrides.put(key, value);
            return this;
        }

        /** Creates the cluster and starts its node. */
        public LocalKafkaCluster start() {
            try {
                return new LocalKafkaCluster(this).startNode();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
