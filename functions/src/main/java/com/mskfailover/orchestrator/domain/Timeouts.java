package com.mskfailover.orchestrator.domain;

/** How long each polling loop may run before the execution fails and notifies; operators set them per execution. */
public record Timeouts(int aliasSyncSeconds, int replicationCatchUpSeconds, int consumerDrainSeconds, int forwardReplicationSeconds) {
}
