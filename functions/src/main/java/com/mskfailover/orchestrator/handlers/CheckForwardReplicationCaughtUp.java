package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.ForwardCatchUpCheck;
import com.mskfailover.orchestrator.domain.Ports;

/**
 * State CheckForwardReplicationCaughtUp (planned failover): the primary takes no more records and the forward flow has
 * copied all it holds; fails with WaitTimedOutException past plan.timeouts.replicationCatchUpSeconds.
 */
public final class CheckForwardReplicationCaughtUp extends JsonHandler<Inputs.ForwardCatchUp, ForwardCatchUpCheck.CatchUp> {

    private final ForwardCatchUpCheck check;

    public CheckForwardReplicationCaughtUp() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, AwsPorts.shared().kafkaInspector());
    }

    public CheckForwardReplicationCaughtUp(Ports ports) {
        super(Inputs.ForwardCatchUp.class, ports.settings());
        this.check = new ForwardCatchUpCheck(ports.kafkaInspector(), ports.clusterDirectory(), ports.forwardReplication(), ports.clock());
    }

    @Override
    protected ForwardCatchUpCheck.CatchUp handle(Inputs.ForwardCatchUp input) {
        return check.check(required(input.plan(), "plan"), required(input.catchUp(), "catchUp"));
    }
}
