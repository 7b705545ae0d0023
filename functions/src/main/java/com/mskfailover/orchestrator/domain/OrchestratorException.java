package com.mskfailover.orchestrator.domain;

/**
 * Base of the failures a state reports on purpose. Lambda reports the class name as the error type, so each
 * subclass's fully qualified name is what the state machines' Retry and Catch match.
 */
public abstract class OrchestratorException extends RuntimeException {
    protected OrchestratorException(String message) {
        super(message);
    }

    protected OrchestratorException(String message, Throwable cause) {
        super(message, cause);
    }
}
