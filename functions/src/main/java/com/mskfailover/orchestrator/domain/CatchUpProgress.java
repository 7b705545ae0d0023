package com.mskfailover.orchestrator.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * How far the failback's reverse flow has got with its backlog, as the console shows it on the polling state: the lag
 * when this execution first read one, the lag now, the share copied, the copy rate since then and, at that rate, the time
 * left. The rate is the backlog's net decrease (records written on the secondary meanwhile slow it down, as they slow the
 * failback).
 *
 * @param startLag          the first lag this execution read (records)
 * @param startedAt         when it read it
 * @param lag               the lag at the last check
 * @param percentCopied     share of {@code startLag} no longer behind (0 when the lag grew)
 * @param recordsPerSecond  net copy rate since {@code startedAt}; null before a second figure
 * @param secondsLeft       {@code lag} at that rate; null while the rate is not positive
 */
public record CatchUpProgress(long startLag, String startedAt, long lag, int percentCopied, Double recordsPerSecond, Long secondsLeft) {

    /** The progress after a check that read {@code lag} (-1: no figure, the progress stays as it was). */
    public static CatchUpProgress after(CatchUpProgress previous, long lag, Instant now) {
        if (lag < 0) {
            return previous;
        }
        if (previous == null) {
            return new CatchUpProgress(lag, now.toString(), lag, lag == 0 ? 100 : 0, null, null);
        }
        double seconds = Duration.between(Instant.parse(previous.startedAt()), now).toMillis() / 1000.0;
        long copied = previous.startLag() - lag;
        Double rate = seconds > 0 ? Math.round(copied / seconds * 10) / 10.0 : null;
        Long left = null;
        if (rate != null && rate > 0) {
            left = (long) Math.ceil(lag / rate);
        } else if (lag == 0) {
            left = 0L;
        }
        int percent = previous.startLag() == 0 ? 100 : (int) Math.max(0, Math.min(100, copied * 100 / previous.startLag()));
        return new CatchUpProgress(previous.startLag(), previous.startedAt(), lag, percent, rate, left);
    }

    /** One line for the check's detail. */
    public String describe() {
        return percentCopied + "% of the " + startLag + " records behind at " + startedAt + " copied"
                + (recordsPerSecond == null ? "" : ", " + recordsPerSecond + " records/s")
                + (secondsLeft == null ? (recordsPerSecond == null ? "" : ", not shrinking") : ", about " + secondsLeft + " s left");
    }
}
