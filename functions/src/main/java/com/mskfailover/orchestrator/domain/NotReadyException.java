package com.mskfailover.orchestrator.domain;

/** A precondition of a move does not hold (secondary not ready, primary not healthy); nothing was changed. */
public final class NotReadyException extends OrchestratorException {
    public NotReadyException(String message) {
        super(message);
    }
}
