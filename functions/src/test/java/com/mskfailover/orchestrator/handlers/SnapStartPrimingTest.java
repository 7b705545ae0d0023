package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.TestPorts;
import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.KafkaInspector;
import com.mskfailover.orchestrator.kafka.KafkaAdminInspector;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What runs before SnapStart's snapshot: one refused Kafka round for Kafka-facing functions, nothing else outside. */
class SnapStartPrimingTest {

    private static KafkaInspector recording(List<String> calls, RuntimeException failure) {
        return (KafkaInspector) Proxy.newProxyInstance(KafkaInspector.class.getClassLoader(), new Class<?>[]{KafkaInspector.class},
                (proxy, method, args) -> {
                    calls.add(method.getName() + " " + args[0] + " " + args[1]);
                    if (failure != null) {
                        throw failure;
                    }
                    return new KafkaInspector.ProbeResult(false, "refused");
                });
    }

    @Test
    void aKafkaFacingFunctionRunsOneRoundAgainstAnAddressThatRefusesAndNothingElse() {
        List<String> calls = new ArrayList<>();
        new SnapStartPriming(Inputs.PlanOnly.class, recording(calls, null)).prime();
        assertEquals(List.of("probe " + SnapStartPriming.REFUSING_BOOTSTRAP + " " + SnapStartPriming.KAFKA_ROUND), calls);
    }

    @Test
    void aPrimingThatFailsNeverFailsTheFunctionsInit() {
        List<String> calls = new ArrayList<>();
        new SnapStartPriming(Inputs.Flip.class, recording(calls, new IllegalStateException("no network before the snapshot"))).prime();
        assertEquals(1, calls.size());
        new SnapStartPriming(Inputs.Report.class, null).prime(); // not Kafka-facing: Jackson only
    }

    @Test
    void lambdasConstructorRegistersThePrimingAndOnAJvmWithoutCracNothingElseHappens() {
        AwsPorts.replaceShared(new AwsPorts(Map.of("PRIMARY_CLUSTER_ARN", TestPorts.PRIMARY_ARN, "SECONDARY_CLUSTER_ARN",
                TestPorts.SECONDARY_ARN, "PRODUCER_ALIAS_NAMES", TestPorts.PRODUCER_ALIAS, "CONSUMER_ALIAS_NAMES", TestPorts.CONSUMER_ALIAS)));
        try {
            int before = SnapStartPriming.registered();
            new ValidateFailoverInput(); // as Lambda's init builds it
            assertEquals(before + 1, SnapStartPriming.registered());
        } finally {
            AwsPorts.replaceShared(null);
        }
    }

    @Test
    void theRealAdminRoundWithIamAuthEndsWithoutReachingAnyCluster() {
        // aws-msk-iam-auth's login module and TLS load, the connection is refused, the client closes: no credentials asked.
        KafkaInspector.ProbeResult result = new KafkaAdminInspector("iam").probe(SnapStartPriming.REFUSING_BOOTSTRAP, SnapStartPriming.KAFKA_ROUND);
        assertFalse(result.reachable(), result.toString());
        new SnapStartPriming(Inputs.PlanOnly.class, new KafkaAdminInspector("iam")).prime();
    }
}
