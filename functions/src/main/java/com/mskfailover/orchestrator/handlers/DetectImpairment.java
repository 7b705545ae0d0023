package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.AlarmStates;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.Executions;
import com.mskfailover.orchestrator.domain.ImpairmentDetector;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.domain.Notifier;
import com.mskfailover.orchestrator.domain.OrchestratorSettings;

/** EventBridge target for "CloudWatch Alarm State Change": starts the failover when the impairment is confirmed. */
public final class DetectImpairment extends JsonHandler<JsonNode, ImpairmentDetector.Outcome> {

    private final ImpairmentDetector detector;

    public DetectImpairment() {
        this(AwsPorts.shared().settings(), AwsPorts.shared().alarmStates(), AwsPorts.shared().executions(),
                AwsPorts.shared().bootstrapAliases(), AwsPorts.shared().kafkaInspector(), AwsPorts.shared().notifier());
    }

    public DetectImpairment(OrchestratorSettings settings, AlarmStates alarms, Executions executions,
                            BootstrapAliases aliases, KafkaInspector kafka, Notifier notifier) {
        super(JsonNode.class);
        this.detector = new ImpairmentDetector(settings, alarms, executions, aliases, kafka, notifier);
    }

    @Override
    protected ImpairmentDetector.Outcome handle(JsonNode event) {
        return detector.onAlarmStateChange(event);
    }
}
