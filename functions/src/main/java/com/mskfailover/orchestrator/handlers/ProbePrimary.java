package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.PrimaryProbe;

import java.io.PrintStream;

/** Every minute (EventBridge schedule): probes the primary and writes PrimaryReachable for the stack's alarm. */
public final class ProbePrimary extends JsonHandler<JsonNode, PrimaryProbe.Result> {

    private final PrimaryProbe probe;
    private final PrintStream metrics;

    public ProbePrimary() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, AwsPorts.shared().kafkaInspector());
    }

    public ProbePrimary(Ports ports) {
        this(ports, System.out);
    }

    /** @param metrics where the PrimaryReachable metric line goes (Lambda: stdout, read by CloudWatch as EMF) */
    public ProbePrimary(Ports ports, PrintStream metrics) {
        super(JsonNode.class);
        this.probe = new PrimaryProbe(ports.kafkaInspector(), ports.settings().primaryClusterArn(), ports.primaryBootstrapServers(),
                ports.settings().probeTimeout(), ports.clock());
        this.metrics = metrics;
    }

    @Override
    protected PrimaryProbe.Result handle(JsonNode scheduledEvent) {
        PrimaryProbe.Result result = probe.probe();
        metrics.println(probe.metricLine(result));
        return result;
    }
}
