package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ReadinessChecks;

/** State CheckPrimaryHealthy: the recovered primary answers and has the topics; else NotReadyException. */
public final class CheckPrimaryHealthy extends JsonHandler<Inputs.PlanOnly, ReadinessChecks.Readiness> {

    private final ReadinessChecks checks;

    public CheckPrimaryHealthy() {
        this(AwsPorts.shared());
        SnapStartPriming.register(Inputs.PlanOnly.class, AwsPorts.shared().kafkaInspector());
    }

    public CheckPrimaryHealthy(Ports ports) {
        super(Inputs.PlanOnly.class);
        this.checks = new ReadinessChecks(ports.clusterDirectory(), ports.kafkaInspector(), ports.forwardReplication(),
                ports.settings().probeTimeout());
    }

    @Override
    protected ReadinessChecks.Readiness handle(Inputs.PlanOnly input) {
        return checks.checkPrimaryHealthy(required(input.plan(), "plan"));
    }
}
