package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.Notifier;
import com.mskfailover.orchestrator.domain.OperatorReport;

/**
 * States Notify{Failover,Failback}{Succeeded,Failed}: publishes what happened, how far it got and how to resume.
 * Shared by the four notification states: they differ only in operation and outcome.
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
        OperatorReport.Notification notification = report.report(required(input.operation(), "operation"),
                required(input.outcome(), "outcome"), required(input.state(), "state"));
        notifier.publish(notification.subject(), notification.message());
        return notification;
    }
}
