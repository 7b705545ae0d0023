package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.PreflightReport;

import java.io.PrintStream;

/**
 * Preflight state ReportPreflight: the verdict of the checks, the PreflightChecksFailed metric (EMF), and a
 * notification naming what would fail.
 */
public final class ReportPreflight extends JsonHandler<Inputs.PreflightChecks, PreflightReport.Verdict> {

    private final PreflightReport report;
    private final PrintStream metrics;

    public ReportPreflight() {
        this(AwsPorts.shared());
    }

    public ReportPreflight(Ports ports) {
        this(ports, System.out);
    }

    /** @param metrics where the metric line goes (Lambda: stdout, read by CloudWatch as EMF) */
    public ReportPreflight(Ports ports, PrintStream metrics) {
        super(Inputs.PreflightChecks.class);
        this.report = new PreflightReport(ports.notifier(), ports.clock(), ports.settings().primaryClusterArn());
        this.metrics = metrics;
    }

    @Override
    protected PreflightReport.Verdict handle(Inputs.PreflightChecks input) {
        PreflightReport.Verdict verdict = report.report(input.checks());
        metrics.println(report.metricLine(verdict));
        return verdict;
    }
}
