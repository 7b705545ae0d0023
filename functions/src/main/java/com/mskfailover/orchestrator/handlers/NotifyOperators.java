package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.Notifier;
import com.mskfailover.orchestrator.domain.OperatorReport;

/**
 * States Notify{Failover,Failback}{Succeeded,Failed}: publishes what happened, how far it got and how to resume; and the
 * failback's Notify{RestartProducers,StopConsumers,StartConsumers,ProducersStillOnSecondary}: what operators must do now.
 * Shared by every notification state: they differ only in operation, outcome and action.
 */
public final class NotifyOperators extends JsonHandler<Inputs.Report, OperatorReport.Notification> {

    private final Notifier notifier;
    private final OperatorReport report = new OperatorReport();

    public NotifyOperators() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, null);
    }

    public NotifyOperators(Ports ports) {
        super(Inputs.Report.class);
        this.notifier = ports.notifier();
    }

    @Override
    protected OperatorReport.Notification handle(Inputs.Report input) {
        OperatorReport.Notification notification = "action-required".equals(input.outcome())
                ? report.actionRequired(required(input.operation(), "operation"), required(input.action(), "action"), required(input.state(), "state"))
                : report.report(required(input.operation(), "operation"), required(input.outcome(), "outcome"), required(input.state(), "state"));
        notifier.publish(notification.subject(), notification.message());
        return notification;
    }
}
