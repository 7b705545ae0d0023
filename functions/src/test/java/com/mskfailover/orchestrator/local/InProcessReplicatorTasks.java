package com.mskfailover.orchestrator.local;

import com.mskfailover.orchestrator.domain.DependencyFailedException;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import com.mskfailover.replicator.Replicator;
import com.mskfailover.replicator.ReplicatorConfig;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local {@link ReplicatorTasks} running the real replicator-task in this JVM ({@link Replicator#start}, what its
 * container's Main runs), for tests that need both flows at once without building its jar. Stop closes it as SIGTERM
 * makes Main do (it commits, then returns); a task whose replicator failed is STOPPED with the reason.
 */
public final class InProcessReplicatorTasks implements ReplicatorTasks {

    private record Task(String replicatorName, Replicator replicator, boolean[] closed) {
    }

    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final Map<String, List<String>> tasksByClientToken = new ConcurrentHashMap<>();

    @Override
    public List<String> findActive(String replicatorName) {
        return tasks.entrySet().stream().filter(task -> task.getValue().replicatorName().equals(replicatorName) && running(task.getValue()))
                .map(Map.Entry::getKey).sorted().toList();
    }

    @Override
    public List<String> recentlyStopped(String replicatorName) {
        return tasks.entrySet().stream().filter(task -> task.getValue().replicatorName().equals(replicatorName) && !running(task.getValue()))
                .map(Map.Entry::getKey).sorted().toList();
    }

    @Override
    public synchronized List<String> start(String replicatorName, Map<String, String> environment, String clientToken, int count) {
        return tasksByClientToken.computeIfAbsent(clientToken, token ->
                java.util.stream.IntStream.range(0, count).mapToObj(i -> start(replicatorName, environment)).toList());
    }

    /** Starts a task without a client token (a forward flow, started by hand). */
    public String start(String replicatorName, Map<String, String> environment) {
        Replicator replicator;
        try {
            replicator = Replicator.start(ReplicatorConfig.fromEnvironment(environment), new PrintStream(OutputStream.nullOutputStream()));
        } catch (RuntimeException e) {
            throw new DependencyFailedException("replicator-task " + replicatorName + " did not start: " + e.getMessage(), e);
        }
        String taskId = "in-process-task/" + replicatorName + "/" + (tasks.size() + 1);
        tasks.put(taskId, new Task(replicatorName, replicator, new boolean[1]));
        return taskId;
    }

    @Override
    public TaskState state(String taskId) {
        Task task = tasks.get(taskId);
        RuntimeException failure = task.replicator().failure().getNow(null);
        if (failure != null) {
            return new TaskState("STOPPED", "failed: " + failure.getMessage());
        }
        return running(task) ? new TaskState("RUNNING", task.replicator().recordsCopied() + " records copied")
                : new TaskState("STOPPED", "closed after copying " + task.replicator().recordsCopied() + " records");
    }

    /** Runs in this JVM: nothing to deploy first. */
    @Override
    public List<String> startPrerequisitesMissing() {
        return List.of();
    }

    @Override
    public void stop(String taskId, String reason) {
        Task task = tasks.get(taskId);
        synchronized (task) {
            if (!task.closed()[0]) {
                task.replicator().close();
                task.closed()[0] = true;
            }
        }
    }

    /** Stops every task still running, e.g. when a test ends. */
    public void stopAll() {
        tasks.keySet().forEach(taskId -> stop(taskId, "test ends"));
    }

    private static boolean running(Task task) {
        synchronized (task) {
            return !task.closed()[0] && !task.replicator().failure().isDone();
        }
    }
}
