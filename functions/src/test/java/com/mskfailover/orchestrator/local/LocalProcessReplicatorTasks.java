package com.mskfailover.orchestrator.local;

import com.mskfailover.orchestrator.domain.DependencyFailedException;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Local {@link ReplicatorTasks}: runs replicator-task as a child process with the same environment ECS would
 * give the container, e.g. {@code new LocalProcessReplicatorTasks(List.of(java, "-jar", "replicator-task/target/replicator-task.jar"), logDir)}.
 * Stop sends SIGTERM (as ECS does) and waits for the exit. A start with a client token it has seen returns that
 * token's task, running or not, as ECS RunTask does.
 */
public final class LocalProcessReplicatorTasks implements ReplicatorTasks {

    private static final long STOP_TIMEOUT_SECONDS = 30;

    private record Task(String replicatorName, Process process, Path log) {
    }

    private final List<String> command;
    private final Path logDir;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final Map<String, List<String>> tasksByClientToken = new ConcurrentHashMap<>();

    public LocalProcessReplicatorTasks(List<String> command, Path logDir) {
        this.command = List.copyOf(command);
        this.logDir = logDir;
    }

    /** The local image: the jar the command runs must be built (mvn -pl replicator-task -am package). */
    @Override
    public List<String> startPrerequisitesMissing() {
        int jar = command.indexOf("-jar") + 1;
        if (jar > 0 && jar < command.size() && !Files.exists(Path.of(command.get(jar)))) {
            return List.of("the replicator-task image is missing: " + command.get(jar) + " (build it: mvn -pl replicator-task -am package -DskipTests)");
        }
        return List.of();
    }

    @Override
    public List<String> findActive(String replicatorName) {
        return tasks.entrySet().stream()
                .filter(entry -> entry.getValue().replicatorName().equals(replicatorName) && entry.getValue().process().isAlive())
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    @Override
    public List<String> recentlyStopped(String replicatorName) {
        return tasks.entrySet().stream()
                .filter(entry -> entry.getValue().replicatorName().equals(replicatorName) && !entry.getValue().process().isAlive())
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    /** Every task started under this replicator name, running or not (a drill counts the reverse flows with it). */
    public List<String> startedTasks(String replicatorName) {
        return tasks.entrySet().stream()
                .filter(entry -> entry.getValue().replicatorName().equals(replicatorName))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    @Override
    public synchronized List<String> start(String replicatorName, Map<String, String> environment, String clientToken, int count) {
        List<String> earlier = tasksByClientToken.get(clientToken);
        if (earlier != null) {
            return earlier;
        }
        List<String> started = java.util.stream.IntStream.range(0, count).mapToObj(i -> start(replicatorName, environment)).toList();
        tasksByClientToken.put(clientToken, started);
        return started;
    }

    /** Starts a task without a client token (the drill's forward flow, started by hand). */
    public String start(String replicatorName, Map<String, String> environment) {
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(replicatorName + "-" + System.nanoTime() + ".log");
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

    /** Ends the task with SIGKILL, like a Fargate task lost with its host: no flush, no commit. */
    public void kill(String taskId) {
        Process process = task(taskId).process();
        process.destroyForcibly();
        try {
            process.waitFor();
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
