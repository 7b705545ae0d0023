package com.mskfailover.orchestrator.local;

import com.mskfailover.orchestrator.domain.Executions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Local {@link Executions}: remembers the failover executions DetectImpairment asked to start (name -> input) and
 * refuses a name it has seen, as Step Functions does. The drill then runs the started input through
 * LocalStateMachineRunner, and marks it running meanwhile with {@link #setRunning}.
 */
public final class RecordingExecutions implements Executions {

    private final Map<String, String> started = new LinkedHashMap<>();
    private final List<String> running = new ArrayList<>();

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
}
