package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.AlarmStates;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;

import java.util.Optional;
import java.util.stream.Stream;

/** Current alarm state from CloudWatch DescribeAlarms (metric and composite alarms). */
public final class CloudWatchAlarmStates implements AlarmStates {

    private final CloudWatchClient cloudWatch;

    public CloudWatchAlarmStates(CloudWatchClient cloudWatch) {
        this.cloudWatch = cloudWatch;
    }

    @Override
    public Optional<String> stateOf(String alarmName) {
        var response = AwsErrors.call("describing alarm " + alarmName, () -> cloudWatch.describeAlarms(request -> request
                .alarmNames(alarmName).alarmTypes(AlarmType.METRIC_ALARM, AlarmType.COMPOSITE_ALARM)));
        return Stream.concat(
                        response.metricAlarms().stream().map(alarm -> alarm.stateValueAsString()),
                        response.compositeAlarms().stream().map(alarm -> alarm.stateValueAsString()))
                .findFirst();
    }
}
