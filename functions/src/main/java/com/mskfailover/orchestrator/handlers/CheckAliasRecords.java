package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.AliasReader;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ReadinessChecks;

/**
 * Preflight state CheckAliasRecords: every alias of the plan has its record, naming one of the stack's clusters,
 * read as clients read it (DNS first); NotReadyException naming each alias without one. Changes nothing.
 */
public final class CheckAliasRecords extends JsonHandler<Inputs.PlanOnly, ReadinessChecks.Readiness> {

    private final ReadinessChecks checks;
    private final AliasReader aliases;

    public CheckAliasRecords() {
        this(AwsPorts.shared());
    }

    public CheckAliasRecords(Ports ports) {
        super(Inputs.PlanOnly.class, ports.settings());
        this.checks = new ReadinessChecks(ports.clusterDirectory(), ports.kafkaInspector(), ports.settings().probeTimeout());
        this.aliases = ports.aliasReader();
    }

    @Override
    protected ReadinessChecks.Readiness handle(Inputs.PlanOnly input) {
        return checks.checkAliasRecords(required(input.plan(), "plan"), aliases);
    }
}
