package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.InvalidInputException;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.PollState;
import com.mskfailover.orchestrator.domain.ReverseReplicationSteps;

import java.time.Instant;

/** State CheckSecondaryConsumersDrained: application groups on the secondary at lag 0 and the reverse lag 0 again, counted from the producers' move. */
public final class CheckSecondaryConsumersDrained extends JsonHandler<Inputs.DrainCheck, PollState> {

    private final ReverseReplicationSteps steps;

    public CheckSecondaryConsumersDrained() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, AwsPorts.shared().kafkaInspector());
    }

    public CheckSecondaryConsumersDrained(Ports ports) {
        super(Inputs.DrainCheck.class);
        this.steps = ReverseReplicationSteps.of(ports);
    }

    @Override
    protected PollState handle(Inputs.DrainCheck input) {
        return steps.checkConsumersDrained(required(input.plan(), "plan"), required(input.replication(), "replication"),
                required(input.drain(), "drain"), producersMovedAt(input.producersMovedAt()));
    }

    private static Instant producersMovedAt(String value) {
        try {
            return value == null ? null : Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidInputException("producersMovedAt", "'" + value + "' is not an ISO-8601 instant (the state machine passes $.producerMove.inSyncAt)");
        }
    }
}
