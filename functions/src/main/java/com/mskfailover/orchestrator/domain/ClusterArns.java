package com.mskfailover.orchestrator.domain;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** MSK cluster ARNs: {@code arn:PARTITION:kafka:REGION:ACCOUNT:cluster/NAME/UUID}. */
public final class ClusterArns {
    private static final Pattern CLUSTER_ARN =
            Pattern.compile("^arn:aws[a-z-]*:kafka:([a-z0-9-]+):(\\d{12}):cluster/([A-Za-z0-9-]+)/([A-Za-z0-9-]+)$");

    public record Parts(String region, String account, String name) {
    }

    private ClusterArns() {
    }

    public static boolean isValid(String arn) {
        return arn != null && CLUSTER_ARN.matcher(arn).matches();
    }

    public static Parts parse(String arn) {
        Matcher matcher = arn == null ? null : CLUSTER_ARN.matcher(arn);
        if (matcher == null || !matcher.matches()) {
            throw new IllegalArgumentException("not an MSK cluster ARN: " + arn);
        }
        return new Parts(matcher.group(1), matcher.group(2), matcher.group(3));
    }
}
