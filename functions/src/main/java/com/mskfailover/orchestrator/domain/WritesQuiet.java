package com.mskfailover.orchestrator.domain;

import java.util.Map;

/**
 * The one "quiet" decision of both moves: the clients have left a cluster once the positions of the writes that
 * count there are the same at two checks in a row (whatever their restarts and the aliases' TTL took). On the primary
 * of a planned failover every record counts (its log ends); on the secondary of a failback only what applications
 * produced counts, never the forward flow's copies ({@link SecondaryQuietGate}).
 *
 * @param positions  per partition ({@code topic-partition}), the position after the last write that counts; null before the first look
 * @param checkedAt  when they were read
 * @param quietSince since when no write counted, null while writes still arrive
 */
public record WritesQuiet(Map<String, Long> positions, String checkedAt, String quietSince) {

    /** The look after this one: quiet since the previous look if nothing moved, else not quiet. */
    public WritesQuiet next(Map<String, Long> now, java.time.Instant at) {
        boolean unchanged = positions != null && positions.equals(now);
        return new WritesQuiet(now, at.toString(), unchanged ? (quietSince != null ? quietSince : checkedAt) : null);
    }

    public boolean quiet() {
        return quietSince != null;
    }

    /** How many writes arrived since the previous look, or -1 at the first one. */
    public long writesSince(WritesQuiet previous) {
        if (previous.positions == null) {
            return -1;
        }
        return positions.entrySet().stream()
                .mapToLong(end -> Math.max(0, end.getValue() - previous.positions.getOrDefault(end.getKey(), 0L))).sum();
    }
}
