package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ImpairmentDetector;

/** EventBridge target for "CloudWatch Alarm State Change": starts the failover when the impairment is confirmed. */
public final class DetectImpairment extends JsonHandler<JsonNode, ImpairmentDetector.Outcome> {

    private final ImpairmentDetector detector;

    public DetectImpairment() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, AwsPorts.shared().kafkaInspector());
    }

    public DetectImpairment(Ports ports) {
        super(JsonNode.class);
        this.detector = new ImpairmentDetector(ports.settings(), ports.alarmStates(), ports.executions(), ports.bootstrapAliases(),
                ports.kafkaInspector(), ports.notifier());
    }

    @Override
    protected ImpairmentDetector.Outcome handle(JsonNode event) {
        return detector.onAlarmStateChange(event);
    }
}
