package com.mskfailover.orchestrator.domain;

/**
 * Port: the primary cluster's health as the primary Region's own monitoring reports it (Amazon MSK's AWS/Kafka
 * metrics read through the CloudWatch API in that Region), a path that shares nothing with the secondary's network
 * path to the brokers; and whether ProbePrimary has ever seen the primary reachable from the secondary, which arms
 * automatic failover.
 */
public interface PrimaryRegionHealth {

    Report report();

    /** Whether PrimaryReachable was ever 1 in the metric's retained history (the stack's own Region). */
    boolean probeHasSeenPrimaryReachable();

    /**
     * @param status HEALTHY (no offline partition, none under min ISR, a controller), IMPAIRED (one of those failed),
     *               SILENT (the API answered, the cluster reported no datapoint lately) or UNREADABLE (the API did not
     *               answer: the primary Region's control plane is impaired too)
     */
    record Report(Status status, String detail) {
        public enum Status { HEALTHY, IMPAIRED, SILENT, UNREADABLE }

        /** Only HEALTHY vouches for the primary; the others leave the canary's verdict standing. */
        public boolean vouchesForThePrimary() {
            return status == Status.HEALTHY;
        }
    }
}
