package com.mskfailover.orchestrator.local;

import com.mskfailover.orchestrator.domain.AlarmStates;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Local {@link AlarmStates}: alarm name -> state, set by the test or drill (e.g. "ALARM" when it impairs the primary). */
public final class FixedAlarmStates implements AlarmStates {

    private final Map<String, String> states = new ConcurrentHashMap<>();

    public FixedAlarmStates set(String alarmName, String state) {
        states.put(alarmName, state);
        return this;
    }

    @Override
    public Optional<String> stateOf(String alarmName) {
        return Optional.ofNullable(states.get(alarmName));
    }
}
