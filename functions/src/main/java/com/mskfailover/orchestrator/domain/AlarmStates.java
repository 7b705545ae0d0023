package com.mskfailover.orchestrator.domain;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Port: the current state of a CloudWatch alarm (OK, ALARM, INSUFFICIENT_DATA), empty if no such alarm. */
public interface AlarmStates {
    Optional<String> stateOf(String alarmName);

    /** @param since when the alarm entered this state (CloudWatch's StateUpdatedTimestamp) */
    record State(String value, Instant since) {
    }

    /** The alarms of the list that exist, with their state and since when; one call where the adapter can. */
    default Map<String, State> current(Collection<String> alarmNames) {
        Map<String, State> states = new LinkedHashMap<>();
        alarmNames.forEach(name -> stateOf(name).ifPresent(value -> states.put(name, new State(value, Instant.EPOCH))));
        return states;
    }
}
