package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.Notifier;
import software.amazon.awssdk.services.sns.SnsClient;

/** Operators' notifications through an SNS topic. */
public final class SnsNotifier implements Notifier {

    private final SnsClient sns;
    private final String topicArn;

    public SnsNotifier(SnsClient sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void publish(String subject, String message) {
        AwsErrors.call("publishing to " + topicArn, () -> sns.publish(request -> request.topicArn(topicArn).subject(subject).message(message)));
    }
}
