package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.OperationLocking;
import com.mskfailover.orchestrator.domain.Ports;

/**
 * States ReleaseOperationLock (before the success notification) and ReleaseOperationLockAfterFailure (before the
 * failure notification): frees the operation lock if this execution holds it.
 */
public final class ReleaseOperationLock extends JsonHandler<Inputs.ExecutionOnly, OperationLocking.Release> {

    private final OperationLocking locking;

    public ReleaseOperationLock() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, null);
    }

    public ReleaseOperationLock(Ports ports) {
        super(Inputs.ExecutionOnly.class);
        this.locking = new OperationLocking(ports.operationLock(), ports.executions(), ports.clock());
    }

    @Override
    protected OperationLocking.Release handle(Inputs.ExecutionOnly input) {
        return locking.release(required(input.execution(), "execution").id());
    }
}
