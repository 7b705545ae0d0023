package com.mskfailover.orchestrator.local;

import com.mskfailover.orchestrator.domain.DependencyFailedException;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Local {@link ReplicatorTasks}: runs replicator-task as a child process with the same environment ECS would
 * give the container, e.g. {@code new LocalProcessReplicatorTasks(List.of(java, "-jar", "replicator-task/target/replicator-task.jar"), logDir)}.
 * Stop sends SIGTERM (as ECS does) and waits for the exit.
 */
public final class LocalProcessReplicatorTasks implements ReplicatorTasks {

    private static final long STOP_TIMEOUT_SECONDS = 30;

    private record Task(String replicatorName, Process process, Path log) {
    }

    private final List<String> command;
    private final Path logDir;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();

    public LocalProcessReplicatorTasks(List<String> command, Path logDir) {
        this.command = List.copyOf(command);
        this.logDir = logDir;
    }

    @Override
    public Optional<String> findActive(String replicatorName) {
        return tasks.entrySet().stream()
                .filter(entry -> entry.getValue().replicatorName().equals(replicatorName) && entry.getValue().process().isAlive())
                .map(Map.Entry::getKey)
                .findFirst();
    }

    @Override
    public String start(String replicatorName, Map<String, String> environment) {
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(replicatorName + "-" + System.currentTimeMillis() + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            String taskId = "local-task/" + replicatorName + "/" + process.pid();
            tasks.put(taskId, new Task(replicatorName, process, log));
            return taskId;
        } catch (IOException e) {
            throw new DependencyFailedException("could not start " + command + ": " + e.getMessage(), e);
        }
    }

    @Override
    public TaskState state(String taskId) {
        Task task = task(taskId);
        return task.process().isAlive()
                ? new TaskState("RUNNING", "pid " + task.process().pid() + ", log " + task.log())
                : new TaskState("STOPPED", "exit code " + task.process().exitValue() + ", log " + task.log());
    }

    @Override
    public void stop(String taskId, String reason) {
        Process process = task(taskId).process();
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Where the task's output (its log lines and EMF metrics) goes. */
    public Path logOf(String taskId) {
        return task(taskId).log();
    }

    /** Stops every task still running (SIGTERM, then waits), e.g. when a local run ends. */
    public void stopAll() {
        tasks.forEach((taskId, task) -> {
            if (task.process().isAlive()) {
                stop(taskId, "local run ends");
            }
        });
    }

    private Task task(String taskId) {
        Task task = tasks.get(taskId);
        if (task == null) {
            throw new DependencyFailedException("no task " + taskId);
        }
        return task;
    }
}
