package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.ReverseReplication;
import com.mskfailover.orchestrator.domain.ReverseReplicationSteps;

import java.time.Clock;

/** State StartReverseReplication: replicator-task secondary -> primary from earliest (or the one already running). */
public final class StartReverseReplication extends JsonHandler<Inputs.PlanOnly, ReverseReplication> {

    private final ReverseReplicationSteps steps;

    public StartReverseReplication() {
        this(AwsPorts.shared().replicatorTasks(), AwsPorts.shared().kafkaInspector(), AwsPorts.shared().clusterDirectory(),
                AwsPorts.shared().settings().kafkaAuth());
    }

    /** @param kafkaAuth what replicator-task gets as SOURCE_AUTH and TARGET_AUTH ({@code iam} or {@code none}) */
    public StartReverseReplication(ReplicatorTasks tasks, KafkaInspector kafka, ClusterDirectory clusters, String kafkaAuth) {
        super(Inputs.PlanOnly.class);
        this.steps = new ReverseReplicationSteps(tasks, kafka, clusters, kafkaAuth, Clock.systemUTC());
    }

    @Override
    protected ReverseReplication handle(Inputs.PlanOnly input) {
        return steps.start(required(input.plan(), "plan"));
    }
}
