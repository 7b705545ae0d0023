package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ReadinessChecks;
import com.mskfailover.orchestrator.domain.ReverseFlow;

/**
 * Preflight state CheckReverseFlowReady: the failback's reverse flow could start now in the mode in use (MSK
 * Replicator: the secondary's multi-VPC connectivity and cluster policy; replicator-task: ECS cluster and task
 * definition); NotReadyException naming each gap and its fix. Starts nothing.
 */
public final class CheckReverseFlowReady extends JsonHandler<Inputs.PlanOnly, ReadinessChecks.Readiness> {

    private final ReadinessChecks checks;
    private final ReverseFlow flow;

    public CheckReverseFlowReady() {
        this(AwsPorts.shared());
    }

    public CheckReverseFlowReady(Ports ports) {
        super(Inputs.PlanOnly.class, ports.settings());
        this.checks = new ReadinessChecks(ports.clusterDirectory(), ports.kafkaInspector(), ports.settings().probeTimeout());
        this.flow = ReverseFlow.of(ports);
    }

    @Override
    protected ReadinessChecks.Readiness handle(Inputs.PlanOnly input) {
        return checks.checkReverseFlowReady(required(input.plan(), "plan"), flow);
    }
}
