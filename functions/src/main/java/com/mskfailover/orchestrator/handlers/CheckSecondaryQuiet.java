package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ReverseReplicationSteps;
import com.mskfailover.orchestrator.domain.SecondaryQuietGate;

/**
 * States CheckSecondaryQuiet and CheckSecondaryStillQuiet (failback): no application writes to the secondary any more
 * (the forward flow's copies do not count) and the reverse flow has copied what they wrote; names who still writes.
 */
public final class CheckSecondaryQuiet extends JsonHandler<Inputs.QuietCheck, SecondaryQuietGate.SecondaryQuiet> {

    private final SecondaryQuietGate gate;

    public CheckSecondaryQuiet() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, AwsPorts.shared().kafkaInspector());
    }

    public CheckSecondaryQuiet(Ports ports) {
        super(Inputs.QuietCheck.class, ports.settings());
        this.gate = new SecondaryQuietGate(ports.kafkaInspector(), ports.clusterDirectory(), ReverseReplicationSteps.of(ports), ports.clock());
    }

    @Override
    protected SecondaryQuietGate.SecondaryQuiet handle(Inputs.QuietCheck input) {
        return gate.check(required(input.plan(), "plan"), required(input.replication(), "replication"), required(input.quiet(), "quiet"));
    }
}
