package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.InvalidInputException;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.ConsumerDrain;
import com.mskfailover.orchestrator.domain.ReverseReplicationSteps;

import java.time.Instant;

/**
 * State CheckSecondaryConsumersDrained: application groups on the secondary read every application record there and
 * stopped, the reverse flow copied them all (with an MSK Replicator, counted from the producers' move), their offsets on
 * the primary.
 */
public final class CheckSecondaryConsumersDrained extends JsonHandler<Inputs.DrainCheck, ConsumerDrain> {

    private final ReverseReplicationSteps steps;

    public CheckSecondaryConsumersDrained() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, AwsPorts.shared().kafkaInspector());
    }

    public CheckSecondaryConsumersDrained(Ports ports) {
        super(Inputs.DrainCheck.class, ports.settings());
        this.steps = ReverseReplicationSteps.of(ports);
    }

    @Override
    protected ConsumerDrain handle(Inputs.DrainCheck input) {
        return steps.checkConsumersDrained(required(input.plan(), "plan"), required(input.replication(), "replication"),
                required(input.drain(), "drain"), required(input.targets(), "targets"), producersMovedAt(input.producersMovedAt()));
    }

    private static Instant producersMovedAt(String value) {
        try {
            return value == null ? null : Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidInputException("producersMovedAt", "'" + value + "' is not an ISO-8601 instant (the state machine passes $.producerMove.inSyncAt)");
        }
    }
}
