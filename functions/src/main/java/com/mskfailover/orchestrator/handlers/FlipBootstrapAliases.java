package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.AliasMove;
import com.mskfailover.orchestrator.domain.AliasMoves;

/**
 * States FlipAliasesToSecondary, MoveProducersToPrimary, MoveConsumersToPrimary: re-reads where the aliases point,
 * then points the given aliases at the target cluster's brokers in ONE change; returns the change to wait on.
 */
public final class FlipBootstrapAliases extends JsonHandler<Inputs.Flip, AliasMove> {

    private final AliasMoves moves;

    public FlipBootstrapAliases() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, null);
    }

    public FlipBootstrapAliases(Ports ports) {
        super(Inputs.Flip.class, ports.settings());
        this.moves = new AliasMoves(ports.bootstrapAliases(), ports.clusterDirectory(), ports.clock());
    }

    @Override
    protected AliasMove handle(Inputs.Flip input) {
        return moves.flip(required(input.plan(), "plan"), required(input.target(), "target"), required(input.aliases(), "aliases"),
                input.alreadyMoved());
    }
}
