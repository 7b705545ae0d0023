package com.mskfailover.orchestrator.domain;

import java.util.List;
import java.util.Map;

/** Port: where replicator-task runs (ECS Fargate in AWS, a local process in the drill). */
public interface ReplicatorTasks {

    /** The tasks of this replicator name that are starting or running: a re-run keeps them. */
    List<String> findActive(String replicatorName);

    /** Tasks of this replicator name that have stopped lately (ECS lists them for about an hour). */
    List<String> recentlyStopped(String replicatorName);

    /**
     * Starts {@code count} replicator-tasks (1-10) with this environment; returns their ids (ARNs). Starts with the
     * same {@code clientToken} start them once: a repeated or concurrent start returns the same tasks (ECS RunTask's
     * clientToken; up to 64 characters of ASCII 33-126).
     */
    List<String> start(String replicatorName, Map<String, String> environment, String clientToken, int count);

    TaskState state(String taskId);

    /** Asks the task to stop (SIGTERM: it flushes and exits 0). */
    void stop(String taskId, String reason);

    /**
     * What a start would need and lacks now (where tasks run, the task definition and its image), each with its fix;
     * empty when a start could run. The preflight asks it; nothing is started.
     */
    List<String> startPrerequisitesMissing();

    /** @param status PENDING, RUNNING or STOPPED (the ECS last status, simplified) */
    record TaskState(String status, String detail) {
        public boolean stopped() {
            return "STOPPED".equals(status);
        }
    }
}
