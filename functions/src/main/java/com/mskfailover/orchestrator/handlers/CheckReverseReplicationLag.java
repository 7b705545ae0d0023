package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.ReverseMskReplicators;
import com.mskfailover.orchestrator.domain.ReverseReplication;
import com.mskfailover.orchestrator.domain.ReverseReplicationSteps;

import java.time.Clock;

/** State CheckReverseReplicationLag: the reverse lag now; WaitTimedOutException past the catch-up deadline. */
public final class CheckReverseReplicationLag extends JsonHandler<Inputs.ReplicationCheck, ReverseReplication> {

    private final ReverseReplicationSteps steps;

    public CheckReverseReplicationLag() {
        this(AwsPorts.shared().replicatorTasks(), AwsPorts.shared().reverseMskReplicators(), AwsPorts.shared().kafkaInspector(),
                AwsPorts.shared().clusterDirectory());
    }

    public CheckReverseReplicationLag(ReplicatorTasks tasks, KafkaInspector kafka, ClusterDirectory clusters) {
        this(tasks, null, kafka, clusters);
    }

    /** @param mskReplicators the reverse flow as an MSK Replicator; null for replicator-task */
    public CheckReverseReplicationLag(ReplicatorTasks tasks, ReverseMskReplicators mskReplicators, KafkaInspector kafka, ClusterDirectory clusters) {
        super(Inputs.ReplicationCheck.class);
        this.steps = new ReverseReplicationSteps(tasks, mskReplicators, kafka, clusters, null, Clock.systemUTC());
    }

    @Override
    protected ReverseReplication handle(Inputs.ReplicationCheck input) {
        return steps.checkLag(required(input.plan(), "plan"), required(input.replication(), "replication"));
    }
}
