package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.orchestrator.domain.ReverseReplication;
import com.mskfailover.orchestrator.domain.ReverseReplicationSteps;

import java.util.List;

/**
 * State StopReverseReplication: SIGTERM to replicator-task (it flushes and exits) once consumers are on the primary;
 * with an MSK Replicator as the reverse flow, DeleteReplicator (the MSK guide's failback step), refused while the
 * secondary's last own record of a partition is not on the primary.
 */
public final class StopReverseReplication extends JsonHandler<Inputs.ReplicationStop, List<ReplicatorTasks.TaskState>> {

    private final ReverseReplicationSteps steps;

    public StopReverseReplication() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, null);
    }

    public StopReverseReplication(Ports ports) {
        super(Inputs.ReplicationStop.class, ports.settings());
        this.steps = ReverseReplicationSteps.of(ports);
    }

    @Override
    protected List<ReplicatorTasks.TaskState> handle(Inputs.ReplicationStop input) {
        ReverseReplication replication = required(input.replication(), "replication");
        required(replication.taskIds(), "replication.taskIds");
        return steps.stop(required(input.plan(), "plan"), replication);
    }
}
