package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ReverseReplication;
import com.mskfailover.orchestrator.domain.ReverseReplicationSteps;

/** State CheckReverseReplicationLag: the reverse lag now; WaitTimedOutException past the catch-up deadline. */
public final class CheckReverseReplicationLag extends JsonHandler<Inputs.ReplicationCheck, ReverseReplication> {

    private final ReverseReplicationSteps steps;

    public CheckReverseReplicationLag() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, AwsPorts.shared().kafkaInspector());
    }

    public CheckReverseReplicationLag(Ports ports) {
        super(Inputs.ReplicationCheck.class, ports.settings());
        this.steps = ReverseReplicationSteps.of(ports);
    }

    @Override
    protected ReverseReplication handle(Inputs.ReplicationCheck input) {
        return steps.checkLag(required(input.plan(), "plan"), required(input.replication(), "replication"));
    }
}
