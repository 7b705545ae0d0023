package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.AlarmStates;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** Current alarm state from CloudWatch DescribeAlarms (metric and composite alarms). */
public final class CloudWatchAlarmStates implements AlarmStates {

    /** DescribeAlarms takes at most 100 names per call. */
    private static final int NAMES_PER_CALL = 100;

    private final CloudWatchClient cloudWatch;

    public CloudWatchAlarmStates(CloudWatchClient cloudWatch) {
        this.cloudWatch = cloudWatch;
    }

    @Override
    public Optional<String> stateOf(String alarmName) {
        return current(List.of(alarmName)).values().stream().findFirst().map(State::value);
    }

    @Override
    public Map<String, State> current(Collection<String> alarmNames) {
        Map<String, State> states = new LinkedHashMap<>();
        List<String> names = List.copyOf(alarmNames);
        for (int from = 0; from < names.size(); from += NAMES_PER_CALL) {
            List<String> batch = names.subList(from, Math.min(names.size(), from + NAMES_PER_CALL));
            var response = AwsErrors.call("describing alarms " + batch, () -> cloudWatch.describeAlarms(request -> request
                    .alarmNames(batch).alarmTypes(AlarmType.METRIC_ALARM, AlarmType.COMPOSITE_ALARM)));
            Stream.concat(
                    response.metricAlarms().stream().map(alarm -> Map.entry(alarm.alarmName(), state(alarm.stateValueAsString(), alarm.stateUpdatedTimestamp()))),
                    response.compositeAlarms().stream().map(alarm -> Map.entry(alarm.alarmName(), state(alarm.stateValueAsString(), alarm.stateUpdatedTimestamp()))))
                    .forEach(entry -> states.putIfAbsent(entry.getKey(), entry.getValue()));
        }
        return states;
    }

    private static State state(String value, Instant since) {
        return new State(value, since == null ? Instant.EPOCH : since);
    }
}
