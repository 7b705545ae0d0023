package com.mskfailover.local.msk;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for the CloudWatch metrics MSK Replicator publishes (AWS/Kafka, dimension ReplicatorName), as
 * GetMetricData gives them: per period, the Maximum of the samples taken in it, timestamped with the period's
 * start, and each datapoint readable only {@link Timing#publishDelay} after its period ended. Metrics are kept by
 * replicator NAME, as CloudWatch keeps them: a replicator created again under a deleted one's name finds its
 * predecessor's datapoints there.
 */
public final class LocalCloudWatch {

    /**
     * How time passes for a replicator and its metrics.
     *
     * @param period       a datapoint's period (CloudWatch: 1 minute)
     * @param publishDelay from the end of a period to its datapoint being readable
     * @param creating     how long a new replicator stays CREATING before it copies
     */
    public record Timing(Duration period, Duration publishDelay, Duration creating) {

        /**
         * As AWS behaves, assumed rather than measured: 1-minute periods, readable 2 minutes after the period ends
         * (AWS service metrics typically arrive 1-3 minutes late), 5 minutes in CREATING.
         */
        public static final Timing AWS = new Timing(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5));

        /** AWS's proportions with this period in place of a minute, for tests that must not wait real minutes. */
        public static Timing scaled(Duration period) {
            return new Timing(period, period.multipliedBy(2), period.multipliedBy(5));
        }

        /** How often a replicator samples its figures: several samples per period, as the Maximum needs. */
        Duration sampleEvery() {
            return period.dividedBy(4);
        }
    }

    /** One datapoint as GetMetricData returns it: the start of its period and the period's Maximum. */
    public record Datapoint(Instant periodStart, double maximum) {
    }

    private final Timing timing;
    private final Clock clock;
    /** replicator name + metric -> period start (epoch ms) -> Maximum so far */
    private final Map<String, TreeMap<Long, Double>> series = new ConcurrentHashMap<>();

    public LocalCloudWatch(Timing timing) {
        this(timing, Clock.systemUTC());
    }

    public LocalCloudWatch(Timing timing, Clock clock) {
        this.timing = timing;
        this.clock = clock;
    }

    public Timing timing() {
        return timing;
    }

    /** A sample of the metric taken now: it raises the Maximum of the current period. */
    public void sample(String replicatorName, String metric, double value) {
        put(replicatorName, metric, periodStart(clock.instant()), value);
    }

    /**
     * A datapoint as if published for the period that starts at {@code periodStart} (aligned down to a period):
     * what an earlier replicator of the same name, or one that sampled before copying anything, left there.
     */
    public void put(String replicatorName, String metric, Instant periodStart, double value) {
        TreeMap<Long, Double> points = series.computeIfAbsent(replicatorName + "/" + metric, ignored -> new TreeMap<>());
        synchronized (points) {
            points.merge(periodStart(periodStart).toEpochMilli(), value, Math::max);
        }
    }

    /** The Maximum per period of the last {@code periods} periods whose datapoints are readable now, newest first. */
    public List<Datapoint> maximum(String replicatorName, String metric, int periods) {
        TreeMap<Long, Double> points = series.get(replicatorName + "/" + metric);
        if (points == null) {
            return List.of();
        }
        Instant now = clock.instant();
        long readableUpTo = now.minus(timing.publishDelay()).minus(timing.period()).toEpochMilli();
        long oldest = periodStart(now).toEpochMilli() - periods * timing.period().toMillis();
        List<Datapoint> datapoints = new ArrayList<>();
        synchronized (points) {
            points.subMap(oldest, true, readableUpTo, true).forEach((start, max) -> datapoints.add(new Datapoint(Instant.ofEpochMilli(start), max)));
        }
        datapoints.sort(Comparator.comparing(Datapoint::periodStart).reversed());
        return datapoints;
    }

    /** The start of the period an instant falls in (periods are aligned to the epoch, as CloudWatch's minutes are). */
    public Instant periodStart(Instant instant) {
        long period = timing.period().toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(instant.toEpochMilli(), period) * period);
    }
}
