package com.mskfailover.orchestrator.domain;

import java.util.List;
import java.util.Optional;

/** Port: the failover and failback state machines' executions (Step Functions in AWS). */
public interface Executions {

    /** Names of the running executions of the failover and failback state machines. */
    List<String> running();

    /**
     * Starts a failover execution with this name. Returns false if an execution of that name already exists
     * (Step Functions keeps names unique for 90 days): that is how a duplicate event starts nothing.
     */
    boolean startFailover(String executionName, String inputJson);

    /** The status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, ...) of an execution; empty when there is no such execution. */
    Optional<String> status(String executionArn);
}
