package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.Executions;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** The failover and failback executions in Step Functions. */
public final class StepFunctionsExecutions implements Executions {

    private final SfnClient sfn;
    private final Supplier<String> failoverStateMachineArn;
    private final Supplier<String> failbackStateMachineArn;

    public StepFunctionsExecutions(SfnClient sfn, Supplier<String> failoverStateMachineArn, Supplier<String> failbackStateMachineArn) {
        this.sfn = sfn;
        this.failoverStateMachineArn = failoverStateMachineArn;
        this.failbackStateMachineArn = failbackStateMachineArn;
    }

    @Override
    public List<String> running() {
        return Stream.of(failoverStateMachineArn.get(), failbackStateMachineArn.get())
                .flatMap(arn -> AwsErrors.call("listing running executions of " + arn, () -> sfn.listExecutions(request -> request
                        .stateMachineArn(arn).statusFilter(ExecutionStatus.RUNNING).maxResults(10))).executions().stream())
                .map(ExecutionListItem::name)
                .toList();
    }

    @Override
    public boolean startFailover(String executionName, String inputJson) {
        try {
            AwsErrors.call("starting execution " + executionName, () -> sfn.startExecution(request -> request
                    .stateMachineArn(failoverStateMachineArn.get()).name(executionName).input(inputJson)));
            return true;
        } catch (RuntimeException e) {
            if (e.getCause() instanceof ExecutionAlreadyExistsException) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public Optional<String> status(String executionArn) {
        try {
            return Optional.of(AwsErrors.call("describing execution " + executionArn,
                    () -> sfn.describeExecution(request -> request.executionArn(executionArn))).statusAsString());
        } catch (RuntimeException e) {
            if (e.getCause() instanceof ExecutionDoesNotExistException) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
