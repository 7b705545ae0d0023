package com.mskfailover.orchestrator.domain;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * One datapoint of a replicator's metric as CloudWatch returns it: the period's statistic (Maximum for MessageLag)
 * and the start of its period; {@code periodStart} is null for a value that came without a timestamp.
 */
public record MetricDatapoint(Instant periodStart, double value) {

    /**
     * The figure that may speak for what happened after {@code since}: the newest datapoint, and only if its period
     * began at or after {@code since}. Every sample of such a period was taken after that moment, so its Maximum at
     * 0 means nothing was left to copy after it. A datapoint of an older period, an undated one (its age is unknown)
     * or none at all is no figure yet, never 0. The rule compares timestamps only: it holds at CloudWatch's 1-minute
     * periods and at the local stand-in's scaled ones alike.
     */
    /**
     * The newest datapoint of a 1-minute period that ended at or before {@code until}: a figure of the time before, none
     * of whose samples was taken after it (undated ones are of unknown age and never count).
     */
    public static Optional<MetricDatapoint> newestEndingBy(Collection<MetricDatapoint> datapoints, Instant until) {
        Objects.requireNonNull(until, "until");
        return datapoints.stream()
                .filter(datapoint -> datapoint.periodStart() != null && !datapoint.periodStart().plusSeconds(60).isAfter(until))
                .max(java.util.Comparator.comparing(MetricDatapoint::periodStart));
    }

    public static Optional<MetricDatapoint> newestSince(Collection<MetricDatapoint> datapoints, Instant since) {
        Objects.requireNonNull(since, "since");
        return datapoints.stream()
                .filter(datapoint -> datapoint.periodStart() != null)
                .max(Comparator.comparing(MetricDatapoint::periodStart))
                .filter(newest -> !newest.periodStart().isBefore(since));
    }
}
