package com.mskfailover.orchestrator.domain;

import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.orchestrator.local.FileBootstrapAliases;
import com.mskfailover.orchestrator.local.StaticClusterDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Before each move the aliases are read again: a move that does not start where the plan expects changes nothing. */
class AliasMovesTest {

    private static final String PRIMARY = "arn:aws:kafka:us-east-1:123456789012:cluster/p/1";
    private static final String SECONDARY = "arn:aws:kafka:us-east-2:123456789012:cluster/s/2";
    private static final String OTHER = "arn:aws:kafka:eu-west-1:123456789012:cluster/elsewhere/3";
    private static final Plan FAILBACK = new Plan("failback", new ClusterRef(PRIMARY, "us-east-1", null), new ClusterRef(SECONDARY, "us-east-2", null),
            List.of("customer"), List.of("msk-consumer"), List.of("producers"), List.of("consumers"),
            new Timeouts(30, 60, 60, 30), 300, true, "failback-replicator", 1, "test", false, false, 0);

    @TempDir
    Path dir;

    private FileBootstrapAliases aliases;
    private AliasMoves moves;

    private void pointAt(String alias, String cluster) {
        aliases.change(List.of(BootstrapAliasRecord.of(alias, cluster, "us-east-1", "broker:9092")), "test set-up");
    }

    private AliasMoves moves() {
        aliases = new FileBootstrapAliases(dir.resolve("aliases.json"));
        return new AliasMoves(aliases, new StaticClusterDirectory(Map.of(PRIMARY, "primary:9092", SECONDARY, "secondary:9092")), Clock.systemUTC());
    }

    @Test
    void theFailbacksConsumerMoveIsRefusedWhenTheProducersNoLongerPointAtThePrimary() throws Exception {
        moves = moves();
        pointAt("consumers", SECONDARY);
        // The failback moved the producers to the primary; then a failover put them back on the secondary.
        pointAt("producers", SECONDARY);
        String before = Files.readString(aliases.file());

        NotReadyException refused = assertThrows(NotReadyException.class,
                () -> moves.flip(FAILBACK, MoveTarget.PRIMARY, List.of("consumers"), List.of("producers")));

        assertTrue(refused.getMessage().contains("producers points at " + SECONDARY + ", no longer at the primary cluster"), refused.getMessage());
        assertEquals(before, Files.readString(aliases.file()), "nothing was changed");
    }

    @Test
    void theMoveGoesOnFromWhereThePlanExpectsAndARerunOfTheSameMoveToo() {
        moves = moves();
        pointAt("producers", PRIMARY);
        pointAt("consumers", SECONDARY);

        AliasMove move = moves.flip(FAILBACK, MoveTarget.PRIMARY, List.of("consumers"), List.of("producers"));
        assertEquals(SECONDARY, move.previous().getFirst().clusterArn());
        assertEquals(PRIMARY, aliases.read(List.of("consumers")).get("consumers").clusterArn());

        // The state retried after its change went through: the aliases are at the target already.
        AliasMove again = moves.flip(FAILBACK, MoveTarget.PRIMARY, List.of("consumers"), List.of("producers"));
        assertEquals(PRIMARY, again.previous().getFirst().clusterArn());
    }

    @Test
    void anAliasPointingAtAClusterOfNeitherSideIsRefused() throws Exception {
        moves = moves();
        pointAt("producers", OTHER);
        String before = Files.readString(aliases.file());

        NotReadyException refused = assertThrows(NotReadyException.class,
                () -> moves.flip(FAILBACK, MoveTarget.PRIMARY, List.of("producers"), null));

        assertTrue(refused.getMessage().contains("producers points at " + OTHER + ", neither cluster of this failback"), refused.getMessage());
        assertEquals(before, Files.readString(aliases.file()));
    }

    @Test
    void anAliasThePlanDoesNotNameIsRefusedBeforeAnythingIsRead() throws Exception {
        moves = moves();
        pointAt("payments", SECONDARY);
        String before = Files.readString(aliases.file());

        InvalidInputException refused = assertThrows(InvalidInputException.class,
                () -> moves.flip(FAILBACK, MoveTarget.PRIMARY, List.of("consumers", "payments"), null));

        assertEquals("aliases", refused.field());
        assertTrue(refused.getMessage().contains("[payments]"), refused.getMessage());
        assertEquals(before, Files.readString(aliases.file()));
    }
}
