package com.mskfailover.orchestrator.domain;

/**
 * How long each polling loop may run before the execution fails and notifies; operators set them per execution.
 * Each is bounded (the template's parameter MaxValues are these): a Standard execution fails, with no Catch to
 * notify anyone, at 25,000 history events, and the longest failback these bounds allow stays far below that
 * (ExecutionHistoryBudgetTest counts it). A catch-up that needs longer is resumed by starting the failback again.
 */
public record Timeouts(int aliasSyncSeconds, int replicationCatchUpSeconds, int consumerDrainSeconds, int forwardReplicationSeconds) {

    public static final int MAX_ALIAS_SYNC_SECONDS = 900;
    public static final int MAX_REPLICATION_CATCH_UP_SECONDS = 4 * 3600;
    public static final int MAX_CONSUMER_DRAIN_SECONDS = 2 * 3600;
    public static final int MAX_FORWARD_REPLICATION_SECONDS = 3600;

    /** The longest of every loop: the longest execution an input may ask for. */
    public static Timeouts longestAllowed() {
        return new Timeouts(MAX_ALIAS_SYNC_SECONDS, MAX_REPLICATION_CATCH_UP_SECONDS, MAX_CONSUMER_DRAIN_SECONDS, MAX_FORWARD_REPLICATION_SECONDS);
    }
}
