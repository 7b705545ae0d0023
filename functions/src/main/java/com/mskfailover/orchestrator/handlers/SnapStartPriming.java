package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.domain.KafkaInspector;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SnapStart priming: before Lambda takes the snapshot of an initialized function (the org.crac hook), runs what the
 * first invocation would otherwise load and compile: Jackson's readers of the handler's input and, for a function that
 * reaches Kafka, a whole Admin client round (client config, SASL/IAM login module, TLS, network client) against an
 * address that refuses at once. Nothing reaches AWS or a cluster, and nothing opened survives into the snapshot (the
 * client is closed; AWS credentials are not resolved, so the restored function signs with its own).
 * {@code functions/bench/first-invocation.sh} measures the first invocation with and without it.
 */
public final class SnapStartPriming implements Resource {

    /** Refuses connections at once on any host: the discard port on loopback, which nothing in Lambda listens on. */
    static final String REFUSING_BOOTSTRAP = "127.0.0.1:9";
    static final Duration KAFKA_ROUND = Duration.ofMillis(500);

    /** org.crac holds resources weakly: these keep them for the life of the function. */
    private static final List<SnapStartPriming> REGISTERED = new CopyOnWriteArrayList<>();

    private final Class<?> inputType;
    private final KafkaInspector kafka;

    /** @param kafka the function's Kafka port, or null for a function that does not reach Kafka */
    public SnapStartPriming(Class<?> inputType, KafkaInspector kafka) {
        this.inputType = inputType;
        this.kafka = kafka;
    }

    /** Called by the Lambda constructors (no-argument) of the handlers: local runs never register. */
    static void register(JsonHandler<?, ?> handler, KafkaInspector kafka) {
        SnapStartPriming priming = new SnapStartPriming(handler.inputType(), kafka);
        REGISTERED.add(priming);
        Core.getGlobalContext().register(priming);
    }

    static int registered() {
        return REGISTERED.size();
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing to renew: no connection, credential or random seed was made before the snapshot.
    }

    /** Runs the paths; a priming that fails only costs the first invocation its head start, so it never throws. */
    public void prime() {
        try {
            JsonHandler.JSON.writeValueAsString(JsonHandler.JSON.readValue("{}", inputType));
        } catch (Exception | LinkageError ignored) {
            // an input that needs fields still had its deserializers built
        }
        if (kafka != null) {
            try {
                kafka.probe(REFUSING_BOOTSTRAP, KAFKA_ROUND);
            } catch (RuntimeException ignored) {
                // the round is what primes, not its answer
            }
        }
    }
}
