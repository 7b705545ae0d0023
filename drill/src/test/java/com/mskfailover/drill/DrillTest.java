package com.mskfailover.drill;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
class DrillTest {

    private static final Path PROJECT_DIR = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theWalkthroughMeetsEveryExpectationWithABacklogToDrain() {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        DrillReport report = play("walkthrough", 200);

        assertNothingLostDuplicatedOrReRead(report);
        assertTrue(report.executions().get("Preflight").succeeded(), "the preflight, run before the outage, passes");
        assertTrue(report.executions().get("Failover").succeeded());
        assertTrue(report.executions().get("Failback").timesEntered("MoveConsumersToPrimary") == 1);
        assertTrue(report.figures().containsKey("RTO (impairment -> aliases flipped, INSYNC)"));
    }

    @Test
    void theAliasStoreThrottlingIsRetriedAndEveryAliasMovesInOneChange() {
        DrillReport report = play("dns-throttled", 0);
        assertEquals("2", report.figures().get("alias changes refused, then retried"));
        assertEquals("secondary, secondary", report.figures().get("aliases (producers, consumers)"));
    }

    @Test
    void anAlarmThatFlapsStartsExactlyOneFailover() {
        assertEquals("1", play("alarm-flaps", 0).figures().get("failovers started"));
    }

    @Test
    void aPlannedFailoverMovesConsumersOnlyOnceEverythingOnThePrimaryIsOnTheSecondary() {
        DrillReport report = play("planned-failover", 0);
        assertEquals("secondary, secondary", report.figures().get("aliases (producers, consumers)"));
        assertEquals("0 / 0", report.figures().get("missing on the primary / secondary"));
        assertEquals("0 / 0", report.figures().get("duplicated on the primary / secondary"));
        assertEquals("0", report.figures().get("re-reads by msk-consumer at the end"));
        assertTrue(report.executions().get("Failover").timesEntered("MoveConsumersToSecondary") == 1);
    }

    @Test
    void concurrentOperationsRunOneAtATimeTheOtherRefusedNamingIt() {
        DrillReport report = play("concurrent-operations", 0);
        assertEquals("primary, primary", report.figures().get("aliases (producers, consumers)"));
        assertEquals("0 / 0", report.figures().get("duplicated on the primary / secondary"));
        // The second alarm of the episode starts nothing (DUPLICATE): the scenario expects it; the drain's failover is refused.
        assertEquals(null, report.executions().get("the second failover"));
        assertEquals("com.mskfailover.orchestrator.domain.OperationLockedException", report.executions().get("the failover started during the drain").error());
    }

    @Test
    void aDetectorThatFailsOnEveryRetryIsToldToOperatorsAndTheMinutesReCheckFailsOverOnce() {
        DrillReport report = play("detector-fails", 0);
        assertEquals("3, 3", report.figures().get("DetectImpairment invocations (1 + MaximumRetryAttempts), failed"));
        assertEquals("secondary, secondary", report.figures().get("aliases (producers, consumers)"));
        assertTrue(report.executions().get("Failover").succeeded());
    }

    @Test
    void aSecondaryWithoutTheTopicRefusesTheFailoverAndNoAliasMoves() {
        DrillReport report = play("failover-refused", 0);
        assertEquals("primary, primary", report.figures().get("aliases (producers, consumers)"));
        assertTrue(!report.executions().get("Failover").succeeded());
    }

    @Test
    void theWalkthroughWithMskReplicatorAsTheForwardFlowFailsBackWithNoDuplicateAndNoReRead() {
        DrillReport report = play("walkthrough", 200, DrillOptions.MSK_REPLICATOR);

        assertNothingLostDuplicatedOrReRead(report);
        assertTrue(report.executions().get("Failback").succeeded());
    }

    @Test
    void liveTrafficThroughAFailoverAndAFailbackLosesNothingStrandsNothingAndReReadsWithinTheBounds() {
        assertLiveTrafficAccountedFor(play("live-traffic", 0));
    }

    @Test
    void liveTrafficWithMskReplicatorBothWaysLosesNothingStrandsNothingAndReReadsWithinTheBounds() {
        assertLiveTrafficAccountedFor(play("live-traffic", 0, DrillOptions.MSK_REPLICATOR));
    }

    /** The scenario's own expectations attack each guarantee; these are the figures its summary prints for them. */
    private static void assertLiveTrafficAccountedFor(DrillReport report) {
        assertEquals("0 / 0", report.figures().get("lost: not read by msk-consumer / not on the primary"));
        assertEquals("0", report.figures().get("stranded: on the secondary only"));
        assertEquals("0", report.figures().get("re-reads after the failback (bound 0)"));
        assertTrue(report.figures().get("duplicated on the primary / secondary").startsWith("0 / "));
        assertEquals("primary, primary", report.figures().get("aliases (producers, consumers)"));
        assertTrue(!report.executions().get("Failback (the straggler writing)").succeeded());
        assertTrue(report.executions().get("Failback").succeeded());
    }

    /** The walkthrough with --records 200: 204 records on each side, each once, no re-read, every alias back on the primary. */
    private static void assertNothingLostDuplicatedOrReRead(DrillReport report) {
        assertEquals("0 / 0", report.figures().get("duplicated on the primary / secondary"));
        assertEquals("0 / 0", report.figures().get("missing on the primary / secondary"));
        assertEquals("0", report.figures().get("re-reads by msk-consumer at the end"));
        assertEquals("204", report.figures().get("records on the primary"));
        assertEquals("204", report.figures().get("records on the secondary"));
        assertEquals("primary, primary", report.figures().get("aliases (producers, consumers)"));
    }

    /** Plays one scenario in its own work directory; every expectation of it must hold. */
    static DrillReport play(String scenario, int records) {
        return play(scenario, records, DrillOptions.REPLICATOR_TASK);
    }

    static DrillReport play(String scenario, int records, String forward) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        DrillOptions options = new DrillOptions(scenario, records, false, PROJECT_DIR,
                PROJECT_DIR.resolve("drill/target/test-work/" + scenario + ("msk-replicator".equals(forward) ? "-msk-replicator" : "")), 1, forward);

        DrillReport report = new Drill(options, new PrintStream(output, true, StandardCharsets.UTF_8)).run();

        String printed = output.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertTrue(report.allMet(), printed);
        assertTrue(printed.contains("DRILL PASSED (" + scenario), printed);
        return report;
    }

    @Test
    void aWorkDirWithSomeoneElsesFilesIsRefusedAndLeftAlone(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path foreign = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "not the drill's");
        var refused = assertThrows(IllegalArgumentException.class, () -> Drill.prepareWorkDir(dir));
        assertTrue(refused.getMessage().startsWith("--work-dir " + dir + " is not empty"), refused.getMessage());
        assertTrue(java.nio.file.Files.exists(foreign));

        Path fresh = dir.resolve("new");
        Drill.prepareWorkDir(fresh);
        java.nio.file.Files.writeString(fresh.resolve("left-by-a-run"), "x");
        Drill.prepareWorkDir(fresh); // its own directory: emptied
        assertTrue(!java.nio.file.Files.exists(fresh.resolve("left-by-a-run")));
    }

    @Test
    void badOptionsNameTheOptionAndTheFix() {
        var noValue = assertThrows(IllegalArgumentException.class, () -> DrillOptions.parse(new String[] {"--records"}, PROJECT_DIR));
        assertEquals("--records needs a value", noValue.getMessage());
        var notANumber = assertThrows(IllegalArgumentException.class, () -> DrillOptions.parse(new String[] {"--records", "many"}, PROJECT_DIR));
        assertEquals("--records takes a whole number, not 'many'", notANumber.getMessage());
        var negative = assertThrows(IllegalArgumentException.class, () -> DrillOptions.parse(new String[] {"--records", "-1"}, PROJECT_DIR));
        assertEquals("--records must be 0 or more, not -1", negative.getMessage());
        var unknown = assertThrows(IllegalArgumentException.class, () -> DrillOptions.parse(new String[] {"--fast"}, PROJECT_DIR));
        assertEquals("unknown option --fast", unknown.getMessage());
        var noScenario = assertThrows(IllegalArgumentException.class, () -> DrillOptions.parse(new String[] {"--scenario", "meteor"}, PROJECT_DIR));
        assertEquals("--scenario 'meteor' is not a scenario: use one of walkthrough, backlog, primary-dies-during-failback, "
                + "reverse-replicator-killed, two-failbacks, consumers-still-active, alarm-flaps, failover-refused, dns-throttled, "
                + "broker-loss, planned-failover, concurrent-operations, network-partition, offline-partitions, detector-fails, quiet-failback, "
                + "live-traffic, or all", noScenario.getMessage());
        assertEquals("walkthrough", DrillOptions.parse(new String[0], PROJECT_DIR).scenario());
        assertEquals(Scenario.ALL, DrillOptions.parse(new String[] {"--scenario", "all"}, PROJECT_DIR).scenarios());
        var noFlow = assertThrows(IllegalArgumentException.class, () -> DrillOptions.parse(new String[] {"--forward", "mm2"}, PROJECT_DIR));
        assertEquals("--forward 'mm2' is not a forward flow: use replicator-task or msk-replicator", noFlow.getMessage());
        var notThere = assertThrows(IllegalArgumentException.class,
                () -> DrillOptions.parse(new String[] {"--forward", "msk-replicator", "--scenario", "reverse-replicator-killed"}, PROJECT_DIR));
        assertTrue(notThere.getMessage().startsWith("--forward msk-replicator does not apply to 'reverse-replicator-killed'"), notThere.getMessage());
        assertEquals("backlog", DrillOptions.parse(new String[] {"--forward", "msk-replicator", "--scenario", "backlog"}, PROJECT_DIR).scenario());
        assertTrue(DrillOptions.parse(new String[] {"--forward", "msk-replicator", "--scenario", "all"}, PROJECT_DIR).scenarios().stream()
                .noneMatch(scenario -> scenario.name().equals("reverse-replicator-killed")));
        assertEquals("msk-replicator", DrillOptions.parse(new String[] {"--forward", "msk-replicator"}, PROJECT_DIR).forward());
        DrillOptions parsed = DrillOptions.parse(new String[] {"--records", "10", "--real-waits"}, PROJECT_DIR);
        assertEquals(10, parsed.extraRecords());
        assertTrue(parsed.realWaits());
    }
}
