package com.mskfailover.replicator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;

/**
 * The container entry point: configuration from the environment, runs until SIGTERM (ECS stopping the
 * task) or SIGINT, then commits and exits 0 within {@code STOP_TIMEOUT_MS}. A bad or missing variable exits
 * 2 with one log line naming it, before any connection is made. A replicator that must stop by
 * itself (another task with the same name took over) exits 1 with the reason. Logs are JSON lines on stderr
 * (log4j2.xml), each with the replicator's name and the ECS task's id.
 */
public final class Main {

    static final int EXIT_BAD_CONFIGURATION = 2;
    static final int EXIT_FAILED = 1;

    private Main() {}

    public static void main(String[] args) {
        // Read by log4j2.xml when the first logger is made: before that.
        System.setProperty(TaskMetadata.TASK_ID_PROPERTY, TaskMetadata.taskId(System.getenv()));
        Logger log = LoggerFactory.getLogger(Main.class);
        ReplicatorConfig config;
        try {
            config = ReplicatorConfig.fromEnvironment(System.getenv());
        } catch (InvalidConfigurationException e) {
            log.error("{}", e.getMessage());
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
            log.error("{}", e.getMessage());
            System.exit(EXIT_BAD_CONFIGURATION);
            return;
        } catch (RuntimeException e) {
            log.error("{}", e.getMessage(), e);
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
            log.error("{}", failure.getMessage());
            System.exit(EXIT_FAILED);
        }
        log.info("stopped after copying {} records", replicator.recordsCopied());
        System.exit(0);
    }
}
