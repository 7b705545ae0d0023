package com.mskfailover.drill;

import java.util.List;

/** One rehearsal: the walkthrough's shared steps ({@link DrillRun}) in some order, with a fault in between. */
interface Scenario {

    /** As given to {@code --scenario}. */
    String name();

    /** One line: what goes wrong and what must hold. */
    String summary();

    /** Plays the scenario; expectations go to the run's report (a failed one never throws). */
    void play(DrillRun run) throws Exception;

    /** Every scenario, in the order {@code --scenario all} plays them. */
    List<Scenario> ALL = List.of(new WalkthroughScenario(), new BacklogScenario(), new PrimaryDiesDuringFailbackScenario(),
            new ReverseReplicatorKilledScenario(), new TwoFailbacksScenario(), new ConsumersStillActiveScenario(),
            new AlarmFlapsScenario(), new FailoverRefusedScenario(), new DnsThrottledScenario(), new BrokerLossScenario(),
            new PlannedFailoverScenario(), new ConcurrentOperationsScenario(), new NetworkPartitionScenario(),
            new OfflinePartitionsScenario(), new DetectorFailsScenario(), new QuietFailbackScenario(), new LiveTrafficScenario());

    static List<String> names() {
        return ALL.stream().map(Scenario::name).toList();
    }

    /** The scenario of that name; IllegalArgumentException naming the option and the valid values otherwise. */
    static Scenario named(String name) {
        return ALL.stream().filter(scenario -> scenario.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--scenario '" + name + "' is not a scenario: use one of "
                        + String.join(", ", names()) + ", or all"));
    }
}
