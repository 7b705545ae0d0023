package com.mskfailover.orchestrator.domain;

import java.util.Optional;

/** Port: the current state of a CloudWatch alarm (OK, ALARM, INSUFFICIENT_DATA), empty if no such alarm. */
public interface AlarmStates {
    Optional<String> stateOf(String alarmName);
}
