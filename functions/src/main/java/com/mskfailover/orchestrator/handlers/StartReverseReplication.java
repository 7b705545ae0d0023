package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ReverseReplication;
import com.mskfailover.orchestrator.domain.ReverseReplicationSteps;

/** State StartReverseReplication: replicator-task secondary -> primary from earliest (or the one already running). */
public final class StartReverseReplication extends JsonHandler<Inputs.PlanOnly, ReverseReplication> {

    private final ReverseReplicationSteps steps;

    public StartReverseReplication() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, AwsPorts.shared().kafkaInspector());
    }

    public StartReverseReplication(Ports ports) {
        super(Inputs.PlanOnly.class, ports.settings());
        this.steps = ReverseReplicationSteps.of(ports);
    }

    @Override
    protected ReverseReplication handle(Inputs.PlanOnly input) {
        return steps.start(required(input.plan(), "plan"));
    }
}
