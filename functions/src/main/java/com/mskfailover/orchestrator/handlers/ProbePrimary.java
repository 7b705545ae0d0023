package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.PrimaryProbe;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;

/** Every minute (EventBridge schedule): probes the primary and writes PrimaryReachable for the stack's alarm. */
public final class ProbePrimary extends JsonHandler<JsonNode, PrimaryProbe.Result> {

    private final PrimaryProbe probe;
    private final PrintStream metrics;

    public ProbePrimary() {
        this(AwsPorts.shared().kafkaInspector(), AwsPorts.shared().settings().primaryClusterArn(),
                AwsPorts.shared().primaryBootstrapServers(),
                AwsPorts.shared().settings().probeTimeout(), System.out);
    }

    public ProbePrimary(KafkaInspector kafka, String primaryClusterArn, String primaryBootstrapServers, Duration timeout,
                        PrintStream metrics) {
        super(JsonNode.class);
        this.probe = new PrimaryProbe(kafka, primaryClusterArn, primaryBootstrapServers, timeout, Clock.systemUTC());
        this.metrics = metrics;
    }

    @Override
    protected PrimaryProbe.Result handle(JsonNode scheduledEvent) {
        PrimaryProbe.Result result = probe.probe();
        metrics.println(probe.metricLine(result));
        return result;
    }
}
