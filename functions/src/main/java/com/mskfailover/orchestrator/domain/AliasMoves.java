package com.mskfailover.orchestrator.domain;

import com.mskfailover.client.BootstrapAliasRecord;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/** Points bootstrap aliases at a cluster, all in one change, and follows the change until it is INSYNC. */
public final class AliasMoves {

    private final BootstrapAliases aliases;
    private final ClusterDirectory clusters;
    private final Clock clock;

    public AliasMoves(BootstrapAliases aliases, ClusterDirectory clusters, Clock clock) {
        this.aliases = aliases;
        this.clusters = clusters;
        this.clock = clock;
    }

    public AliasMove flip(Plan plan, MoveTarget target, List<String> aliasNames) {
        if (aliasNames == null || aliasNames.isEmpty()) {
            throw new InvalidInputException("aliases", "is empty: no alias to move");
        }
        ClusterRef cluster = plan.cluster(target);
        String bootstrap = clusters.bootstrapServers(cluster.clusterArn());
        Map<String, BootstrapAliasRecord> before = aliases.read(aliasNames);
        List<BootstrapAliasRecord> records = aliasNames.stream()
                .map(alias -> BootstrapAliasRecord.of(alias, cluster.clusterArn(), cluster.region(), bootstrap))
                .toList();
        String changeId = aliases.change(records, plan.operation() + ": point " + aliasNames + " at the " + target.json() + " cluster");
        return new AliasMove(changeId, target, cluster.clusterArn(), List.copyOf(aliasNames),
                aliasNames.stream().filter(before::containsKey).map(before::get).toList(),
                PollState.starting(plan.timeouts().aliasSyncSeconds(), clock));
    }

    public AliasMove checkInSync(AliasMove move) {
        boolean inSync = aliases.isInSync(move.changeId());
        return move.withSync(move.sync().afterCheck(inSync, "change " + move.changeId() + (inSync ? " INSYNC" : " PENDING"),
                "alias change " + move.changeId() + " to be INSYNC", clock), clock.instant());
    }
}
