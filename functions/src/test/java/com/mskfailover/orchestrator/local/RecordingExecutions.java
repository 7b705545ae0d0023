package com.mskfailover.orchestrator.local;

import com.mskfailover.orchestrator.domain.Executions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Local {@link Executions}: remembers the failover executions DetectImpairment asked to start (name -> input) and
 * refuses a name it has seen, as Step Functions does. The drill then runs the started input through
 * LocalStateMachineRunner, and marks it running meanwhile with {@link #setRunning}. The status of an execution is
 * RUNNING while its name is marked running, else what {@link #setStatus} last said, else unknown (no such execution).
 */
public final class RecordingExecutions implements Executions {

    private final Map<String, String> started = new LinkedHashMap<>();
    private final List<String> running = new ArrayList<>();
    private final Map<String, String> statuses = new LinkedHashMap<>();

    @Override
    public synchronized List<String> running() {
        return List.copyOf(running);
    }

    @Override
    public synchronized boolean startFailover(String executionName, String inputJson) {
        if (started.containsKey(executionName)) {
            return false;
        }
        started.put(executionName, inputJson);
        return true;
    }

    /** Execution name -> input, in the order started. */
    public synchronized Map<String, String> started() {
        return new LinkedHashMap<>(started);
    }

    public synchronized void setRunning(String executionName, boolean isRunning) {
        running.remove(executionName);
        if (isRunning) {
            running.add(executionName);
        }
    }

    @Override
    public synchronized Optional<String> status(String executionArn) {
        if (running.contains(executionArn.substring(executionArn.lastIndexOf(':') + 1))) {
            return Optional.of("RUNNING");
        }
        return Optional.ofNullable(statuses.get(executionArn));
    }

    /** What Step Functions answers for this execution once it is not marked running (SUCCEEDED, ABORTED, ...). */
    public synchronized void setStatus(String executionArn, String status) {
        statuses.put(executionArn, status);
    }
}
