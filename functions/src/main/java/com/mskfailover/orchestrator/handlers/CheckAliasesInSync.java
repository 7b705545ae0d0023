package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.AliasMove;
import com.mskfailover.orchestrator.domain.AliasMoves;

/** States Check*AliasesInSync: one look at the change; WaitTimedOutException past the alias-sync deadline. */
public final class CheckAliasesInSync extends JsonHandler<Inputs.MoveOnly, AliasMove> {

    private final AliasMoves moves;

    public CheckAliasesInSync() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, null);
    }

    public CheckAliasesInSync(Ports ports) {
        super(Inputs.MoveOnly.class);
        this.moves = new AliasMoves(ports.bootstrapAliases(), ports.clusterDirectory(), ports.clock());
    }

    @Override
    protected AliasMove handle(Inputs.MoveOnly input) {
        return moves.checkInSync(required(input.move(), "move"));
    }
}
