package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.ForwardReplication;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.ReadinessChecks;

import java.time.Duration;

/** State CheckSecondaryReady: the secondary answers, has the topics and replication met the RPO; else NotReadyException. */
public final class CheckSecondaryReady extends JsonHandler<Inputs.PlanOnly, ReadinessChecks.Readiness> {

    private final ReadinessChecks checks;

    public CheckSecondaryReady() {
        this(AwsPorts.shared().clusterDirectory(), AwsPorts.shared().kafkaInspector(), AwsPorts.shared().forwardReplication(),
                AwsPorts.shared().settings().probeTimeout());
    }

    public CheckSecondaryReady(ClusterDirectory clusters, KafkaInspector kafka, ForwardReplication forwardReplication, Duration probeTimeout) {
        super(Inputs.PlanOnly.class);
        this.checks = new ReadinessChecks(clusters, kafka, forwardReplication, probeTimeout);
    }

    @Override
    protected ReadinessChecks.Readiness handle(Inputs.PlanOnly input) {
        return checks.checkSecondaryReady(required(input.plan(), "plan"));
    }
}
