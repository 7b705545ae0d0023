package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ReadinessChecks;

/**
 * State CheckSecondaryReady: the secondary answers, has the topics, replication met the RPO and the plan's groups have
 * their offsets there; else NotReadyException.
 */
public final class CheckSecondaryReady extends JsonHandler<Inputs.PlanOnly, ReadinessChecks.Readiness> {

    private final ReadinessChecks checks;
    private final ForwardReplication forwardReplication;
    private final Ports ports;

    public CheckSecondaryReady() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, AwsPorts.shared().kafkaInspector());
    }

    public CheckSecondaryReady(Ports ports) {
        super(Inputs.PlanOnly.class, ports.settings());
        this.checks = new ReadinessChecks(ports.clusterDirectory(), ports.kafkaInspector(), ports.settings().probeTimeout());
        this.forwardReplication = ports.forwardReplication();
        this.ports = ports;
    }

    @Override
    protected ReadinessChecks.Readiness handle(Inputs.PlanOnly input) {
        return checks.checkSecondaryReady(required(input.plan(), "plan"), forwardReplication, ports::primaryBootstrapServers);
    }
}
