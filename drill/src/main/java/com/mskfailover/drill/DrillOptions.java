package com.mskfailover.drill;

import java.nio.file.Path;

/**
 * What a drill run plays and how.
 *
 * @param scenario      the scenario's name (see {@link Scenario#ALL}), or {@code all}
 * @param extraRecords  records produced on the secondary after failover besides messages 3 and 4, so that the
 *                      failback has a backlog to drain (a demo of lag draining)
 * @param realWaits     run the state machines' Wait states for their real length (default: zero, polls at once)
 * @param projectDir    where statemachines/ and events/ are (the repository root)
 * @param workDir       where the clusters' data, the alias records and the logs go
 * @param reverseTasks  replicator-tasks of the failback's reverse flow (the stack's ReplicatorTaskCount)
 * @param forward       the forward flow: {@code replicator-task}, or {@code msk-replicator} (local-testkit's stand-in for MSK
 *                      Replicator, and then an MSK Replicator stand-in as the failback's reverse flow too)
 */
public record DrillOptions(String scenario, int extraRecords, boolean realWaits, Path projectDir, Path workDir, int reverseTasks,
                           String forward) {

    static final String REPLICATOR_TASK = "replicator-task";
    static final String MSK_REPLICATOR = "msk-replicator";
    /** Scenarios whose fault acts on the reverse replicator-task's tasks: with MSK Replicator there are none. */
    static final java.util.Set<String> REPLICATOR_TASK_ONLY = java.util.Set.of("reverse-replicator-killed");

    /** One reverse task, the stack's default, and replicator-task as the forward flow. */
    public DrillOptions(String scenario, int extraRecords, boolean realWaits, Path projectDir, Path workDir) {
        this(scenario, extraRecords, realWaits, projectDir, workDir, 1, REPLICATOR_TASK);
    }

    static final String USAGE = """
            usage: drill/run [--scenario NAME|all] [--records N] [--reverse-tasks N] [--real-waits] [--work-dir DIR] [--forward MODE]
              --scenario NAME the scenario to play (default walkthrough), or all of them in turn:
            %s
              --records N     also produce N records on the secondary after failover (default 0), so the
                              failback has a backlog to replicate back: a demo of lag draining (the backlog
                              scenario: its size, default 1,000,000)
              --reverse-tasks N  replicator-tasks sharing the failback's reverse flow (1-10, default 1: the
                              stack's ReplicatorTaskCount)
              --real-waits    run the state machines' Wait states for their real length (5-30 s each);
                              by default they take no time and the polls follow one another at once
              --work-dir DIR  where cluster data, alias records and logs go (default drill/target/work;
                              with all, a directory per scenario in it)
              --forward MODE  the forward flow: replicator-task (default) or msk-replicator (a local stand-in
                              that behaves as MSK Replicator is documented to; the failback then creates one as
                              its reverse flow, as ReverseReplicationMode=msk-replicator does; every
                              scenario but reverse-replicator-killed; with all, the others)
            """.formatted(scenarioList());

    private static String scenarioList() {
        StringBuilder list = new StringBuilder();
        Scenario.ALL.forEach(scenario -> list.append(String.format("                %-29s %s%n", scenario.name(), scenario.summary())));
        return list.toString().stripTrailing();
    }

    static final String ALL = "all";

    public DrillOptions {
        if (!ALL.equals(scenario)) {
            Scenario.named(scenario);
        }
        if (extraRecords < 0) {
            throw new IllegalArgumentException("--records must be 0 or more, not " + extraRecords);
        }
        if (reverseTasks < 1 || reverseTasks > 10) {
            throw new IllegalArgumentException("--reverse-tasks must be 1 to 10, not " + reverseTasks);
        }
        if (!REPLICATOR_TASK.equals(forward) && !MSK_REPLICATOR.equals(forward)) {
            throw new IllegalArgumentException("--forward '" + forward + "' is not a forward flow: use replicator-task or msk-replicator");
        }
        if (MSK_REPLICATOR.equals(forward) && REPLICATOR_TASK_ONLY.contains(scenario)) {
            throw new IllegalArgumentException("--forward msk-replicator does not apply to '" + scenario
                    + "' (its fault acts on the reverse replicator-task): use --forward replicator-task, or another scenario");
        }
        if (MSK_REPLICATOR.equals(forward) && reverseTasks != 1) {
            throw new IllegalArgumentException("--reverse-tasks counts replicator-tasks: with --forward msk-replicator the reverse flow is one MSK Replicator");
        }
    }

    boolean mskReplicator() {
        return MSK_REPLICATOR.equals(forward);
    }

    /** Parses the command line; throws IllegalArgumentException with the option at fault. */
    static DrillOptions parse(String[] args, Path projectDir) {
        String scenario = "walkthrough";
        int extraRecords = 0;
        boolean realWaits = false;
        int reverseTasks = 1;
        Path workDir = projectDir.resolve("drill/target/work");
        String forward = REPLICATOR_TASK;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--scenario" -> scenario = valueOf(args, ++i, "--scenario");
                case "--records" -> extraRecords = parseCount(valueOf(args, ++i, "--records"), "--records");
                case "--reverse-tasks" -> reverseTasks = parseCount(valueOf(args, ++i, "--reverse-tasks"), "--reverse-tasks");
                case "--real-waits" -> realWaits = true;
                case "--work-dir" -> workDir = Path.of(valueOf(args, ++i, "--work-dir"));
                case "--forward" -> forward = valueOf(args, ++i, "--forward");
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return new DrillOptions(scenario, extraRecords, realWaits, projectDir, workDir, reverseTasks, forward);
    }

    /** The same options for one scenario of {@code all}, in its own directory. */
    DrillOptions forScenario(Scenario one) {
        return new DrillOptions(one.name(), extraRecords, realWaits, projectDir, ALL.equals(scenario) ? workDir.resolve(one.name()) : workDir,
                reverseTasks, forward);
    }

    /** The scenarios these options play. */
    java.util.List<Scenario> scenarios() {
        return ALL.equals(scenario) ? Scenario.ALL.stream().filter(one -> !mskReplicator() || !REPLICATOR_TASK_ONLY.contains(one.name())).toList()
                : java.util.List.of(Scenario.named(scenario));
    }

    private static String valueOf(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int parseCount(String value, String option) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, not '" + value + "'");
        }
    }
}
