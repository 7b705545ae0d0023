package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.OperationLocking;
import com.mskfailover.orchestrator.domain.Ports;

/**
 * State AcquireOperationLock, first after the input's validation in both state machines: takes the operation lock for
 * this execution, or fails with OperationLockedException naming the running execution that holds it.
 */
public final class AcquireOperationLock extends JsonHandler<Inputs.LockRequest, OperationLocking.Lock> {

    private final OperationLocking locking;

    public AcquireOperationLock() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, null);
    }

    public AcquireOperationLock(Ports ports) {
        super(Inputs.LockRequest.class, ports.settings());
        this.locking = new OperationLocking(ports.operationLock(), ports.executions(), ports.clock());
    }

    @Override
    protected OperationLocking.Lock handle(Inputs.LockRequest input) {
        Inputs.Execution execution = required(input.execution(), "execution");
        return locking.acquire(required(input.plan(), "plan"), execution.id(), execution.startTime());
    }
}
