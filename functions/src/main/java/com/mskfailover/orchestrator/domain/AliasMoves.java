package com.mskfailover.orchestrator.domain;

import com.mskfailover.client.BootstrapAliasRecord;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

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

    /**
     * Re-reads where the aliases point, then moves them, unless that read shows the move does not start where the plan
     * expects: each alias to move points at the other cluster of the plan or, on a re-run of the same move, at the
     * target already (none points at a third cluster); and each alias of {@code alreadyMoved} (the producers, which
     * this execution moved before its consumers) still points at the target. Refused with NotReadyException, nothing
     * changed, otherwise: another operation or a hand edit moved them meanwhile.
     */
    public AliasMove flip(Plan plan, MoveTarget target, List<String> aliasNames, List<String> alreadyMoved) {
        if (aliasNames == null || aliasNames.isEmpty()) {
            throw new InvalidInputException("aliases", "is empty: no alias to move");
        }
        List<String> notInPlan = aliasNames.stream().filter(alias -> !plan.allAliases().contains(alias)).toList();
        if (!notInPlan.isEmpty()) {
            throw new InvalidInputException("aliases", "names " + notInPlan + ", which this stack does not manage (its aliases: " + plan.allAliases() + ")");
        }
        ClusterRef cluster = plan.cluster(target);
        String source = plan.cluster(target == MoveTarget.PRIMARY ? MoveTarget.SECONDARY : MoveTarget.PRIMARY).clusterArn();
        List<String> expectedAtTarget = alreadyMoved == null ? List.of() : alreadyMoved.stream().filter(alias -> !aliasNames.contains(alias)).toList();
        Map<String, BootstrapAliasRecord> before = aliases.read(Stream.concat(aliasNames.stream(), expectedAtTarget.stream()).toList());
        List<String> unexpected = new ArrayList<>();
        aliasNames.stream().filter(before::containsKey)
                .filter(alias -> !Set.of(source, cluster.clusterArn()).contains(before.get(alias).clusterArn()))
                .forEach(alias -> unexpected.add(alias + " points at " + before.get(alias).clusterArn() + ", neither cluster of this " + plan.operation()));
        expectedAtTarget.stream()
                .filter(alias -> !before.containsKey(alias) || !before.get(alias).clusterArn().equals(cluster.clusterArn()))
                .forEach(alias -> unexpected.add(alias + " points at " + (before.containsKey(alias) ? before.get(alias).clusterArn() : "nothing")
                        + ", no longer at the " + target.json() + " cluster where this " + plan.operation() + " moved it"));
        if (!unexpected.isEmpty()) {
            throw new NotReadyException("Refused to point " + aliasNames + " at the " + target.json() + " cluster: " + String.join("; ", unexpected)
                    + ". Something else moved the aliases since this " + plan.operation() + " did (another operation, or a hand edit); nothing was"
                    + " changed. Check where every alias points (docs/runbook.md, operation lock), then start the operation that puts them all on one cluster.");
        }
        String bootstrap = clusters.bootstrapServers(cluster.clusterArn());
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
