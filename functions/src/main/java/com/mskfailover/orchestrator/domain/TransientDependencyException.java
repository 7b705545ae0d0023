package com.mskfailover.orchestrator.domain;

/** An AWS or Kafka call failed in a way that may pass on its own (throttling, 5xx, timeout): the state machine retries. */
public final class TransientDependencyException extends OrchestratorException {
    public TransientDependencyException(String message, Throwable cause) {
        super(message, cause);
    }
}
