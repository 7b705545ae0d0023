package com.mskfailover.orchestrator.bench;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.mskfailover.local.kafka.KafkaClients;
import com.mskfailover.local.kafka.LocalKafkaCluster;
import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.handlers.JsonHandler;
import com.mskfailover.orchestrator.handlers.SnapStartPriming;
import com.mskfailover.orchestrator.handlers.ValidateFailoverInput;
import com.mskfailover.orchestrator.local.LocalWiring;
import com.mskfailover.orchestrator.local.StaticClusterDirectory;
import com.mskfailover.orchestrator.kafka.KafkaAdminInspector;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The first invocation of each Kafka-facing handler in a fresh JVM, without and with SnapStart priming: what a function
 * restored from a snapshot taken after {@link SnapStartPriming} saves on its first call. Each measurement is its own JVM
 * (the function's init: the handler built on its ports; then, when primed, the priming, as before the snapshot; then
 * the timed first and second invocations) against a local single-node cluster, plaintext. It does not measure SnapStart's
 * restore itself, and with IAM over TLS (MSK) the cold first call also loads TLS and the IAM login: the gain is larger
 * there.
 */
public final class FirstInvocationBenchmark {

    private static final List<String> HANDLERS = List.of("ProbePrimary", "CheckPrimaryHealthy", "CheckSecondaryReady");

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Boolean.parseBoolean(args[2]), args[3], Path.of(args[4]));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        try (LocalKafkaCluster cluster = LocalKafkaCluster.start("bench")) {
            new KafkaClients(cluster.bootstrapServers()).createTopic("customer", 3); // the plan's topic: the checks look for it
            Path plan = Files.createTempFile("plan", ".json");
            Files.writeString(plan, "{\"plan\":" + new ValidateFailoverInput(ports(cluster.bootstrapServers())).handleJson("{}") + "}");
            System.out.printf("first invocation of each Kafka-facing handler, fresh JVM each, median of %d (ms)%n", rounds);
            System.out.printf("%-28s %10s %10s %12s %12s %10s%n", "handler", "init", "priming", "1st call", "2nd call", "saved");
            for (String handler : HANDLERS) {
                double[] cold = median(handler, false, cluster.bootstrapServers(), plan, rounds);
                double[] primed = median(handler, true, cluster.bootstrapServers(), plan, rounds);
                System.out.printf("%-28s %10.0f %10s %12.0f %12.0f %10s%n", handler + " cold", cold[0], "-", cold[2], cold[3], "");
                System.out.printf("%-28s %10.0f %10.0f %12.0f %12.0f %9.0f%%%n", handler + " primed", primed[0], primed[1], primed[2], primed[3],
                        100 * (cold[2] - primed[2]) / cold[2]);
            }
        }
    }

    /** init, priming, first call, second call (ms): medians over fresh JVMs. */
    private static double[] median(String handler, boolean primed, String bootstrap, Path plan, int rounds) throws Exception {
        List<double[]> runs = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", // the functions' JAVA_TOOL_OPTIONS
                    "-cp", System.getProperty("java.class.path"), FirstInvocationBenchmark.class.getName(),
                    "--child", handler, Boolean.toString(primed), bootstrap, plan.toString()).redirectErrorStream(true).start();
            double[] figures = null;
            StringBuilder output = new StringBuilder();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    output.append(line).append('\n');
                    if (line.startsWith("FIGURES ")) {
                        String[] parts = line.substring(8).split(" ");
                        figures = new double[parts.length];
                        for (int i = 0; i < parts.length; i++) {
                            figures[i] = Double.parseDouble(parts[i]);
                        }
                    }
                }
            }
            if (child.waitFor() != 0 || figures == null) {
                throw new IllegalStateException(handler + " (primed " + primed + ") failed: exit " + child.exitValue());
            }
            runs.add(figures);
        }
        double[] medians = new double[4];
        for (int i = 0; i < 4; i++) {
            int column = i;
            medians[i] = runs.stream().mapToDouble(run -> run[column]).sorted().toArray()[rounds / 2];
        }
        return medians;
    }

    private static void child(String handler, boolean primed, String bootstrap, Path plan) throws Exception {
        String input = handler.equals("ProbePrimary") ? "{}" : Files.readString(plan);
        long start = System.nanoTime();
        Ports ports = ports(bootstrap);
        JsonHandler<?, ?> function = (JsonHandler<?, ?>) Class.forName("com.mskfailover.orchestrator.handlers." + handler)
                .asSubclass(RequestStreamHandler.class).getConstructor(Ports.class).newInstance(ports);
        long initialized = System.nanoTime();
        if (primed) {
            Class<?> inputType = handler.equals("ProbePrimary") ? com.fasterxml.jackson.databind.JsonNode.class : planOnly();
            new SnapStartPriming(inputType, ports.kafkaInspector()).prime();
        }
        long ready = System.nanoTime();
        function.handleJson(input);
        long first = System.nanoTime();
        function.handleJson(input);
        long second = System.nanoTime();
        System.out.printf("FIGURES %.1f %.1f %.1f %.1f%n", (initialized - start) / 1e6, (ready - initialized) / 1e6,
                (first - ready) / 1e6, (second - first) / 1e6);
    }

    private static Class<?> planOnly() throws ClassNotFoundException {
        return Class.forName("com.mskfailover.orchestrator.handlers.Inputs$PlanOnly");
    }

    private static Ports ports(String bootstrap) {
        return new LocalWiring.LocalPorts(TestPorts.settingsFor(List.of("customer"), List.of("msk-consumer")),
                new StaticClusterDirectory(Map.of(TestPorts.PRIMARY_ARN, bootstrap, TestPorts.SECONDARY_ARN, bootstrap)),
                new KafkaAdminInspector("none"), null, null, TestPorts.healthyForward(), null, null, null);
    }
}
