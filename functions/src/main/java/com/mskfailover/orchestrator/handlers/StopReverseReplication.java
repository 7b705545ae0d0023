package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;

import java.util.List;

/** State StopReverseReplication: SIGTERM to replicator-task (it flushes and exits) once consumers are on the primary. */
public final class StopReverseReplication extends JsonHandler<Inputs.ReplicationOnly, List<ReplicatorTasks.TaskState>> {

    private final ReplicatorTasks tasks;

    public StopReverseReplication() {
        this(AwsPorts.shared().replicatorTasks());
    }

    public StopReverseReplication(ReplicatorTasks tasks) {
        super(Inputs.ReplicationOnly.class);
        this.tasks = tasks;
    }

    @Override
    protected List<ReplicatorTasks.TaskState> handle(Inputs.ReplicationOnly input) {
        List<String> taskIds = required(required(input.replication(), "replication").taskIds(), "replication.taskIds");
        taskIds.forEach(taskId -> tasks.stop(taskId, "failback done: consumers moved to the primary"));
        return taskIds.stream().map(tasks::state).toList();
    }
}
