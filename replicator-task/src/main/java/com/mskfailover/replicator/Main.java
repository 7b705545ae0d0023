package com.mskfailover.replicator;

import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;

/**
 * The container entry point: configuration from the environment, runs until SIGTERM (ECS stopping the
 * task) or SIGINT, then flushes, commits and exits 0. A bad or missing variable exits 2 with one line on
 * stderr naming it, before any connection is made.
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
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        replicator.close();
        System.err.println("replicator-task: stopped after copying " + replicator.recordsCopied() + " records");
        System.exit(0);
    }
}
