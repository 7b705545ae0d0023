package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.PollState;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.ReverseMskReplicators;
import com.mskfailover.orchestrator.domain.ReverseReplicationSteps;

import java.time.Clock;

/** State CheckSecondaryConsumersDrained: application groups on the secondary at lag 0 and the reverse lag 0 again. */
public final class CheckSecondaryConsumersDrained extends JsonHandler<Inputs.DrainCheck, PollState> {

    private final ReverseReplicationSteps steps;

    public CheckSecondaryConsumersDrained() {
        this(AwsPorts.shared().replicatorTasks(), AwsPorts.shared().reverseMskReplicators(), AwsPorts.shared().kafkaInspector(),
                AwsPorts.shared().clusterDirectory());
    }

    public CheckSecondaryConsumersDrained(ReplicatorTasks tasks, KafkaInspector kafka, ClusterDirectory clusters) {
        this(tasks, null, kafka, clusters);
    }

    /** @param mskReplicators the reverse flow as an MSK Replicator (the drain then hands the offsets over); null for replicator-task */
    public CheckSecondaryConsumersDrained(ReplicatorTasks tasks, ReverseMskReplicators mskReplicators, KafkaInspector kafka, ClusterDirectory clusters) {
        super(Inputs.DrainCheck.class);
        this.steps = new ReverseReplicationSteps(tasks, mskReplicators, kafka, clusters, null, Clock.systemUTC());
    }

    @Override
    protected PollState handle(Inputs.DrainCheck input) {
        return steps.checkConsumersDrained(required(input.plan(), "plan"), required(input.replication(), "replication"),
                required(input.drain(), "drain"));
    }
}
