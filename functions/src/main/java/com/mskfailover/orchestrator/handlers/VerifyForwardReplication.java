package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ForwardReplicationCheck;
import com.mskfailover.orchestrator.domain.PollState;

/** State VerifyForwardReplication: primary -> secondary replication runs (with throughput if required). */
public final class VerifyForwardReplication extends JsonHandler<Inputs.ForwardCheck, PollState> {

    private final ForwardReplicationCheck check;

    public VerifyForwardReplication() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, null);
    }

    public VerifyForwardReplication(Ports ports) {
        super(Inputs.ForwardCheck.class, ports.settings());
        this.check = new ForwardReplicationCheck(ports.forwardReplication(), ports.clock());
    }

    @Override
    protected PollState handle(Inputs.ForwardCheck input) {
        return check.verify(required(input.plan(), "plan"), required(input.poll(), "poll"));
    }
}
