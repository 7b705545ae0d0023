package com.mskfailover.orchestrator.domain;

import java.util.List;
import java.util.Optional;

/**
 * Port: the failback's reverse flow as an MSK Replicator, secondary -> primary, identical topic names, starting at
 * earliest (the MSK Developer Guide's failback for identical topic names). It lives in the primary's Region (a
 * replicator runs in its target cluster's Region). In AWS: kafka:CreateReplicator, DescribeReplicator,
 * DeleteReplicator and the AWS/Kafka MessageLag metric; locally: a stand-in that behaves as MSK Replicator is
 * documented to.
 */
public interface ReverseMskReplicators {

    /** A replicator of this name that is being created or runs (a re-run reuses it), by ARN. */
    Optional<String> findActive(String replicatorName);

    /** Creates the replicator; returns its ARN. */
    String create(Spec spec);

    /**
     * RUNNING, CREATING or UPDATING (not copying yet, or not for sure: wait), else STOPPED ({@code stopped()}) for
     * FAILED, DELETING and a deleted one, the detail saying which and why.
     */
    ReplicatorTasks.TaskState state(String replicatorArn);

    /**
     * MessageLag (records on the secondary not yet on the primary) as CloudWatch has it: the Maximum of each 1-minute
     * period of the last minutes, each with its period's start, newest first; which of them counts is the caller's
     * rule ({@link MetricDatapoint#newestSince}).
     */
    List<MetricDatapoint> messageLag(String replicatorArn);

    void delete(String replicatorArn);

    /**
     * What a cross-Region replicator needs of its source cluster (the secondary, for the failback) and that cluster
     * lacks, each with its fix: multi-VPC private connectivity for IAM, and a cluster policy letting
     * {@code kafka.amazonaws.com} call CreateVpcConnection, GetBootstrapBrokers and DescribeClusterV2 (MSK Developer
     * Guide, "Prepare the Amazon MSK source cluster"). Empty when ready. The preflight asks it; nothing is created.
     */
    List<String> sourceClusterPrerequisitesMissing(String sourceClusterArn);

    /**
     * @param topics the topics to replicate (exact names)
     * @param groups the consumer groups (offsets are not synchronised by the replicator: the failback's handover
     *               commits them, see {@link GroupOffsetHandover})
     */
    record Spec(String name, String sourceClusterArn, String targetClusterArn, List<String> topics, List<String> groups) {
        public Spec {
            topics = List.copyOf(topics);
            groups = List.copyOf(groups);
        }
    }
}
