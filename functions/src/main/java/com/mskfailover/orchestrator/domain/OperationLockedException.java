package com.mskfailover.orchestrator.domain;

/**
 * Another failover or failback runs and holds the operation lock: this execution changed nothing. The message names
 * the running execution and what to do.
 */
public final class OperationLockedException extends OrchestratorException {
    public OperationLockedException(String message) {
        super(message);
    }
}
