package com.mskfailover.orchestrator.local;

import com.mskfailover.orchestrator.domain.AlarmStates;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local {@link AlarmStates}: alarm name -> state, set by the test or drill (e.g. "ALARM" when it impairs the primary);
 * a state that changes gets a new "since", as CloudWatch's StateUpdatedTimestamp does.
 */
public final class FixedAlarmStates implements AlarmStates {

    private final Map<String, State> states = new ConcurrentHashMap<>();

    public FixedAlarmStates set(String alarmName, String state) {
        states.compute(alarmName, (name, before) -> before != null && before.value().equals(state) ? before : new State(state, Instant.now()));
        return this;
    }

    @Override
    public Optional<String> stateOf(String alarmName) {
        return Optional.ofNullable(states.get(alarmName)).map(State::value);
    }

    @Override
    public Map<String, State> current(Collection<String> alarmNames) {
        Map<String, State> found = new LinkedHashMap<>();
        alarmNames.forEach(name -> Optional.ofNullable(states.get(name)).ifPresent(state -> found.put(name, state)));
        return found;
    }
}
