package com.mskfailover.replicator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What one target partition holds, as far as translating group offsets needs it, in target-offset order:
 * records whose counterpart on the source is known (copies of source records, and records first written on
 * the target that the source holds copies of), records of unknown origin (written on the target and not
 * replicated back, as far as this replicator knows), and offsets without a record a read_committed consumer
 * sees (transaction markers, aborted records). Offsets not covered are not known yet: holes, which
 * {@link OffsetRecovery} reads on the target.
 *
 * <p>A group that committed source offset c has read every source record before c. On the target it
 * resumes at the largest offset before which every record of the flow is one it read: when the mapping is
 * not monotonic (both directions running), it re-reads rather than skips. Records of unknown origin and
 * holes count as unread. The flow starts at its first record with a known counterpart: what the target
 * held before (records of its own before replication began) is outside it. After a restart the flow is
 * known from the window that was read back ({@link #window}); older commits get the target's log start.
 *
 * <p>Memory is bounded: at most {@link #MAX_SEGMENTS} segments (runs of consecutive offsets: one per
 * transaction while nothing else writes to the partition). The oldest are folded into at most
 * {@link #MAX_POINTS} staircase points, thinned exponentially (as MirrorMaker 2's OffsetSyncStore does), so
 * recent commits translate exactly and old ones conservatively. Thread-safe: a copier writes, {@link
 * OffsetRecovery} writes and group sync reads.
 */
final class TargetPartitionOffsets {

    static final int MAX_SEGMENTS = 256;
    static final int MAX_POINTS = 32;
    private static final long NO_RECORD = -1;
    private static final long UNKNOWN_ORIGIN = -2;
    private static final long BLOCKED = Long.MAX_VALUE;

    /** target start offset -> {length, source offset of the first record | NO_RECORD | UNKNOWN_ORIGIN} */
    private final TreeMap<Long, long[]> segments = new TreeMap<>();
    /** Where the flow starts on the target; {@code Long.MAX_VALUE} until its first known record. */
    private long flowStart = Long.MAX_VALUE;
    /** After a restart whose window did not reach the log start: the flow is taken to start at the window. */
    private boolean windowCut;
    /** The answer when nothing in the flow is known to be read: the flow's start, or the log start after a cut. */
    private long oldest;
    /** Facts before this offset are ignored: folded away, or before the window read back after a restart. */
    private long floor = Long.MIN_VALUE;
    /** Largest source offset among the folded records of the flow ({@link #BLOCKED}: they hold an unread one). */
    private long foldedMax = -1;
    private long foldedReadEnd = -1;
    /** Folded staircase: every record of the flow before pointEnd[i] has a source offset <= pointMax[i]. */
    private final long[] pointMax = new long[MAX_POINTS];
    private final long[] pointEnd = new long[MAX_POINTS];
    private int points;
    /** Just after the last copy of this replicator's last committed transaction: where its marker can be. */
    private long ownMarker = -1;
    private long lastCopy = -1;
    /**
     * Whether {@link #hole()} already saw the marker after the last copies unconfirmed: it is read back only once
     * the partition stayed idle for a round, as a busy flow confirms it by its next copy.
     */
    private boolean tailMarkerSeen;

    /** This replicator's copy of source record {@code sourceOffset} is at {@code targetOffset}. */
    synchronized void copied(long sourceOffset, long targetOffset) {
        // Our transactions are the only writer if the next copy follows the marker directly.
        if (ownMarker >= 0 && targetOffset == ownMarker + 1) {
            put(ownMarker, 1, NO_RECORD);
        }
        ownMarker = -1;
        tailMarkerSeen = false;
        lastCopy = Math.max(lastCopy, targetOffset);
        put(targetOffset, 1, sourceOffset);
    }

    /** The record at {@code targetOffset} is the counterpart of source record {@code sourceOffset} (its copy or its original). */
    synchronized void counterpart(long sourceOffset, long targetOffset) {
        put(targetOffset, 1, sourceOffset);
    }

    /** The transaction holding the copies given since the last call committed: its marker follows them. */
    synchronized void endOfTransaction() {
        if (lastCopy >= 0) {
            ownMarker = lastCopy + 1;
            lastCopy = -1;
            tailMarkerSeen = false;
        }
    }

    /** A record read on the target with no known counterpart on the source. */
    synchronized void unknownOrigin(long targetOffset) {
        put(targetOffset, 1, UNKNOWN_ORIGIN);
    }

    /** Offsets read on the target that hold no record a read_committed consumer sees. */
    synchronized void noRecords(long from, long to) {
        if (to > from) {
            put(from, to - from, NO_RECORD);
        }
    }

    /**
     * After a restart: the target was read back from {@code windowStart} ({@code logStart} is the partition's
     * first offset). If the window does not reach the log start, the flow is taken to begin at the window (its
     * records of unknown origin count as unread) and older commits get the log start: re-read, never skip.
     */
    synchronized void window(long windowStart, long logStart) {
        floor = windowStart;
        segments.headMap(windowStart).clear();
        if (windowStart > logStart) {
            windowCut = true;
            flowStart = windowStart;
            oldest = logStart;
        } else if (flowStart < windowStart) {
            flowStart = segments.entrySet().stream().filter(entry -> entry.getValue()[1] >= 0)
                    .mapToLong(Map.Entry::getKey).findFirst().orElse(Long.MAX_VALUE);
        }
    }

    /**
     * Where a group that committed source offset {@code committed} resumes on the target (every source record
     * before it is processed by the replicator); empty while the flow has no known record.
     */
    synchronized OptionalLong translate(long committed) {
        if (flowStart == Long.MAX_VALUE) {
            return OptionalLong.empty();
        }
        long fallback = windowCut ? oldest : flowStart;
        long readEnd = -1;
        long expected = flowStart;
        if (floor > flowStart) {
            if (foldedMax >= committed) {
                for (int i = points - 1; i >= 0; i--) {
                    if (pointMax[i] < committed) {
                        return OptionalLong.of(pointEnd[i]);
                    }
                }
                return OptionalLong.of(fallback);
            }
            readEnd = foldedReadEnd;
            expected = floor;
        }
        for (Map.Entry<Long, long[]> entry : segments.tailMap(expected, true).entrySet()) {
            long start = entry.getKey();
            long length = entry.getValue()[0];
            long source = entry.getValue()[1];
            if (start > expected || source == UNKNOWN_ORIGIN) {
                break; // a hole or a record the group cannot have read
            }
            if (source >= 0) {
                if (source >= committed) {
                    break;
                }
                if (source + length > committed) {
                    readEnd = start + (committed - source);
                    break;
                }
                readEnd = start + length;
            } else if (readEnd == start) {
                // Markers and aborted records right after what the group read: a consumer there would skip them too,
                // and a group that read everything then stands at the end, with no lag (as the Kafka CLI computes it).
                readEnd = start + length;
            }
            expected = start + length;
        }
        return OptionalLong.of(readEnd >= 0 ? readEnd : fallback);
    }

    /**
     * The first offsets of the flow not known yet, as {from, to}; null if there are none. After the flow's last
     * copies, the offset of their transaction's marker, once the partition stayed idle since the previous call: until
     * it is known to hold no record, a group that read everything stands before it, with a lag of 1.
     */
    synchronized long[] hole() {
        if (flowStart == Long.MAX_VALUE) {
            return null;
        }
        long expected = Math.max(flowStart, floor);
        for (Map.Entry<Long, long[]> entry : segments.tailMap(expected, true).entrySet()) {
            if (entry.getKey() > expected) {
                return new long[] {expected, entry.getKey()};
            }
            expected = entry.getKey() + entry.getValue()[0];
        }
        if (ownMarker >= 0 && ownMarker == expected) {
            if (tailMarkerSeen) {
                return new long[] {ownMarker, ownMarker + 1};
            }
            tailMarkerSeen = true;
        }
        return null;
    }

    synchronized int segmentCount() {
        return segments.size();
    }

    /** Inserts a fact where nothing is known yet; a known counterpart replaces "unknown origin". */
    private void put(long start, long length, long source) {
        if (start < floor) {
            long cut = floor - start;
            if (cut >= length) {
                return;
            }
            start = floor;
            length -= cut;
            source = source >= 0 ? source + cut : source;
        }
        long end = start + length;
        Map.Entry<Long, long[]> last = segments.lastEntry();
        if (last == null || last.getKey() + last.getValue()[0] <= start) {
            insert(start, length, source); // the copy path: after everything known, nothing to split
        } else {
            putBetween(start, end, source);
        }
        if (source >= 0 && !windowCut && start < flowStart) {
            flowStart = start;
        }
        if (segments.size() > MAX_SEGMENTS) {
            fold(segments.size() - MAX_SEGMENTS / 2);
        }
    }

    private void putBetween(long start, long end, long source) {
        if (source >= 0) {
            for (Map.Entry<Long, long[]> entry : overlapping(start, end)) {
                if (entry.getValue()[1] == UNKNOWN_ORIGIN) {
                    long from = entry.getKey();
                    long to = from + entry.getValue()[0];
                    segments.remove(from);
                    if (from < start) {
                        segments.put(from, new long[] {start - from, UNKNOWN_ORIGIN});
                    }
                    if (to > end) {
                        segments.put(end, new long[] {to - end, UNKNOWN_ORIGIN});
                    }
                }
            }
        }
        long position = start;
        for (Map.Entry<Long, long[]> entry : overlapping(start, end)) {
            if (entry.getKey() > position) {
                insert(position, entry.getKey() - position, shifted(source, position - start));
            }
            position = Math.max(position, entry.getKey() + entry.getValue()[0]);
        }
        if (position < end) {
            insert(position, end - position, shifted(source, position - start));
        }
    }

    private static long shifted(long source, long by) {
        return source >= 0 ? source + by : source;
    }

    /** Copies of the segments overlapping [from, to) (TreeMap entries may change under removal). */
    private List<Map.Entry<Long, long[]>> overlapping(long from, long to) {
        Long first = segments.floorKey(from);
        List<Map.Entry<Long, long[]>> result = new ArrayList<>();
        for (Map.Entry<Long, long[]> entry : segments.subMap(first == null ? from : first, true, to, false).entrySet()) {
            if (entry.getKey() + entry.getValue()[0] > from) {
                result.add(Map.entry(entry.getKey(), entry.getValue()));
            }
        }
        return result;
    }

    /** Puts a segment into free space, merged with its neighbours when it continues them. */
    private void insert(long start, long length, long source) {
        Map.Entry<Long, long[]> before = segments.lowerEntry(start);
        if (before != null && continues(before.getKey(), before.getValue(), start, source)) {
            before.getValue()[0] += length;
            start = before.getKey();
        } else {
            segments.put(start, new long[] {length, source});
        }
        long[] merged = segments.get(start);
        Map.Entry<Long, long[]> after = segments.higherEntry(start);
        if (after != null && continues(start, merged, after.getKey(), after.getValue()[1])) {
            merged[0] += after.getValue()[0];
            segments.remove(after.getKey());
        }
    }

    private static boolean continues(long start, long[] segment, long next, long nextSource) {
        if (start + segment[0] != next) {
            return false;
        }
        return segment[1] < 0 ? segment[1] == nextSource : nextSource >= 0 && segment[1] + segment[0] == nextSource;
    }

    /** Folds the {@code count} oldest segments into the staircase points. */
    private void fold(int count) {
        long expected = Math.max(flowStart, floor);
        for (int i = 0; i < count; i++) {
            Map.Entry<Long, long[]> entry = segments.pollFirstEntry();
            long start = entry.getKey();
            long length = entry.getValue()[0];
            long source = entry.getValue()[1];
            floor = start + length;
            if (floor <= flowStart || foldedMax == BLOCKED) {
                continue; // before the flow, or after a record no group can have read
            }
            if (start > expected || source == UNKNOWN_ORIGIN) {
                foldedMax = BLOCKED;
                continue;
            }
            expected = floor;
            if (source >= 0) {
                foldedMax = Math.max(foldedMax, source + length - 1);
                foldedReadEnd = floor;
                addPoint(foldedMax, foldedReadEnd);
            }
        }
    }

    /**
     * Adds a point; when full, drops the one whose loss costs least relative to its age (the gap it leaves over
     * its distance from the newest), which leaves the points spaced about exponentially, as MirrorMaker 2's
     * OffsetSyncStore does: recent folded commits translate closely, old ones coarsely, all conservatively.
     */
    private void addPoint(long max, long end) {
        if (points > 0 && pointMax[points - 1] == max) {
            pointEnd[points - 1] = end;
            return;
        }
        if (points == MAX_POINTS) {
            int drop = 1;
            double cheapest = Double.MAX_VALUE;
            for (int i = 1; i < points - 1; i++) {
                double cost = (double) (pointMax[i + 1] - pointMax[i - 1]) / (max - pointMax[i]);
                if (cost < cheapest) {
                    cheapest = cost;
                    drop = i;
                }
            }
            System.arraycopy(pointMax, drop + 1, pointMax, drop, points - drop - 1);
            System.arraycopy(pointEnd, drop + 1, pointEnd, drop, points - drop - 1);
            points--;
        }
        pointMax[points] = max;
        pointEnd[points] = end;
        points++;
    }
}
