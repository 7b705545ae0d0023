package com.mskfailover.replicator;

/** A failure after which the replicator must stop rather than retry: the process exits non-zero with its message. */
final class FatalReplicationException extends RuntimeException {
    FatalReplicationException(String message, Throwable cause) {
        super(message, cause);
    }
}
