package com.mskfailover.replicator;

/** A bad or missing environment variable; the message is one line that names it and says how to fix it. */
public final class InvalidConfigurationException extends RuntimeException {
    public InvalidConfigurationException(String message) {
        super(message);
    }
}
