package com.mskfailover.orchestrator.domain;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Port: where replicator-task runs (ECS Fargate in AWS, a local process in the drill). */
public interface ReplicatorTasks {

    /** A task of this replicator name that is starting or running, if any: a re-run reuses it. */
    Optional<String> findActive(String replicatorName);

    /** Tasks of this replicator name that have stopped lately (ECS lists them for about an hour). */
    List<String> recentlyStopped(String replicatorName);

    /**
     * Starts replicator-task with this environment (the DESIGN.md contract); returns the task's id (ARN). Starts
     * with the same {@code clientToken} start one task: a repeated or concurrent start returns the same task
     * (ECS RunTask's clientToken; up to 64 characters of ASCII 33-126).
     */
    String start(String replicatorName, Map<String, String> environment, String clientToken);

    TaskState state(String taskId);

    /** Asks the task to stop (SIGTERM: it flushes and exits 0). */
    void stop(String taskId, String reason);

    /** @param status PENDING, RUNNING or STOPPED (the ECS last status, simplified) */
    record TaskState(String status, String detail) {
        public boolean stopped() {
            return "STOPPED".equals(status);
        }
    }
}
