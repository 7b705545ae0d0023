package com.mskfailover.orchestrator.handlers;

import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.AliasMove;
import com.mskfailover.orchestrator.domain.AliasMoves;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.ClusterDirectory;

import java.time.Clock;

/** States Check*AliasesInSync: one look at the change; WaitTimedOutException past the alias-sync deadline. */
public final class CheckAliasesInSync extends JsonHandler<Inputs.MoveOnly, AliasMove> {

    private final AliasMoves moves;

    public CheckAliasesInSync() {
        this(AwsPorts.shared().bootstrapAliases(), AwsPorts.shared().clusterDirectory());
    }

    public CheckAliasesInSync(BootstrapAliases aliases, ClusterDirectory clusters) {
        super(Inputs.MoveOnly.class);
        this.moves = new AliasMoves(aliases, clusters, Clock.systemUTC());
    }

    @Override
    protected AliasMove handle(Inputs.MoveOnly input) {
        return moves.checkInSync(required(input.move(), "move"));
    }
}
