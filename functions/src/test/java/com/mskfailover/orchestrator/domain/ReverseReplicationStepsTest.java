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
    };

    private final KafkaInspector kafka = new KafkaInspector() {
        @Override public ProbeResult probe(String bootstrapServers, Duration timeout) { return new ProbeResult(primaryAnswers, primaryAnswers ? "" : "no answer within 5000 ms"); }
        @Override public Set<String> missingTopics(String bootstrapServers, Collection<String> topics) { return Set.of(); }
        @Override public GroupLag groupLag(String bootstrapServers, String groupId, Collection<String> topics) { return new GroupLag(groupId, groupLag, 3, 0); }
        @Override public List<String> activeMembers(String bootstrapServers, String groupId) { return List.copyOf(members); }
        @Override public Map<String, CommittedOffset> committedOffsets(String bootstrapServers, String groupId, Collection<String> topics) { return Map.of(); }
        // The reverse flow committed nothing: all groupLag records of its one partition are left to copy.
        @Override public Map<String, OffsetRange> offsetRanges(String bootstrapServers, Collection<String> topics) { return Map.of("customer-0", new OffsetRange(0, groupLag)); }
        @Override public List<RecordFingerprint> fingerprints(String bootstrapServers, String partition, long from, long to, int max) { return List.of(); }
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
        Map<String, String> env = steps(Clock.systemUTC()).replicatorEnvironment(PLAN);
        assertEquals("secondary:9098", env.get("SOURCE_BOOTSTRAP_SERVERS"));
        assertEquals("primary:9098", env.get("TARGET_BOOTSTRAP_SERVERS"));
        assertEquals("iam", env.get("SOURCE_AUTH"));
        assertEquals("earliest", env.get("STARTING_POSITION"));
        assertTrue("orders.v2".matches(env.get("TOPICS")) && !"ordersXv2".matches(env.get("TOPICS")), env.get("TOPICS"));
        assertTrue("msk-consumer".matches(env.get("GROUPS")));
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
                new ConsumerDrain(new PollState(30, null, 0, false, null), false, List.of()), Map.of());
        assertTrue(!first.poll().done(), first.poll().detail());
        assertTrue(first.readEverything(), "nothing left to read: operators are told to stop the consumers");
        assertEquals(List.of("group msk-consumer still has 1 active member(s) on the secondary [consumer-msk-consumer-1@/10.0.1.7]: stop its consumers there"),
                first.stillConnected());
        var timeout = assertThrows(WaitTimedOutException.class, () -> steps(Clock.fixed(start.plusSeconds(30), ZoneOffset.UTC))
                .checkConsumersDrained(PLAN, replication, first, Map.of()));
        assertTrue(timeout.getMessage().contains("group msk-consumer still has 1 active member(s) on the secondary "
                + "[consumer-msk-consumer-1@/10.0.1.7]: stop its consumers there"), timeout.getMessage());
    }

    @Test
    void aPrimaryGoneAgainDuringTheDrainFailsTheCheckSayingSo() {
        groupLag = 0;
        primaryAnswers = false;
        var replication = new ReverseReplication(List.of("task-1"), "failback-replicator", false, 0, new PollState(60, null, 0, false, null));
        var failure = assertThrows(TransientDependencyException.class, () -> steps(Clock.systemUTC())
                .checkConsumersDrained(PLAN, replication, new ConsumerDrain(new PollState(1800, null, 0, false, null), false, List.of()), Map.of()));
        assertTrue(failure.getMessage().startsWith("the primary stopped answering while clients were moved back to it"), failure.getMessage());
    }

    private final List<ReverseMskReplicators.Spec> created = new ArrayList<>();
    private java.util.OptionalLong messageLag = java.util.OptionalLong.empty();
    private String mskActive;

    private final ReverseMskReplicators mskReplicators = new ReverseMskReplicators() {
        @Override public java.util.Optional<String> findActive(String replicatorName) { return java.util.Optional.ofNullable(mskActive); }
        @Override public String create(Spec spec) { created.add(spec); return "arn:aws:kafka:us-east-1:123456789012:replicator/failback-replicator/r-1"; }
        @Override public ReplicatorTasks.TaskState state(String replicatorArn) { return new ReplicatorTasks.TaskState(status, "MSK Replicator failback-replicator FAILED"); }
        @Override public java.util.OptionalLong messageLag(String replicatorArn) { return messageLag; }
        @Override public void delete(String replicatorArn) { }
    };

    private ReverseReplicationSteps mskSteps() {
        return new ReverseReplicationSteps(tasks, mskReplicators, kafka, arn -> arn.contains("us-east-1") ? "primary:9098" : "secondary:9098",
                "iam", Clock.systemUTC());
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
    void anMskReplicatorLagNotPublishedYetIsNotZeroAndAFailedReplicatorFailsTheWait() {
        var replication = new ReverseReplication(List.of("arn:r"), "failback-replicator", false, -1, new PollState(60, null, 0, false, null));
        ReverseReplication checked = mskSteps().checkLag(PLAN, replication);
        assertEquals(-1, checked.lag());
        assertTrue(!checked.catchUp().done(), checked.catchUp().detail());
        messageLag = java.util.OptionalLong.of(0);
        assertTrue(mskSteps().checkLag(PLAN, checked).catchUp().done());

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
