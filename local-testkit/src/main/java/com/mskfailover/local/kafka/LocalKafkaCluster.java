package com.mskfailover.local.kafka;

import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import com.mskfailover.local.net.LoopbackPorts;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNode;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.test.api.TestKitDefaults;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Apache Kafka cluster (KRaft) on loopback: a single node by default, or several brokers shaped like a
 * 3-AZ Amazon MSK cluster ({@link Builder#brokers(int)}).
 *
 * <p>Two ways to run a single node: in this JVM, on Kafka's test API {@link KafkaClusterTestKit} (fast: about 2 s for
 * the first cluster, a fraction of a second for the next; Kafka numbers its node 0), or in a child JVM running
 * Kafka's own main ({@code kafka.Kafka}, storage formatted by {@code kafka-storage}'s {@link StorageTool}) that
 * {@link #kill()} ends with SIGKILL, which is the closest thing to a Region outage a single machine offers.
 * A multi-broker cluster always runs each node in
 * its own child JVM, so one broker can be killed ({@link #killBroker(int)}) while the others serve: nodes 1..n
 * are each {@code broker,controller} with an n-voter quorum (or, with {@link Builder#dedicatedController(boolean)},
 * brokers only next to one controller node 0), racks {@code az1..az3}, and MSK's defaults (replication factor 3,
 * {@code min.insync.replicas} 2, no unclean leader election).
 * Ports and data survive {@link #stop()}, {@link #kill()} and {@link #restart()} (and the per-broker forms),
 * so clients and bootstrap aliases keep working after a recovery.
 */
public final class LocalKafkaCluster implements AutoCloseable {

    public enum Mode { IN_PROCESS, CHILD_JVM }

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private final Duration readyTimeout;
    private static final Duration ADMIN_CALL = Duration.ofSeconds(5);
    /** Never created: readiness asks the controller to place it ({@code validateOnly}). */
    private static final String READINESS_PROBE_TOPIC = "local-testkit-readiness-probe";
    private static final int DEDICATED_CONTROLLER_ID = 0;
    /** Where KafkaClusterTestKit keeps the data of its node 0, broker and controller, under its base directory. */
    private static final String TEST_KIT_LOG_DIR = "combined_" + TestKitDefaults.BROKER_ID_OFFSET + "_0";

    private final String name;
    private final Mode mode;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final String clusterId;
    private final List<ClusterNode> nodes;
    private final int brokerCount;
    private final String quorumVoters;
    private final Map<String, String> brokerOverrides;
    private final Map<String, Object> adminOverrides;
    /** The ports this cluster reserved (not those its builder was given), given back on {@link #close()}. */
    private final List<Integer> reservedPorts = new ArrayList<>();
    /** The in-process node's servers: built on its first start, started again on the same ports by a restart. */
    private KafkaClusterTestKit testKit;
    private boolean testKitRunning;

    private LocalKafkaCluster(Builder builder) throws IOException {
        this.name = builder.name;
        this.readyTimeout = builder.readyTimeout;
        this.brokerCount = builder.brokers;
        boolean severalNodes = brokerCount > 1 || builder.dedicatedController;
        this.mode = builder.mode != null ? builder.mode : severalNodes ? Mode.CHILD_JVM : Mode.IN_PROCESS;
        if (brokerCount < 1 || (severalNodes && mode == Mode.IN_PROCESS)) {
            throw new IllegalArgumentException("cluster " + name + ": " + brokerCount + " broker(s) in mode " + mode
                    + (builder.dedicatedController ? " with a dedicated controller" : "")
                    + "; several nodes need mode(CHILD_JVM)");
        }
        this.deleteDataDirOnClose = builder.dataDir == null;
        this.dataDir = builder.dataDir != null
                ? Files.createDirectories(builder.dataDir)
                : Files.createTempDirectory("local-kafka-" + builder.name + "-");
        List<ClusterNode> layout = new ArrayList<>();
        if (mode == Mode.IN_PROCESS) {
            // KafkaClusterTestKit numbers its nodes from 0; its controller listener is its own (bound before the
            // node starts), ours is the client listener.
            int brokerPort = builder.brokerPort != 0 ? builder.brokerPort : freePort();
            layout.add(new ClusterNode(TestKitDefaults.BROKER_ID_OFFSET, brokerPort, 0, dataDir));
        }
        for (int id = 1; mode == Mode.CHILD_JVM && id <= brokerCount; id++) {
            int brokerPort = id == 1 && builder.brokerPort != 0 ? builder.brokerPort : freePort();
            layout.add(new ClusterNode(id, brokerPort, builder.dedicatedController ? 0 : freePort(),
                    severalNodes ? dataDir.resolve("broker-" + id) : dataDir));
        }
        if (builder.dedicatedController) {
            layout.add(new ClusterNode(DEDICATED_CONTROLLER_ID, 0, freePort(), dataDir.resolve("controller")));
        }
        this.nodes = List.copyOf(layout);
        this.quorumVoters = nodes.stream().filter(ClusterNode::isController)
                .map(node -> node.id + "@127.0.0.1:" + node.controllerPort)
                .collect(Collectors.joining(","));
        this.clusterId = existingClusterId(nodes.get(0).logDir()).orElseGet(() -> Uuid.randomUuid().toString());
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

    /** Every broker, e.g. {@code 127.0.0.1:41001,127.0.0.1:41002,127.0.0.1:41003}. */
    public String bootstrapServers() {
        return brokers().map(node -> "127.0.0.1:" + node.brokerPort).collect(Collectors.joining(","));
    }

    /** The port of the first broker (the only one of a single-node cluster). */
    public int brokerPort() {
        return brokerPort(brokerNodeIds().get(0));
    }

    public int brokerPort(int nodeId) {
        return broker(nodeId).brokerPort;
    }

    /** The node ids of the brokers: {@code [1]} in a child JVM ({@code [0]} in this JVM), or {@code [1, 2, 3]} for {@code brokers(3)}. */
    public List<Integer> brokerNodeIds() {
        return brokers().map(node -> node.id).toList();
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

    /** Whether any node runs (a cluster with one killed broker still runs). */
    public synchronized boolean isRunning() {
        return nodes.stream().anyMatch(ClusterNode::isRunning);
    }

    public synchronized boolean isBrokerRunning(int nodeId) {
        return broker(nodeId).isRunning();
    }

    /** The process id of a broker's child JVM, e.g. to read its resident memory. */
    public synchronized long brokerPid(int nodeId) {
        ClusterNode node = broker(nodeId);
        if (node.process == null || !node.process.isAlive()) {
            throw new IllegalStateException("broker " + nodeId + " of " + name + " is not a running child JVM");
        }
        return node.process.pid();
    }

    /**
     * Starts every node that is not running (formatting its storage the first time) and waits until they serve:
     * all running brokers are registered and, once all brokers run, a topic with the default replication factor
     * can be placed and every partition has a leader.
     */
    public synchronized LocalKafkaCluster startNode() {
        List<ClusterNode> stopped = nodes.stream().filter(node -> !node.isRunning()).toList();
        if (stopped.isEmpty()) {
            return this;
        }
        stopped.forEach(ClusterNode::start);
        awaitReady(stopped);
        return this;
    }

    /** Graceful shutdown of every node (brokers first); data and ports are kept for {@link #restart()}. */
    public synchronized void stop() {
        stopAll(brokers().toList());
        stopAll(nodes.stream().filter(node -> !node.isBroker()).toList());
    }

    /**
     * Ends every node with SIGKILL, like a Region going away: no controlled shutdown, no flush.
     * Only a child-JVM cluster can be killed this way.
     */
    public synchronized void kill() {
        requireChildJvm();
        nodes.forEach(ClusterNode::kill);
    }

    /** Starts every node again on the same ports with the data it had. */
    public synchronized LocalKafkaCluster restart() {
        stop();
        return startNode();
    }

    /** Ends one broker's JVM with SIGKILL, like an instance or an AZ going away; the others keep serving. */
    public synchronized void killBroker(int nodeId) {
        requireChildJvm();
        broker(nodeId).kill();
    }

    /** Controlled shutdown of one broker (leaders move away first); ports and data are kept. */
    public synchronized void stopBroker(int nodeId) {
        stopAll(List.of(broker(nodeId)));
    }

    /**
     * Starts one broker again (stopping it gracefully first if it runs) on the same ports with its data, and
     * returns once it is registered again (describeCluster lists it). Rejoining the ISR of its partitions follows
     * when it has caught up: poll {@link #inSyncReplicasOf(TopicPartition)}.
     */
    public synchronized void restartBroker(int nodeId) {
        ClusterNode node = broker(nodeId);
        stopAll(List.of(node));
        node.start();
        awaitReady(List.of(node));
    }

    /** The leader of a partition, or empty while it has none. */
    public OptionalInt leaderOf(TopicPartition partition) {
        Node leader = describe(partition).leader();
        return leader == null || leader.isEmpty() || leader.id() < 0 ? OptionalInt.empty() : OptionalInt.of(leader.id());
    }

    /** The node ids of a partition's in-sync replicas. */
    public List<Integer> inSyncReplicasOf(TopicPartition partition) {
        return describe(partition).isr().stream().map(Node::id).sorted().toList();
    }

    /** An admin client for this cluster; the caller closes it. */
    public Admin admin() {
        return clients().admin(adminOverrides);
    }

    public KafkaClients clients() {
        return new KafkaClients(bootstrapServers());
    }

    @Override
    public synchronized void close() {
        if (mode == Mode.CHILD_JVM) {
            // The data is thrown away anyway: no need to wait for a controlled shutdown.
            nodes.forEach(ClusterNode::kill);
        }
        try {
            stop();
            closeTestKit();
        } finally {
            reservedPorts.forEach(LoopbackPorts::release);
            if (deleteDataDirOnClose) {
                deleteRecursively(dataDir);
            }
        }
    }

    @Override
    public String toString() {
        return name + "@" + bootstrapServers();
    }

    private Stream<ClusterNode> brokers() {
        return nodes.stream().filter(ClusterNode::isBroker);
    }

    private ClusterNode broker(int nodeId) {
        return brokers().filter(node -> node.id == nodeId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("cluster " + name + " has no broker " + nodeId
                        + "; its brokers are " + brokerNodeIds()));
    }

    private void requireChildJvm() {
        if (mode != Mode.CHILD_JVM) {
            throw new IllegalStateException("cluster " + name + " runs in this JVM; build it with mode(CHILD_JVM) to kill it");
        }
    }

    private TopicPartitionInfo describe(TopicPartition partition) {
        try (Admin admin = admin()) {
            TopicDescription description = admin.describeTopics(List.of(partition.topic())).allTopicNames()
                    .get(ADMIN_CALL.toSeconds(), TimeUnit.SECONDS).get(partition.topic());
            return description.partitions().stream().filter(info -> info.partition() == partition.partition()).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no partition " + partition + " in " + name));
        } catch (Exception e) {
            throw new IllegalStateException("describing " + partition + " in " + name, e);
        }
    }

    private static void stopAll(List<ClusterNode> nodes) {
        nodes.forEach(ClusterNode::requestStop);
        nodes.forEach(ClusterNode::awaitStopped);
    }

    /** A child JVM's {@code server.properties}: its roles, id, quorum, listeners and log directory, then {@link #brokerConfig}. */
    private Properties nodeConfig(ClusterNode node) {
        List<String> listeners = new ArrayList<>();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", node.isBroker() && node.isController() ? "broker,controller" : node.isBroker() ? "broker" : "controller");
        config.put("node.id", String.valueOf(node.id));
        config.put("controller.quorum.voters", quorumVoters);
        if (node.isBroker()) {
            listeners.add("PLAINTEXT://127.0.0.1:" + node.brokerPort);
            config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + node.brokerPort);
            config.put("inter.broker.listener.name", "PLAINTEXT");
        }
        if (node.isController()) {
            listeners.add("CONTROLLER://127.0.0.1:" + node.controllerPort);
        }
        config.put("listeners", String.join(",", listeners));
        config.put("log.dirs", node.logDir().toString());
        if (brokerCount > 1 && node.isBroker()) {
            config.put("broker.rack", "az" + ((node.id - 1) % 3 + 1));
        }
        config.putAll(brokerConfig());
        Properties properties = new Properties();
        properties.putAll(config);
        return properties;
    }

    /**
     * The in-process node on KafkaClusterTestKit: one node, broker and controller, on the production metadata version
     * and feature levels (what {@code kafka-storage format} picks, not the testkit's unstable ones). The testkit sets
     * the node's roles, id, quorum and directories and binds the controller listener; the client listener is ours
     * (PLAINTEXT, as in a child JVM), so its port is chosen up front and a restart binds it again. (The testkit also
     * binds a port for its own broker listener name, unused here: with that name the port would be random, never
     * {@link Builder#brokerPort(int)}.)
     */
    private KafkaClusterTestKit buildTestKit(ClusterNode node) throws Exception {
        MetadataVersion version = MetadataVersion.LATEST_PRODUCTION;
        TestKitNodes testKitNodes = new TestKitNodes.Builder(BootstrapMetadata.fromVersions(version,
                        Feature.PRODUCTION_FEATURES.stream().collect(Collectors.toMap(Feature::featureName,
                                feature -> feature.defaultLevel(version), (first, second) -> first, TreeMap::new)),
                        "local-testkit"))
                .setCombined(true).setNumControllerNodes(1).setNumBrokerNodes(1)
                .setBaseDirectory(dataDir).setClusterId(clusterId).build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(testKitNodes).setDeleteOnClose(false);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + node.brokerPort + ",CONTROLLER://localhost:0");
        config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + node.brokerPort);
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("unstable.api.versions.enable", "false");
        config.put("unstable.feature.versions.enable", "false");
        config.putAll(brokerConfig());
        config.forEach(builder::setConfigProp);
        KafkaClusterTestKit built = builder.build();
        formatOnce(testKitNodes.brokerNodes().get(node.id), version);
        return built;
    }

    /**
     * Formats the in-process node's storage unless it holds data, with the parameters {@link KafkaClusterTestKit#format()}
     * uses, but through Kafka's {@link Formatter} with its output kept: the testkit's prints to standard output (into
     * the drill's report, for one).
     */
    private void formatOnce(TestKitNode node, MetadataVersion version) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            new Formatter().setPrintStream(printStream).setNodeId(node.id()).setClusterId(clusterId)
                    .setDirectories(node.logDataDirectories()).setMetadataLogDirectory(node.metadataDirectory())
                    .setReleaseVersion(version).setControllerListenerName("CONTROLLER").setIgnoreFormatted(true).run();
        } catch (Exception e) {
            throw new IllegalStateException("formatting storage of " + name + ": " + output.toString(StandardCharsets.UTF_8), e);
        }
    }

    /** What every node runs with, child JVM or in-process: MSK-like defaults, small pools, then {@link Builder#brokerProperty}. */
    private Map<String, String> brokerConfig() {
        int replicationFactor = Math.min(brokerCount, 3);
        String minInsync = String.valueOf(Math.max(1, replicationFactor - 1));
        Map<String, String> config = new LinkedHashMap<>();
        config.put("controller.listener.names", "CONTROLLER");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("num.partitions", "1");
        // One broker: everything at 1. Several: MSK's defaults for a 3-AZ cluster.
        config.put("default.replication.factor", String.valueOf(replicationFactor));
        config.put("min.insync.replicas", minInsync);
        config.put("offsets.topic.replication.factor", String.valueOf(replicationFactor));
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.replication.factor", String.valueOf(replicationFactor));
        config.put("transaction.state.log.min.isr", minInsync);
        config.put("transaction.state.log.num.partitions", "5");
        config.put("share.coordinator.state.topic.replication.factor", String.valueOf(replicationFactor));
        config.put("share.coordinator.state.topic.min.isr", minInsync);
        config.put("share.coordinator.state.topic.num.partitions", "1");
        config.put("unclean.leader.election.enable", "false");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("auto.create.topics.enable", "false");
        // Keeps the log cleaner from taking 128 MiB of heap per broker.
        config.put("log.cleaner.dedupe.buffer.size", "4194304");
        // A restarted node re-registers sooner after a hard kill, and a killed broker is fenced (and dropped from
        // the ISR, its leaderships moved) within 3 s; a follower that stops fetching leaves the ISR after 10 s.
        config.put("broker.session.timeout.ms", "3000");
        config.put("broker.heartbeat.interval.ms", "500");
        config.put("replica.lag.time.max.ms", "10000");
        config.put("num.network.threads", "2");
        config.put("num.io.threads", "2");
        config.put("background.threads", "2");
        config.put("num.recovery.threads.per.data.dir", "1");
        config.putAll(brokerOverrides);
        return config;
    }

    private void closeTestKit() {
        if (testKit == null) {
            return;
        }
        try {
            testKit.close();
        } catch (Exception e) {
            // The testkit records faults instead of halting the JVM, and reports the first one here.
            throw new IllegalStateException("closing cluster " + name + " in this JVM", e);
        } finally {
            testKit = null;
        }
    }

    /**
     * Waits until the starting nodes' brokers accept connections (a broker opens its port once the controller has
     * registered it and it has caught up with the metadata, so an open port is the new process, never the
     * registration of a killed one), then until {@link #ready(Admin)}.
     */
    private void awaitReady(Collection<ClusterNode> starting) {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        while (!starting.stream().filter(ClusterNode::isBroker).allMatch(ClusterNode::isListening)) {
            checkAlive(starting, deadline, null);
            pause(Duration.ofMillis(50));
        }
        Exception last = null;
        try (Admin admin = admin()) {
            while (true) {
                checkAlive(starting, deadline, last);
                try {
                    if (ready(admin)) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                pause(Duration.ofMillis(100));
            }
        }
    }

    private void checkAlive(Collection<ClusterNode> starting, long deadline, Exception last) {
        if (testKit != null && testKit.fatalFaultHandler().firstException() != null) {
            throw new IllegalStateException("cluster " + name + " hit a fatal fault in this JVM", testKit.fatalFaultHandler().firstException());
        }
        for (ClusterNode node : starting) {
            if (node.process != null && !node.process.isAlive()) {
                throw new IllegalStateException("node " + node.id + " of " + name + " exited with code "
                        + node.process.exitValue() + "; see " + node.home.resolve("broker.out"));
            }
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("cluster " + name + " did not serve clients within " + readyTimeout, last);
        }
    }

    private boolean ready(Admin admin) throws Exception {
        Set<Integer> registered = admin.describeCluster().nodes().get(ADMIN_CALL.toSeconds(), TimeUnit.SECONDS).stream()
                .map(Node::id).collect(Collectors.toSet());
        List<Integer> running = brokers().filter(ClusterNode::isRunning).map(node -> node.id).toList();
        if (!registered.containsAll(running)) {
            return false;
        }
        if (running.size() < brokerCount) {
            return true;
        }
        admin.createTopics(List.of(new NewTopic(READINESS_PROBE_TOPIC, Optional.of(1), Optional.empty())),
                new CreateTopicsOptions().validateOnly(true)).all().get(ADMIN_CALL.toSeconds(), TimeUnit.SECONDS);
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                .get(ADMIN_CALL.toSeconds(), TimeUnit.SECONDS);
        return admin.describeTopics(topics).allTopicNames().get(ADMIN_CALL.toSeconds(), TimeUnit.SECONDS).values().stream()
                .flatMap(description -> description.partitions().stream())
                .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
    }

    /**
     * One KRaft node: in this JVM (KafkaClusterTestKit's directory layout) or a child JVM, with its own directory
     * ({@code log/}, {@code server.properties}, {@code broker.out}).
     */
    private final class ClusterNode {
        private final int id;
        private final int brokerPort;
        /** 0 for a broker only, and for the in-process node, whose controller listener KafkaClusterTestKit binds. */
        private final int controllerPort;
        private final Path home;
        private Process process;

        private ClusterNode(int id, int brokerPort, int controllerPort, Path home) {
            this.id = id;
            this.brokerPort = brokerPort;
            this.controllerPort = controllerPort;
            this.home = home;
        }

        boolean isBroker() {
            return brokerPort != 0;
        }

        boolean isController() {
            return controllerPort != 0;
        }

        boolean isRunning() {
            return mode == Mode.IN_PROCESS ? testKitRunning : process != null && process.isAlive();
        }

        Path logDir() {
            return home.resolve(mode == Mode.IN_PROCESS ? TEST_KIT_LOG_DIR : "log");
        }

        boolean isListening() {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", brokerPort), 1_000);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        void start() {
            if (mode == Mode.IN_PROCESS) {
                try {
                    if (testKit == null) {
                        testKit = buildTestKit(this);
                    }
                    testKitRunning = true;
                    // Starts the servers that are not running: after stop(), the same ones on the same ports.
                    testKit.startup();
                } catch (Exception e) {
                    throw new IllegalStateException("starting cluster " + name + " in this JVM", e);
                }
                return;
            }
            Properties config = nodeConfig(this);
            formatStorageOnce(config);
            process = startChildJvm(config);
        }

        void requestStop() {
            if (testKitRunning) {
                // Brokers first, as KafkaRaftServer and the testkit's close() do; each returns once it is down.
                testKit.brokers().values().forEach(BrokerServer::shutdown);
                testKit.controllers().values().forEach(ControllerServer::shutdown);
                testKitRunning = false;
            }
            if (process != null) {
                process.destroy();
            }
        }

        void awaitStopped() {
            if (process != null) {
                awaitExit(process);
                process = null;
            }
        }

        void kill() {
            if (process != null) {
                process.destroyForcibly();
                awaitExit(process);
                process = null;
            }
        }

        private void formatStorageOnce(Properties config) {
            if (Files.exists(logDir().resolve("meta.properties"))) {
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
                throw new IllegalStateException("formatting storage of node " + id + " of " + name + " failed: "
                        + output.toString(StandardCharsets.UTF_8));
            }
        }

        private Path writeConfig(Properties config) {
            Path configFile = home.resolve("server.properties");
            try {
                Files.createDirectories(home);
                try (OutputStream out = Files.newOutputStream(configFile)) {
                    config.store(out, "local-testkit " + name + " node " + id);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return configFile;
        }

        private Process startChildJvm(Properties config) {
            Path configFile = writeConfig(config);
            Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> command = new ArrayList<>(List.of(javaBin.toString(), "-Xms64m", "-XX:+UseSerialGC"));
            if (nodes.size() == 1) {
                command.add("-Xmx384m");
            } else {
                // Several JVMs start at once on few cores: C1 alone halves the CPU a node takes to start.
                command.addAll(List.of(isBroker() ? "-Xmx256m" : "-Xmx128m", "-XX:TieredStopAtLevel=1"));
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "kafka.Kafka", configFile.toString()));
            try {
                Process started = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("broker.out").toFile()))
                        .start();
                Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
                return started;
            } catch (IOException e) {
                throw new UncheckedIOException("starting the child JVM of node " + id + " of " + name, e);
            }
        }
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

    private static Optional<String> existingClusterId(Path logDir) throws IOException {
        Path metaProperties = logDir.resolve("meta.properties");
        if (!Files.exists(metaProperties)) {
            return Optional.empty();
        }
        Properties meta = new Properties();
        try (var in = Files.newInputStream(metaProperties)) {
            meta.load(in);
        }
        return Optional.ofNullable(meta.getProperty("cluster.id"));
    }

    /** A port no one else takes before the node binds it, kept across restarts until {@link #close()}. */
    private int freePort() {
        int port = LoopbackPorts.reserve();
        reservedPorts.add(port);
        return port;
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
        private Mode mode;
        private int brokers = 1;
        private boolean dedicatedController;
        private Path dataDir;
        private int brokerPort;
        private final Map<String, String> brokerOverrides = new LinkedHashMap<>();
        private final Map<String, Object> adminOverrides = new LinkedHashMap<>();
        private Duration readyTimeout = READY_TIMEOUT;

        private Builder(String name) {
            this.name = name;
        }

        /** In this JVM (the default for one broker) or in child JVMs (the only choice for several). */
        public Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        /**
         * Several brokers, each in its own child JVM, shaped like an MSK cluster over three AZs: node ids 1..n,
         * racks az1..az3, replication factor min(n, 3), {@code min.insync.replicas} one less.
         */
        public Builder brokers(int brokers) {
            this.brokers = brokers;
            return this;
        }

        /**
         * Brokers only, next to one controller-only node (id 0), instead of nodes that are broker and controller
         * alike: killing a broker then never touches the quorum. Child JVMs only.
         */
        public Builder dedicatedController(boolean dedicatedController) {
            this.dedicatedController = dedicatedController;
            return this;
        }

        /** Keeps the data in this directory (not deleted on close) instead of a temporary one. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** The port of the first broker (the others get free ports). */
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

        /**
         * How long a start (and each restart) may take until every broker serves clients; 60 s unless told. Four JVMs
         * starting on a loaded 2-core machine may need more.
         */
        public Builder readyTimeout(Duration readyTimeout) {
            this.readyTimeout = readyTimeout;
            return this;
        }

        /** Creates the cluster and starts its nodes. */
        public LocalKafkaCluster start() {
            LocalKafkaCluster cluster;
            try {
                cluster = new LocalKafkaCluster(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                return cluster.startNode();
            } catch (RuntimeException e) {
                // Nodes that did start, and the ports, must not outlive a cluster nobody can close.
                try {
                    cluster.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        }
    }
}
