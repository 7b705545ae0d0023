package com.mskfailover.local.wait;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting for a condition on real clusters: checked every 100 ms until it holds or a deadline passes (never a fixed wait). */
public final class Polling {

    private Polling() {
    }

    /** Checks {@code condition} until it holds; past {@code timeout} fails naming {@code what} was awaited. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }
}
