package com.mskfailover.orchestrator.domain;

/** An AWS or Kafka call was refused in a way retrying will not fix (access denied, invalid change, missing resource). */
public final class DependencyFailedException extends OrchestratorException {
    public DependencyFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    public DependencyFailedException(String message) {
        super(message);
    }
}
