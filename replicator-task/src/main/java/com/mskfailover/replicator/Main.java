package com.mskfailover.replicator;

import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;

/**
 * The container entry point: configuration from the environment, runs until SIGTERM (ECS stopping the
 * task) or SIGINT, then commits and exits 0 within {@code STOP_TIMEOUT_MS}. A bad or missing variable exits
 * 2 with one line on stderr naming it, before any connection is made. A replicator that must stop by
 * itself (another task with the same name took over) exits 1 with the reason.
 */
public final class Main {

    static final int EXIT_BAD_CONFIGURATION = 2;
    static final int EXIT_FAILED = 1;

    private Main() {}

    public static void main(String[] args) {
        ReplicatorConfig config;
        try {
            config = ReplicatorConfig.fromEnvironment(System.getenv());
        } catch (InvalidConfigurationException e) {
            System.err.println("replicator-task: " + e.getMessage());
            System.exit(EXIT_BAD_CONFIGURATION);
            return;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        // Handling the signals ourselves (rather than a shutdown hook) lets the exit status be 0, not 143.
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        Replicator replicator;
        try {
            replicator = Replicator.start(config);
        } catch (InvalidConfigurationException e) {
            System.err.println("replicator-task: " + e.getMessage());
            System.exit(EXIT_BAD_CONFIGURATION);
            return;
        } catch (RuntimeException e) {
            System.err.println("replicator-task: " + e.getMessage());
            System.exit(EXIT_FAILED);
            return;
        }
        replicator.failure().thenAccept(reason -> stopRequested.countDown());
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RuntimeException failure = replicator.failure().getNow(null);
        // The stop is bounded whatever the clusters do: past the stop timeout the process exits anyway,
        // which loses nothing (an open transaction is aborted by the next writer).
        Thread closing = new Thread(replicator::close, "close");
        closing.setDaemon(true);
        closing.start();
        try {
            closing.join(config.stopTimeout().toMillis() + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            System.err.println("replicator-task: " + failure.getMessage());
            System.exit(EXIT_FAILED);
        }
        System.err.println("replicator-task: stopped after copying " + replicator.recordsCopied() + " records");
        System.exit(0);
    }
}
