package com.mskfailover.orchestrator.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drill's "Fargate task": a child process with the container's environment, stopped with SIGTERM. */
class LocalProcessReplicatorTasksTest {

    @TempDir
    Path dir;

    @Test
    void runsWithTheEnvironmentAndStopsOnSigterm() throws IOException {
        Path marker = dir.resolve("started");
        // Stands in for replicator-task: answers SIGTERM with exit 0 (the trap is set before it reports being up),
        // writes what it was given, then runs until stopped.
        LocalProcessReplicatorTasks tasks = new LocalProcessReplicatorTasks(List.of("bash", "-c",
                "trap 'exit 0' TERM; echo \"$REPLICATOR_NAME $STARTING_POSITION\" > " + marker + ".tmp && mv " + marker + ".tmp " + marker + "; while true; do sleep 0.05; done"), dir.resolve("logs"));

        Map<String, String> environment = Map.of("REPLICATOR_NAME", "failback-replicator", "STARTING_POSITION", "earliest");
        String taskId = tasks.start("failback-replicator", environment, "token-1", 1).getFirst();
        assertEquals(List.of(taskId), tasks.start("failback-replicator", environment, "token-1", 1), "same client token, same task (as RunTask)");
        assertEquals(List.of(taskId), tasks.startedTasks("failback-replicator"));

        assertEquals("RUNNING", tasks.state(taskId).status());
        assertEquals(List.of(taskId), tasks.findActive("failback-replicator"));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(marker) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals("failback-replicator earliest", Files.readString(marker).strip());

        tasks.stop(taskId, "done");

        assertEquals("STOPPED", tasks.state(taskId).status());
        assertTrue(tasks.state(taskId).detail().contains("exit code 0"), tasks.state(taskId).detail());
        assertTrue(tasks.findActive("failback-replicator").isEmpty());
        assertEquals(List.of(taskId), tasks.recentlyStopped("failback-replicator"));
    }
}
