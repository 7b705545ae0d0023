package com.mskfailover.drill;


import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code drill/run [--scenario NAME|all]}: the blog's walkthrough, or one of its fault scenarios, end to end on this machine, through the project's real parts: two real Kafka clusters,
 * replicator-task as a local process for the forward flow and for failback, the real state machine files run by
 * the local ASL interpreter with the real Java handlers, and local stand-ins where AWS would be (alias records
 * in a file the clients resolve at start-up, the Fargate task as a local process, the alarm as the sample event).
 */
public final class Drill {

    static final String TOPIC = "customer";
    static final String GROUP = "msk-consumer";
    static final int PARTITIONS = 3;
    private static final String WORK_DIR_MARKER = ".drill-work-dir";

    private final DrillOptions options;
    private final PrintStream out;

    Drill(DrillOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(DrillOptions.USAGE);
            return;
        }
        DrillOptions options;
        try {
            options = DrillOptions.parse(args, Path.of("").toAbsolutePath());
        } catch (IllegalArgumentException e) {
            System.err.println("drill: " + e.getMessage());
            System.err.print(DrillOptions.USAGE);
            System.exit(2);
            return;
        }
        List<DrillReport> reports = new Drill(options, System.out).runAll();
        System.exit(reports.stream().allMatch(DrillReport::allMet) ? 0 : 1);
    }

    /** Plays every scenario the options name, one after the other; with more than one, a table of their results. */
    List<DrillReport> runAll() {
        List<Scenario> scenarios = options.scenarios();
        if (scenarios.size() > 1) {
            try {
                prepareWorkDir(options.workDir());
            } catch (Exception e) {
                out.println("drill: " + e.getMessage());
                DrillReport refused = new DrillReport(out, "all");
                refused.expect("the work directory can be used", false, e.getMessage());
                return List.of(refused);
            }
        }
        List<DrillReport> reports = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            reports.add(new Drill(options.forScenario(scenario), out).run());
        }
        if (reports.size() > 1) {
            out.println();
            out.println("All scenarios");
            out.printf("  %-29s %-6s %-12s %8s  %s%n", "scenario", "result", "expectations", "took(s)", "RTO");
            reports.forEach(report -> out.printf("  %-29s %-6s %-12s %8.1f  %s%n", report.title(), report.allMet() ? "PASSED" : "FAILED",
                    report.expectations().stream().filter(DrillReport.Expectation::met).count() + " of " + report.expectations().size(),
                    report.elapsed().toMillis() / 1000.0, report.figures().getOrDefault("RTO (impairment -> aliases flipped, INSYNC)", "-")));
        }
        return reports;
    }

    /** Plays the options' one scenario and returns its report; never throws for a failed expectation. */
    DrillReport run() {
        Scenario scenario = Scenario.named(options.scenario());
        DrillReport report = new DrillReport(out, scenario.name());
        out.println("Scenario " + scenario.name() + ": " + scenario.summary());
        try (DrillRun run = new DrillRun(options, report)) {
            scenario.play(run);
        } catch (IllegalArgumentException badOption) {
            report.expect("the scenario ran to its end", false, badOption.getMessage());
        } catch (Exception e) {
            report.expect("the scenario ran to its end", false, e.toString());
            e.printStackTrace(out);
        }
        report.printSummary();
        return report;
    }

    static String message(int i) {
        return "message " + i;
    }

    /**
     * Empties the work directory of an earlier drill run. A directory that holds anything else is refused: a mistyped
     * --work-dir must not delete someone's files.
     */
    static void prepareWorkDir(Path workDir) throws java.io.IOException {
        Path marker = workDir.resolve(WORK_DIR_MARKER);
        if (Files.isDirectory(workDir) && !Files.exists(marker)) {
            try (Stream<Path> entries = Files.list(workDir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--work-dir " + workDir + " is not empty and was not made by the drill: "
                            + "name an empty or new directory");
                }
            }
        }
        deleteRecursively(workDir);
        Files.createDirectories(workDir);
        Files.writeString(marker, "made by drill/run; emptied at the start of every run\n");
    }

    private static void deleteRecursively(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
