package com.mskfailover.orchestrator.domain;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reverse flow's rules that the state machine tests do not reach. */
class ReverseReplicationStepsTest {

    private static final Plan PLAN = new Plan("failback",
            new ClusterRef("arn:aws:kafka:us-east-1:123456789012:cluster/p/1", "us-east-1", null),
            new ClusterRef("arn:aws:kafka:us-east-2:123456789012:cluster/s/2", "us-east-2", null),
            List.of("customer", "orders.v2"), List.of("msk-consumer"), List.of("p"), List.of("c"),
            new Timeouts(30, 60, 60, 30), 0, true, "failback-replicator", 1, "test", false, false, 1);

    private final List<String> started = new ArrayList<>();
    private final List<String> tokens = new ArrayList<>();
    private final List<String> stopped = new ArrayList<>();
    private final List<String> members = new ArrayList<>();
    private long groupLag = 7;
    /** The reverse flow's committed position on customer-0 (-1: none). */
    private long copiedTo = -1;
    private boolean ownRecordNotCopied;
    private boolean primaryAnswers = true;
    private List<String> active = List.of();
    private final Map<String, String> statusOf = new java.util.HashMap<>();
    private Map<String, String> startedWith;
    private String status = "RUNNING";

    private final ReplicatorTasks tasks = new ReplicatorTasks() {
        @Override public List<String> findActive(String replicatorName) { return active; }
        @Override public List<String> recentlyStopped(String replicatorName) { return List.copyOf(stopped); }
        @Override public List<String> start(String replicatorName, Map<String, String> environment, String clientToken, int count) {
            started.add(replicatorName);
            tokens.add(clientToken);
            startedWith = environment;
            return java.util.stream.IntStream.rangeClosed(1, count).mapToObj(i -> "task-new-" + i).toList();
        }
        @Override public TaskState state(String taskId) { return new TaskState(statusOf.getOrDefault(taskId, status), "exit code 1"); }
        @Override public void stop(String taskId, String reason) { }
        @Override public List<String> startPrerequisitesMissing() { return List.of(); }
    };

    private final KafkaInspector kafka = new KafkaInspector() {
        @Override public ProbeResult probe(String bootstrapServers, Duration timeout) { return new ProbeResult(primaryAnswers, primaryAnswers ? "" : "no answer within 5000 ms"); }
        @Override public Set<String> missingTopics(String bootstrapServers, Collection<String> topics) { return Set.of(); }
        @Override public GroupLag groupLag(String bootstrapServers, String groupId, Collection<String> topics) { return new GroupLag(groupId, groupLag, 3, 0); }
        @Override public List<String> activeMembers(String bootstrapServers, String groupId) { return List.copyOf(members); }
        @Override public Map<String, CommittedOffset> committedOffsets(String bootstrapServers, String groupId, Collection<String> topics) {
            return copiedTo < 0 ? Map.of() : Map.of("customer-0", new CommittedOffset(copiedTo, ""));
        }
        // The reverse flow committed nothing: all groupLag records of its one partition are left to copy.
        @Override public Map<String, OffsetRange> offsetRanges(String bootstrapServers, Collection<String> topics) { return Map.of("customer-0", new OffsetRange(0, groupLag)); }
        @Override public List<RecordFingerprint> fingerprints(String bootstrapServers, String partition, long from, long to, int max) { return List.of(); }
        // With ownRecordNotCopied: the secondary holds an own record the primary lacks (LastRecordsCopied says not copied).
        @Override public Map<String, List<RecordFingerprint>> fingerprints(String bootstrapServers, Map<String, OffsetRange> ranges, int max) {
            if (!ownRecordNotCopied || ranges.isEmpty()) {
                return Map.of();
            }
            Map<String, List<RecordFingerprint>> read = new java.util.TreeMap<>();
            ranges.forEach((partition, range) -> read.put(partition, bootstrapServers.startsWith("secondary")
                    ? List.of(new RecordFingerprint(range.logEnd() - 1, 42, false, 1_000)) : List.of()));
            return read;
        }
        @Override public Map<String, Long> firstOffsetsAtOrAfter(String bootstrapServers, Map<String, Long> timestamps) {
            Map<String, Long> offsets = new java.util.TreeMap<>();
            if (ownRecordNotCopied) {
                timestamps.keySet().forEach(partition -> offsets.put(partition, 0L));
            }
            return offsets;
        }
        @Override public void commitOffsets(String bootstrapServers, String groupId, Map<String, CommittedOffset> offsets) { }
        @Override public WriteScan applicationRecords(String bootstrapServers, String partition, long from, long to, int max) {
            return new WriteScan(to, java.util.stream.LongStream.range(from, to).mapToObj(offset -> new ApplicationRecord(offset, 0)).toList(), 0);
        }
        @Override public List<ProducerWrite> producers(String bootstrapServers, Collection<String> partitions) { return List.of(); }
    };

    private ReverseReplicationSteps steps(Clock clock) {
        return new ReverseReplicationSteps(tasks, null, kafka, arn -> arn.contains("us-east-1") ? "primary:9098" : "secondary:9098", "iam", clock);
    }

    @Test
    void aRunningTaskOfTheSameNameIsReusedNeverASecondOne() {
        active = List.of("task-from-the-failed-attempt");
        ReverseReplication replication = steps(Clock.systemUTC()).start(PLAN);
        assertEquals(List.of("task-from-the-failed-attempt"), replication.taskIds());
        assertTrue(replication.reused());
        assertEquals(List.of(), started);
    }

    @Test
    void theEnvironmentFollowsTheReplicatorTaskContract() {
        Map<String, String> env = ((ReplicatorTaskReverseFlow) steps(Clock.systemUTC()).flow()).replicatorEnvironment(PLAN);
        assertEquals("secondary:9098", env.get("SOURCE_BOOTSTRAP_SERVERS"));
        assertEquals("primary:9098", env.get("TARGET_BOOTSTRAP_SERVERS"));
        assertEquals("iam", env.get("SOURCE_AUTH"));
        assertEquals("earliest", env.get("STARTING_POSITION"));
        // MirrorMaker 2's grammar, read by replicator-task with the same parser.
        var topics = com.mskfailover.contract.NameSelection.parse("TOPICS", env.get("TOPICS"));
        assertTrue(topics.matcher("orders.v2").matches() && !topics.matcher("ordersXv2").matches(), env.get("TOPICS"));
        assertTrue(com.mskfailover.contract.NameSelection.parse("GROUPS", env.get("GROUPS")).matcher("msk-consumer").matches());
    }

    @Test
    void aStoppedTaskFailsTheWaitAtOnce() {
        status = "STOPPED";
        var replication = new ReverseReplication(List.of("task-1"), "failback-replicator", false, -1, new PollState(60, null, 0, false, null));
        var failure = assertThrows(DependencyFailedException.class, () -> steps(Clock.systemUTC()).checkLag(PLAN, replication));
        assertTrue(failure.getMessage().contains("stopped"), failure.getMessage());
    }

    @Test
    void theDeadlineIsFixedAtTheFirstCheckAndEnforcedAfter() {
        Instant start = Instant.parse("2026-11-24T21:00:00Z");
        var replication = new ReverseReplication(List.of("task-1"), "failback-replicator", false, -1, new PollState(60, null, 0, false, null));
        ReverseReplication first = steps(Clock.fixed(start, ZoneOffset.UTC)).checkLag(PLAN, replication);
        assertEquals("2026-11-24T21:01:00Z", first.catchUp().deadline());
        assertEquals(7, first.lag());
        ReverseReplication stillWaiting = steps(Clock.fixed(start.plusSeconds(59), ZoneOffset.UTC)).checkLag(PLAN, first);
        assertEquals(2, stillWaiting.catchUp().attempts());
        var timeout = assertThrows(WaitTimedOutException.class, () -> steps(Clock.fixed(start.plusSeconds(60), ZoneOffset.UTC)).checkLag(PLAN, stillWaiting));
        assertTrue(timeout.getMessage().contains("lag 7"), timeout.getMessage());
    }

    @Test
    void eachCheckSaysHowFarTheCatchUpGotItsRateAndTheTimeLeft() {
        Instant start = Instant.parse("2026-11-24T21:00:00Z");
        var replication = new ReverseReplication(List.of("task-1"), "failback-replicator", false, -1, new PollState(600, null, 0, false, null));
        groupLag = 100;
        ReverseReplication first = steps(Clock.fixed(start, ZoneOffset.UTC)).checkLag(PLAN, replication);
        assertEquals(new CatchUpProgress(100, "2026-11-24T21:00:00Z", 100, 0, null, null), first.progress());

        groupLag = 40;
        ReverseReplication second = steps(Clock.fixed(start.plusSeconds(30), ZoneOffset.UTC)).checkLag(PLAN, first);
        assertEquals(new CatchUpProgress(100, "2026-11-24T21:00:00Z", 40, 60, 2.0, 20L), second.progress());
        assertTrue(second.catchUp().detail().contains("60% of the 100 records behind at 2026-11-24T21:00:00Z copied, 2.0 records/s, about 20 s left"),
                second.catchUp().detail());

        // Producers on the secondary outpace the flow: the lag grows, nothing is promised.
        groupLag = 130;
        ReverseReplication third = steps(Clock.fixed(start.plusSeconds(60), ZoneOffset.UTC)).checkLag(PLAN, second);
        assertEquals(new CatchUpProgress(100, "2026-11-24T21:00:00Z", 130, 0, -0.5, null), third.progress());
        assertTrue(third.catchUp().detail().contains("not shrinking"), third.catchUp().detail());
    }

    @Test
    void producersStillWritingToTheSecondaryDoNotHoldTheCatchUpOnceWhatWasThereAtTheLastCheckIsCopied() {
        Instant start = Instant.parse("2026-11-24T21:00:00Z");
        var replication = new ReverseReplication(List.of("task-1"), "failback-replicator", false, -1, new PollState(600, null, 0, false, null));
        groupLag = 100; // the secondary's end: 100
        copiedTo = 40;
        ReverseReplication first = steps(Clock.fixed(start, ZoneOffset.UTC)).checkLag(PLAN, replication);
        assertFalse(first.catchUp().done());
        assertEquals(Map.of("customer-0", 100L), first.secondaryEnds());

        // Producers wrote 20 more; the flow is at 110: past the last check's end, but never at the moving end.
        groupLag = 120;
        copiedTo = 110;
        ReverseReplication second = steps(Clock.fixed(start.plusSeconds(15), ZoneOffset.UTC)).checkLag(PLAN, first);
        assertTrue(second.catchUp().done(), second.catchUp().detail());
        assertTrue(second.catchUp().detail().contains("everything the secondary held at the last check is copied"), second.catchUp().detail());

        // Behind the last check's end: not done.
        copiedTo = 99;
        assertFalse(steps(Clock.fixed(start.plusSeconds(15), ZoneOffset.UTC)).checkLag(PLAN, first).catchUp().done());
    }

    @Test
    void aReRunKeepsTheRunningTasksAndStartsOnlyTheMissingOnesWithOneLanePerTask() {
        Plan three = withTasks(3);
        active = List.of("task-still-running");
        ReverseReplication replication = steps(Clock.systemUTC()).start(three);
        assertEquals(List.of("task-still-running", "task-new-1", "task-new-2"), replication.taskIds());
        assertEquals("3", startedWith.get("LANES"));
        assertTrue(replication.reused());
    }

    @Test
    void oneStoppedTaskOfSeveralFailsTheWaitNamingIt() {
        statusOf.put("task-2", "STOPPED");
        var replication = new ReverseReplication(List.of("task-1", "task-2", "task-3"), "failback-replicator", false, -1,
                new PollState(60, null, 0, false, null));
        var failure = assertThrows(DependencyFailedException.class, () -> steps(Clock.systemUTC()).checkLag(withTasks(3), replication));
        assertTrue(failure.getMessage().startsWith("replicator-task task-2 (2 of 3) stopped"), failure.getMessage());
    }

    private static Plan withTasks(int tasks) {
        return new Plan(PLAN.operation(), PLAN.primary(), PLAN.secondary(), PLAN.topics(), PLAN.consumerGroups(), PLAN.producerAliases(),
                PLAN.consumerAliases(), PLAN.timeouts(), 0, true, PLAN.reverseReplicatorName(), tasks, PLAN.reason(), false, false, 1);
    }

    @Test
    void concurrentStartsShareOneClientTokenAndAStartAfterATaskStoppedGetsANewOne() {
        steps(Clock.systemUTC()).start(PLAN);
        steps(Clock.systemUTC()).start(PLAN); // a second failback that also found no running task
        assertEquals(2, tokens.size());
        assertEquals(tokens.get(0), tokens.get(1), "the same token: ECS starts one task for both");
        assertTrue(tokens.get(0).length() <= 64 && tokens.get(0).chars().allMatch(c -> c >= 33 && c <= 126), tokens.get(0));

        stopped.add("arn:aws:ecs:us-east-2:123456789012:task/replicators/killed");
        steps(Clock.systemUTC()).start(PLAN); // the re-run after that task was killed
        assertTrue(!tokens.get(2).equals(tokens.get(0)), "a new token, so RunTask does not hand back the stopped task");
    }

    @Test
    void aLiveConsumerOnTheSecondaryKeepsTheDrainWaitingAndTheTimeoutNamesItsGroup() {
        groupLag = 0;
        members.add("consumer-msk-consumer-1@/10.0.1.7");
        Instant start = Instant.parse("2026-11-24T21:00:00Z");
        var replication = new ReverseReplication(List.of("task-1"), "failback-replicator", false, 0, new PollState(60, null, 0, false, null));
        ConsumerDrain first = steps(Clock.fixed(start, ZoneOffset.UTC)).checkConsumersDrained(PLAN, replication,
                new ConsumerDrain(new PollState(30, null, 0, false, null), false, List.of()), Map.of(), null);
        assertTrue(!first.poll().done(), first.poll().detail());
        assertTrue(first.readEverything(), "nothing left to read: operators are told to stop the consumers");
        assertEquals(List.of("group msk-consumer still has 1 active member(s) on the secondary [consumer-msk-consumer-1@/10.0.1.7]: stop its consumers there"),
                first.stillConnected());
        var timeout = assertThrows(WaitTimedOutException.class, () -> steps(Clock.fixed(start.plusSeconds(30), ZoneOffset.UTC))
                .checkConsumersDrained(PLAN, replication, first, Map.of(), null));
        assertTrue(timeout.getMessage().contains("group msk-consumer still has 1 active member(s) on the secondary "
                + "[consumer-msk-consumer-1@/10.0.1.7]: stop its consumers there"), timeout.getMessage());
    }

    @Test
    void aPrimaryGoneAgainDuringTheDrainFailsTheCheckSayingSo() {
        groupLag = 0;
        primaryAnswers = false;
        var replication = new ReverseReplication(List.of("task-1"), "failback-replicator", false, 0, new PollState(60, null, 0, false, null));
        var failure = assertThrows(TransientDependencyException.class, () -> steps(Clock.systemUTC())
                .checkConsumersDrained(PLAN, replication, new ConsumerDrain(new PollState(1800, null, 0, false, null), false, List.of()), Map.of(), null));
        assertTrue(failure.getMessage().startsWith("the primary stopped answering while clients were moved back to it"), failure.getMessage());
    }

    private final List<ReverseMskReplicators.Spec> created = new ArrayList<>();
    private List<MetricDatapoint> messageLag = List.of();
    private String mskActive;

    private final ReverseMskReplicators mskReplicators = new ReverseMskReplicators() {
        @Override public java.util.Optional<String> findActive(String replicatorName) { return java.util.Optional.ofNullable(mskActive); }
        @Override public String create(Spec spec) { created.add(spec); return "arn:aws:kafka:us-east-1:123456789012:replicator/failback-replicator/r-1"; }
        @Override public ReplicatorTasks.TaskState state(String replicatorArn) {
            return new ReplicatorTasks.TaskState(status, "MSK Replicator failback-replicator " + (status.equals("STOPPED") ? "FAILED" : status));
        }
        @Override public List<MetricDatapoint> messageLag(String replicatorArn) { return messageLag; }
        @Override public void delete(String replicatorArn) { }
        @Override public List<String> sourceClusterPrerequisitesMissing(String sourceClusterArn) { return List.of(); }
    };

    private ReverseReplicationSteps mskSteps() {
        return mskSteps(Clock.systemUTC());
    }

    private ReverseReplicationSteps mskSteps(Clock clock) {
        return new ReverseReplicationSteps(tasks, mskReplicators, kafka, arn -> arn.contains("us-east-1") ? "primary:9098" : "secondary:9098",
                "iam", clock);
    }

    @Test
    void withMskReplicatorTheFailbackCreatesOneSecondaryToPrimaryAndReusesARunningOne() {
        ReverseReplication replication = mskSteps().start(PLAN);
        assertEquals(1, created.size());
        assertEquals(PLAN.secondary().clusterArn(), created.getFirst().sourceClusterArn());
        assertEquals(PLAN.primary().clusterArn(), created.getFirst().targetClusterArn());
        assertEquals(List.of("customer", "orders.v2"), created.getFirst().topics());
        assertEquals(List.of(), started, "no ECS task");
        assertTrue(!replication.reused());

        mskActive = "arn:aws:kafka:us-east-1:123456789012:replicator/failback-replicator/r-0";
        assertEquals(List.of(mskActive), mskSteps().start(PLAN).taskIds());
        assertEquals(1, created.size(), "a re-run keeps the replicator the first run created");
    }

    @Test
    void anMskReplicatorLagCountsOnlyFromAMinuteThatBeganOnceThisExecutionSawItRunning() {
        Instant start = Instant.parse("2026-12-07T10:00:20Z");
        var replication = new ReverseReplication(List.of("arn:r"), "failback-replicator", false, -1, new PollState(600, null, 0, false, null));
        ownRecordNotCopied = true; // only MessageLag can end this wait
        status = "CREATING";
        messageLag = List.of(new MetricDatapoint(Instant.parse("2026-12-07T09:59:00Z"), 0));
        ReverseReplication creating = mskSteps(Clock.fixed(start, ZoneOffset.UTC)).checkLag(PLAN, replication);
        assertTrue(!creating.catchUp().done() && creating.runningSince() == null, creating.toString());
        assertTrue(creating.catchUp().detail().contains("CREATING: not running yet"), creating.catchUp().detail());

        status = "RUNNING";
        Instant seenRunning = start.plusSeconds(15);
        ReverseReplication running = mskSteps(Clock.fixed(seenRunning, ZoneOffset.UTC)).checkLag(PLAN, creating);
        assertEquals(seenRunning.toString(), running.runningSince());
        assertTrue(!running.catchUp().done(), "a 0 of a minute before it ran (a deleted namesake's, or before any copy) is no figure: "
                + running.catchUp().detail());
        assertTrue(running.catchUp().detail().contains("no datapoint yet of a minute that began at or after " + seenRunning), running.catchUp().detail());

        messageLag = List.of(new MetricDatapoint(Instant.parse("2026-12-07T10:00:00Z"), 0));
        Clock later = Clock.fixed(start.plusSeconds(200), ZoneOffset.UTC);
        assertTrue(!mskSteps(later).checkLag(PLAN, running).catchUp().done(), "the minute it was seen RUNNING in began before that: it may hold samples from before");
        messageLag = java.util.Arrays.asList(new MetricDatapoint(null, 0), new MetricDatapoint(Instant.parse("2026-12-07T10:00:00Z"), 3));
        assertTrue(!mskSteps(later).checkLag(PLAN, running).catchUp().done(), "an undated figure counts as none");
        messageLag = List.of(new MetricDatapoint(Instant.parse("2026-12-07T10:01:00Z"), 12), new MetricDatapoint(Instant.parse("2026-12-07T10:00:00Z"), 0));
        ReverseReplication copying = mskSteps(later).checkLag(PLAN, running);
        assertEquals(12, copying.lag());
        assertEquals(seenRunning.toString(), copying.runningSince(), "the moment it was first seen RUNNING stays");
        messageLag = List.of(new MetricDatapoint(Instant.parse("2026-12-07T10:02:00Z"), 0), new MetricDatapoint(Instant.parse("2026-12-07T10:01:00Z"), 12));
        assertTrue(mskSteps(later).checkLag(PLAN, copying).catchUp().done());

        status = "UPDATING";
        ReverseReplication updating = mskSteps(later).checkLag(PLAN, copying);
        assertTrue(!updating.catchUp().done() && updating.runningSince() == null, "UPDATING: not running for sure; the next RUNNING starts the count again");
    }

    @Test
    void theDrainsLagZeroAgainCountsOnlyFromAMinuteThatBeganAfterTheProducersMoved() {
        groupLag = 0;
        Instant moved = Instant.parse("2026-12-07T10:05:10Z");
        var replication = new ReverseReplication(List.of("arn:r"), "failback-replicator", false, 0, new PollState(600, null, 0, false, null),
                "2026-12-07T10:00:35Z", null, null);
        messageLag = List.of(new MetricDatapoint(Instant.parse("2026-12-07T10:05:00Z"), 0));
        Clock clock = Clock.fixed(moved.plusSeconds(240), ZoneOffset.UTC);
        ConsumerDrain drain = mskSteps(clock).checkConsumersDrained(PLAN, replication,
                new ConsumerDrain(new PollState(600, null, 0, false, null), false, List.of()), Map.of(), moved);
        assertTrue(!drain.poll().done(), drain.poll().detail());
        assertTrue(drain.poll().detail().contains("no datapoint yet of a minute that began at or after " + moved), drain.poll().detail());
        messageLag = List.of(new MetricDatapoint(Instant.parse("2026-12-07T10:06:00Z"), 0));
        ConsumerDrain drained = mskSteps(clock).checkConsumersDrained(PLAN, replication, drain, Map.of(), moved);
        assertTrue(drained.poll().done(), drained.poll().detail());

        var missing = assertThrows(InvalidInputException.class, () -> mskSteps(clock).checkConsumersDrained(PLAN, replication, drain, Map.of(), null));
        assertTrue(missing.getMessage().contains("'producersMovedAt' is missing"), missing.getMessage());
    }

    @Test
    void aFailedOrDeletingMskReplicatorFailsTheWaitWithItsReason() {
        var replication = new ReverseReplication(List.of("arn:r"), "failback-replicator", false, -1, new PollState(60, null, 0, false, null));
        status = "STOPPED";
        var failure = assertThrows(DependencyFailedException.class, () -> mskSteps().checkLag(PLAN, replication));
        assertTrue(failure.getMessage().startsWith("MSK Replicator arn:r stopped: MSK Replicator failback-replicator FAILED"), failure.getMessage());
    }

    @Test
    void aReplicatorNameMskRefusesIsRefusedNamingTheFieldBeforeAnythingIsCreated() {
        Plan underscored = new Plan("failback", PLAN.primary(), PLAN.secondary(), PLAN.topics(), PLAN.consumerGroups(),
                PLAN.producerAliases(), PLAN.consumerAliases(), PLAN.timeouts(), 0, true, "failback_replicator", 1, "test", false, false, 1);
        var refused = assertThrows(InvalidInputException.class, () -> mskSteps().start(underscored));
        assertTrue(refused.getMessage().startsWith("input field 'reverseReplicatorName' 'failback_replicator' cannot name an MSK Replicator: "
                + "use letters, digits and '-' only"), refused.getMessage());
        assertEquals(List.of(), created);
    }
}
