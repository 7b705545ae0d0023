package com.mskfailover.replicator;

import java.io.PrintStream;
import java.time.Clock;
import java.util.OptionalLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the copier does and writes it as CloudWatch embedded metric format (EMF) lines on
 * stdout: on ECS with the awslogs driver, CloudWatch turns each line into metrics without any agent or
 * SDK call. Names follow MSK Replicator's metrics so the same dashboards and alarms fit both.
 */
public final class ReplicationMetrics {

    public static final String NAMESPACE = "MskFailover/Replicator";

    private final String replicatorName;
    private final PrintStream out;
    private final Clock clock;

    private final LongAdder records = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder latencyMillisTotal = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    /** Totals since start; the adders above restart with every emitted line. */
    private final LongAdder totalRecords = new LongAdder();
    private long lastEmitMillis;

    public ReplicationMetrics(String replicatorName, PrintStream out, Clock clock) {
        this.replicatorName = replicatorName;
        this.out = out;
        this.clock = clock;
        this.lastEmitMillis = clock.millis();
    }

    /** Called once a transaction with {@code count} copies committed; {@code latencyMillisTotal} sums their ages then. */
    void copied(long count, long sizeInBytes, long latencyMillisTotal) {
        records.add(count);
        totalRecords.add(count);
        bytes.add(sizeInBytes);
        this.latencyMillisTotal.add(Math.max(0, latencyMillisTotal));
    }

    void skipped() {
        skipped.increment();
    }

    public long recordsCopied() {
        return totalRecords.sum();
    }

    public long recordsSkipped() {
        return skipped.sum();
    }

    /**
     * Writes one EMF line covering the time since the previous one and returns it. {@code ReplicationLatency}
     * is the average age of the records copied in the interval, or the age of the oldest record seen and not
     * copied yet ({@code oldestWaiting}, a timestamp) when that is larger: a stalled or blocked flow shows a
     * growing latency (the RPO it would cost now), never 0.
     */
    public synchronized String emit(long messageLag, int stalledPartitions, OptionalLong oldestWaiting, int selectedTopics) {
        long now = clock.millis();
        double seconds = Math.max(1, now - lastEmitMillis) / 1000.0;
        lastEmitMillis = now;
        long copiedRecords = records.sumThenReset();
        long copiedBytes = bytes.sumThenReset();
        long latencyTotal = latencyMillisTotal.sumThenReset();
        double averageLatency = copiedRecords == 0 ? 0 : (double) latencyTotal / copiedRecords;
        double latency = Math.max(averageLatency, oldestWaiting.isPresent() ? Math.max(0, now - oldestWaiting.getAsLong()) : 0);
        String line = "{\"_aws\":{\"Timestamp\":" + now + ",\"CloudWatchMetrics\":[{\"Namespace\":\"" + NAMESPACE + "\","
                + "\"Dimensions\":[[\"ReplicatorName\"]],\"Metrics\":["
                + "{\"Name\":\"MessageLag\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"ReplicationLatency\",\"Unit\":\"Milliseconds\"},"
                + "{\"Name\":\"ReplicatorThroughput\",\"Unit\":\"Count/Second\"},"
                + "{\"Name\":\"ReplicatorBytesInPerSec\",\"Unit\":\"Bytes/Second\"},"
                + "{\"Name\":\"StalledPartitions\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"SelectedTopics\",\"Unit\":\"Count\"}]}]},"
                // REPLICATOR_NAME is restricted to [A-Za-z0-9._-], so it needs no JSON escaping.
                + "\"ReplicatorName\":\"" + replicatorName + "\","
                + "\"MessageLag\":" + messageLag + ","
                + "\"ReplicationLatency\":" + Math.round(latency) + ","
                + "\"ReplicatorThroughput\":" + Math.round(copiedRecords / seconds) + ","
                + "\"ReplicatorBytesInPerSec\":" + Math.round(copiedBytes / seconds) + ","
                + "\"StalledPartitions\":" + stalledPartitions + ","
                + "\"SelectedTopics\":" + selectedTopics + "}";
        out.println(line);
        out.flush();
        return line;
    }

    /**
     * The line while TOPICS and TOPICS_EXCLUDE select no topic of the source: {@code SelectedTopics} 0 alone, as no lag
     * or latency figure means anything then (an alarm on it, or on the lag's absence, catches a mistyped selection).
     */
    public synchronized String emitNothingSelected() {
        long now = clock.millis();
        lastEmitMillis = now;
        String line = "{\"_aws\":{\"Timestamp\":" + now + ",\"CloudWatchMetrics\":[{\"Namespace\":\"" + NAMESPACE + "\","
                + "\"Dimensions\":[[\"ReplicatorName\"]],\"Metrics\":[{\"Name\":\"SelectedTopics\",\"Unit\":\"Count\"}]}]},"
                + "\"ReplicatorName\":\"" + replicatorName + "\",\"SelectedTopics\":0}";
        out.println(line);
        out.flush();
        return line;
    }
}
