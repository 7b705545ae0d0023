package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ReadinessChecks;

/**
 * State CheckPrimaryHealthy: the recovered primary answers and has the topics (else NotReadyException), and the
 * secondary holds no topic or consumer group the plan would leave behind (else InvalidInputException naming them).
 */
public final class CheckPrimaryHealthy extends JsonHandler<Inputs.PlanOnly, ReadinessChecks.Readiness> {

    private final ReadinessChecks checks;

    public CheckPrimaryHealthy() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, AwsPorts.shared().kafkaInspector());
    }

    public CheckPrimaryHealthy(Ports ports) {
        super(Inputs.PlanOnly.class, ports.settings());
        this.checks = new ReadinessChecks(ports.clusterDirectory(), ports.kafkaInspector(), ports.settings().probeTimeout());
    }

    @Override
    protected ReadinessChecks.Readiness handle(Inputs.PlanOnly input) {
        return checks.checkPrimaryHealthy(required(input.plan(), "plan"));
    }
}
