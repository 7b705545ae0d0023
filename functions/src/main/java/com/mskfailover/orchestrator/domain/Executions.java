package com.mskfailover.orchestrator.domain;

import java.util.List;

/** Port: the failover and failback state machines' executions (Step Functions in AWS). */
public interface Executions {

    /** Names of the running executions of the failover and failback state machines. */
    List<String> running();

    /**
     * Starts a failover execution with this name. Returns false if an execution of that name already exists
     * (Step Functions keeps names unique for 90 days): that is how a duplicate event starts nothing.
     */
    boolean startFailover(String executionName, String inputJson);
}
