package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.ReadinessChecks;

import java.time.Duration;

/** State CheckPrimaryHealthy: the recovered primary answers and has the topics; else NotReadyException. */
public final class CheckPrimaryHealthy extends JsonHandler<Inputs.PlanOnly, ReadinessChecks.Readiness> {

    private final ReadinessChecks checks;

    public CheckPrimaryHealthy() {
        this(AwsPorts.shared().clusterDirectory(), AwsPorts.shared().kafkaInspector(), AwsPorts.shared().settings().probeTimeout());
    }

    public CheckPrimaryHealthy(ClusterDirectory clusters, KafkaInspector kafka, Duration probeTimeout) {
        super(Inputs.PlanOnly.class);
        // The forward flow is not looked at before failback: it is verified at the end.
        this.checks = new ReadinessChecks(clusters, kafka, null, probeTimeout);
    }

    @Override
    protected ReadinessChecks.Readiness handle(Inputs.PlanOnly input) {
        return checks.checkPrimaryHealthy(required(input.plan(), "plan"));
    }
}
