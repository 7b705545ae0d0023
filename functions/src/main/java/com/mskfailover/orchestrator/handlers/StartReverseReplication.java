package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.ReverseMskReplicators;
import com.mskfailover.orchestrator.domain.ReverseReplication;
import com.mskfailover.orchestrator.domain.ReverseReplicationSteps;

import java.time.Clock;

/** State StartReverseReplication: replicator-task secondary -> primary from earliest (or the one already running). */
public final class StartReverseReplication extends JsonHandler<Inputs.PlanOnly, ReverseReplication> {

    private final ReverseReplicationSteps steps;

    public StartReverseReplication() {
        this(AwsPorts.shared().replicatorTasks(), AwsPorts.shared().reverseMskReplicators(), AwsPorts.shared().kafkaInspector(),
                AwsPorts.shared().clusterDirectory(), AwsPorts.shared().settings().kafkaAuth());
    }

    /** @param kafkaAuth what replicator-task gets as SOURCE_AUTH and TARGET_AUTH ({@code iam} or {@code none}) */
    public StartReverseReplication(ReplicatorTasks tasks, KafkaInspector kafka, ClusterDirectory clusters, String kafkaAuth) {
        this(tasks, null, kafka, clusters, kafkaAuth);
    }

    /** @param mskReplicators the reverse flow as an MSK Replicator; null for replicator-task */
    public StartReverseReplication(ReplicatorTasks tasks, ReverseMskReplicators mskReplicators, KafkaInspector kafka,
                                   ClusterDirectory clusters, String kafkaAuth) {
        super(Inputs.PlanOnly.class);
        this.steps = new ReverseReplicationSteps(tasks, mskReplicators, kafka, clusters, kafkaAuth, Clock.systemUTC());
    }

    @Override
    protected ReverseReplication handle(Inputs.PlanOnly input) {
        return steps.start(required(input.plan(), "plan"));
    }
}
