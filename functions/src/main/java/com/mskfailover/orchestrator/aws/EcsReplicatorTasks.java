package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.DependencyFailedException;
import com.mskfailover.orchestrator.domain.ReplicatorTasks;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Task;

import java.util.List;
import java.util.Map;

/** replicator-task on ECS Fargate: RunTask with the environment as container overrides, tagged by startedBy = REPLICATOR_NAME. */
public final class EcsReplicatorTasks implements ReplicatorTasks {

    private final EcsClient ecs;
    private final String cluster;
    private final String taskDefinition;
    private final String containerName;
    private final List<String> subnets;
    private final List<String> securityGroups;

    public EcsReplicatorTasks(EcsClient ecs, String cluster, String taskDefinition, String containerName,
                              List<String> subnets, List<String> securityGroups) {
        this.ecs = ecs;
        this.cluster = cluster;
        this.taskDefinition = taskDefinition;
        this.containerName = containerName;
        this.subnets = List.copyOf(subnets);
        this.securityGroups = List.copyOf(securityGroups);
    }

    @Override
    public List<String> findActive(String replicatorName) {
        return AwsErrors.call("listing tasks started by " + replicatorName, () -> ecs.listTasks(request -> request
                .cluster(cluster).startedBy(replicatorName).desiredStatus(DesiredStatus.RUNNING))).taskArns();
    }

    @Override
    public List<String> recentlyStopped(String replicatorName) {
        return AwsErrors.call("listing stopped tasks started by " + replicatorName, () -> ecs.listTasks(request -> request
                .cluster(cluster).startedBy(replicatorName).desiredStatus(DesiredStatus.STOPPED))).taskArns();
    }

    @Override
    public List<String> start(String replicatorName, Map<String, String> environment, String clientToken, int count) {
        List<KeyValuePair> variables = environment.entrySet().stream()
                .map(entry -> KeyValuePair.builder().name(entry.getKey()).value(entry.getValue()).build())
                .toList();
        RunTaskResponse response = AwsErrors.call("running replicator-task " + replicatorName, () -> ecs.runTask(request -> request
                .cluster(cluster)
                .taskDefinition(taskDefinition)
                .launchType(LaunchType.FARGATE)
                .count(count)
                .clientToken(clientToken)
                .startedBy(replicatorName)
                .networkConfiguration(network -> network.awsvpcConfiguration(vpc -> vpc
                        .subnets(subnets).securityGroups(securityGroups).assignPublicIp(AssignPublicIp.DISABLED)))
                .overrides(overrides -> overrides.containerOverrides(container -> container
                        .name(containerName).environment(variables)))));
        if (!response.failures().isEmpty() || response.tasks().size() != count) {
            // Tasks that did start stay listed under startedBy: a re-run keeps them and starts only the missing ones.
            throw new DependencyFailedException("RunTask of " + count + " replicator-task(s) " + replicatorName + " started "
                    + response.tasks().size() + ": " + response.failures());
        }
        return response.tasks().stream().map(Task::taskArn).toList();
    }

    @Override
    public TaskState state(String taskId) {
        var response = AwsErrors.call("describing task " + taskId, () -> ecs.describeTasks(request -> request.cluster(cluster).tasks(taskId)));
        if (response.tasks().isEmpty()) {
            return new TaskState("STOPPED", "ECS knows no task " + taskId + ": " + response.failures());
        }
        Task task = response.tasks().getFirst();
        String last = task.lastStatus();
        return switch (last) {
            case "RUNNING" -> new TaskState("RUNNING", "ECS task " + taskId + " RUNNING");
            case "PROVISIONING", "PENDING", "ACTIVATING" -> new TaskState("PENDING", "ECS task " + taskId + " " + last);
            default -> new TaskState("STOPPED", "ECS task " + taskId + " " + last + ": " + task.stoppedReason()
                    + task.containers().stream().map(c -> " container " + c.name() + " exit " + c.exitCode()).toList());
        };
    }

    @Override
    public void stop(String taskId, String reason) {
        AwsErrors.call("stopping task " + taskId, () -> ecs.stopTask(request -> request.cluster(cluster).task(taskId).reason(reason)));
    }

    @Override
    public List<String> startPrerequisitesMissing() {
        List<String> missing = new java.util.ArrayList<>();
        var clusters = AwsErrors.call("describing ECS cluster " + cluster, () -> ecs.describeClusters(request -> request.clusters(cluster)));
        if (clusters.clusters().stream().noneMatch(found -> "ACTIVE".equals(found.status()))) {
            missing.add("ECS cluster " + cluster + " is not ACTIVE (" + clusters.clusters().stream().map(found -> found.status()).toList()
                    + clusters.failures().stream().map(failure -> failure.reason()).toList() + "): deploy the stack again");
        }
        try {
            var definition = ecs.describeTaskDefinition(request -> request.taskDefinition(taskDefinition)).taskDefinition();
            if (!"ACTIVE".equals(definition.statusAsString())) {
                missing.add("task definition " + taskDefinition + " is " + definition.statusAsString() + ": deploy the stack again");
            }
            if (definition.containerDefinitions().stream().noneMatch(container -> container.name().equals(containerName))) {
                missing.add("task definition " + taskDefinition + " has no container " + containerName);
            }
        } catch (software.amazon.awssdk.services.ecs.model.ClientException e) {
            missing.add("task definition " + taskDefinition + " cannot be described (" + e.awsErrorDetails().errorMessage()
                    + "): deploy the stack again");
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw AwsErrors.translate("describing task definition " + taskDefinition, e);
        }
        return missing;
    }
}
