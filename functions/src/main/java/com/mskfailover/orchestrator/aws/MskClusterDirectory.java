package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.ClusterArns;
import com.mskfailover.orchestrator.domain.ClusterDirectory;
import com.mskfailover.orchestrator.domain.DependencyFailedException;
import software.amazon.awssdk.services.kafka.KafkaClient;
import software.amazon.awssdk.services.kafka.model.GetBootstrapBrokersResponse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Bootstrap strings from MSK GetBootstrapBrokers, asked in the cluster's own Region, for the stack's client
 * authentication (IAM: port 9098; none: plaintext 9092). Answers are kept for the life of the function instance.
 */
public final class MskClusterDirectory implements ClusterDirectory {

    private final Function<String, KafkaClient> clientForRegion;
    private final String kafkaAuth;
    private final Map<String, String> cache = new ConcurrentHashMap<>();

    public MskClusterDirectory(Function<String, KafkaClient> clientForRegion, String kafkaAuth) {
        this.clientForRegion = clientForRegion;
        this.kafkaAuth = kafkaAuth;
    }

    @Override
    public String bootstrapServers(String clusterArn) {
        return cache.computeIfAbsent(clusterArn, this::lookUp);
    }

    private String lookUp(String clusterArn) {
        KafkaClient kafka = clientForRegion.apply(ClusterArns.parse(clusterArn).region());
        GetBootstrapBrokersResponse brokers = AwsErrors.call("getting the bootstrap brokers of " + clusterArn,
                () -> kafka.getBootstrapBrokers(request -> request.clusterArn(clusterArn)));
        String bootstrap = "iam".equals(kafkaAuth) ? brokers.bootstrapBrokerStringSaslIam() : brokers.bootstrapBrokerString();
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new DependencyFailedException("cluster " + clusterArn + " has no bootstrap string for auth " + kafkaAuth
                    + " (is IAM access control enabled on it?)");
        }
        return bootstrap;
    }
}
