package com.mskfailover.orchestrator.domain;

/** Port: tells operators (SNS in AWS, a list locally). */
public interface Notifier {
    void publish(String subject, String message);
}
