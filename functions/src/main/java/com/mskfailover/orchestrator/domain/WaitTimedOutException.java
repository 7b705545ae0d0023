package com.mskfailover.orchestrator.domain;

/** A polling loop reached the deadline the operator set without seeing what it waited for. */
public final class WaitTimedOutException extends OrchestratorException {
    public WaitTimedOutException(String message) {
        super(message);
    }
}
