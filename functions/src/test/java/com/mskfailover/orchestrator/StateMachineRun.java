package com.mskfailover.orchestrator;

import com.mskfailover.local.stepfunctions.ExecutionResult;
import com.mskfailover.local.stepfunctions.LocalLambdaEndpoint;
import com.mskfailover.local.stepfunctions.LocalStateMachineRunner;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.local.LocalWiring;

import java.nio.file.Path;

/** Runs a real statemachines/*.asl.json with the Java handlers behind the local Lambda endpoint, waits and retries at zero. */
public final class StateMachineRun {

    private StateMachineRun() {
    }

    public static Path projectRoot() {
        return Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    }

    public static Path definition(String name) {
        return projectRoot().resolve("statemachines").resolve(name + ".asl.json");
    }

    public static Path event(String name) {
        return projectRoot().resolve("events").resolve(name);
    }

    /** The result, and the endpoint's record of invocations (closed already). */
    public record Outcome(ExecutionResult result, LocalLambdaEndpoint endpoint) {
    }

    public static Outcome run(String machine, Ports ports, String inputJson) {
        return run(machine, ports, inputJson, null);
    }

    /** @param executionName {@code $$.Execution.Name}; null: a UUID, as StartExecution names one */
    public static Outcome run(String machine, Ports ports, String inputJson, String executionName) {
        LocalWiring wiring = LocalWiring.of(projectRoot());
        try (LocalLambdaEndpoint endpoint = new LocalLambdaEndpoint(wiring.handlers(ports))) {
            ExecutionResult result = new LocalStateMachineRunner(endpoint.endpoint()).fast().executionName(executionName)
                    .run(definition(machine), wiring.definitionSubstitutions(), inputJson);
            System.out.println(machine + ":\n" + result.timelineTable());
            return new Outcome(result, endpoint);
        }
    }
}
