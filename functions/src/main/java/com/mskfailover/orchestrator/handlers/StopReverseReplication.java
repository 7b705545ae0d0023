package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;

/** State StopReverseReplication: SIGTERM to replicator-task (it flushes and exits) once consumers are on the primary. */
public final class StopReverseReplication extends JsonHandler<Inputs.ReplicationOnly, ReplicatorTasks.TaskState> {

    private final ReplicatorTasks tasks;

    public StopReverseReplication() {
        this(AwsPorts.shared().replicatorTasks());
    }

    public StopReverseReplication(ReplicatorTasks tasks) {
        super(Inputs.ReplicationOnly.class);
        this.tasks = tasks;
    }

    @Override
    protected ReplicatorTasks.TaskState handle(Inputs.ReplicationOnly input) {
        String taskId = required(required(input.replication(), "replication").taskId(), "replication.taskId");
        tasks.stop(taskId, "failback done: consumers moved to the primary");
        return tasks.state(taskId);
    }
}
