package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ImpairmentDetector;

/**
 * EventBridge target for "CloudWatch Alarm State Change" of the watched alarms and for the minute's re-check
 * ("Scheduled Event"): starts the failover when the decision table's quorum holds.
 */
public final class DetectImpairment extends JsonHandler<JsonNode, ImpairmentDetector.Outcome> {

    private final ImpairmentDetector detector;

    public DetectImpairment() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, AwsPorts.shared().kafkaInspector());
    }

    public DetectImpairment(Ports ports) {
        super(JsonNode.class);
        this.detector = new ImpairmentDetector(ports.settings(), ports.alarmStates(), ports.executions(), ports.aliasReader(),
                ports.kafkaInspector(), ports.notifier(), ports.primaryRegionHealth(), ports.primaryBootstrapServers());
    }

    @Override
    protected ImpairmentDetector.Outcome handle(JsonNode event) {
        return detector.onEvent(event);
    }
}
