package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ConsumerDrain;
import com.mskfailover.orchestrator.domain.ReverseReplicationSteps;

/** State CheckSecondaryConsumersDrained: application groups on the secondary read every application record there and stopped, their offsets on the primary. */
public final class CheckSecondaryConsumersDrained extends JsonHandler<Inputs.DrainCheck, ConsumerDrain> {

    private final ReverseReplicationSteps steps;

    public CheckSecondaryConsumersDrained() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, AwsPorts.shared().kafkaInspector());
    }

    public CheckSecondaryConsumersDrained(Ports ports) {
        super(Inputs.DrainCheck.class);
        this.steps = ReverseReplicationSteps.of(ports);
    }

    @Override
    protected ConsumerDrain handle(Inputs.DrainCheck input) {
        return steps.checkConsumersDrained(required(input.plan(), "plan"), required(input.replication(), "replication"),
                required(input.drain(), "drain"), required(input.targets(), "targets"));
    }
}
