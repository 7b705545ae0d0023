package com.mskfailover.replicator;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaneAssignmentTest {

    @Test
    void everyLaneGoesToExactlyOneMemberAndSharesDifferByAtMostOne() {
        Random random = new Random(7);
        for (int round = 0; round < 2_000; round++) {
            int lanes = 1 + random.nextInt(16);
            Map<String, LaneAssignment.Member> members = new HashMap<>();
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                Set<Integer> owned = new HashSet<>();
                for (int j = random.nextInt(5); j > 0; j--) {
                    owned.add(random.nextInt(lanes + 2) - 1); // also lanes that do not exist (another LANES before)
                }
                members.put("member-" + random.nextInt(1000) + "-" + i, new LaneAssignment.Member(lanes, owned));
            }
            SortedMap<String, LaneAssignment.Share> shares = LaneAssignment.assign(lanes, members);
            Set<Integer> seen = new HashSet<>();
            int fewest = Integer.MAX_VALUE;
            int most = 0;
            for (LaneAssignment.Share share : shares.values()) {
                for (int lane : share.lanes()) {
                    assertTrue(lane >= 0 && lane < lanes, "lane " + lane + " exists");
                    assertTrue(seen.add(lane), "lane " + lane + " given twice: " + shares);
                }
                fewest = Math.min(fewest, share.lanes().size());
                most = Math.max(most, share.lanes().size());
            }
            assertEquals(lanes, seen.size(), "every lane given: " + shares);
            assertTrue(most - fewest <= 1, "balanced: " + shares);
        }
    }

    @Test
    void membersKeepTheirLanesWhenAThirdJoinsOnlyWhatItNeedsMoves() {
        Map<String, LaneAssignment.Member> members = Map.of(
                "a", new LaneAssignment.Member(6, Set.of(0, 1, 2)),
                "b", new LaneAssignment.Member(6, Set.of(3, 4, 5)),
                "c", new LaneAssignment.Member(6, Set.of()));
        SortedMap<String, LaneAssignment.Share> shares = LaneAssignment.assign(6, members);
        assertEquals(2, shares.get("c").lanes().size());
        assertTrue(Set.of(0, 1, 2).containsAll(shares.get("a").lanes()) && shares.get("a").lanes().size() == 2, shares.toString());
        assertTrue(Set.of(3, 4, 5).containsAll(shares.get("b").lanes()) && shares.get("b").lanes().size() == 2, shares.toString());
    }

    @Test
    void theLanesOfAMemberThatLeftGoToTheOthersAndNothingElseMoves() {
        Map<String, LaneAssignment.Member> members = Map.of(
                "a", new LaneAssignment.Member(4, Set.of(0, 1)),
                "c", new LaneAssignment.Member(4, Set.of(3)));
        SortedMap<String, LaneAssignment.Share> shares = LaneAssignment.assign(4, members);
        assertEquals(Set.of(0, 1), shares.get("a").lanes());
        assertEquals(Set.of(2, 3), shares.get("c").lanes());
    }

    @Test
    void aMemberWithAnotherNumberOfLanesGetsNoneAndIsToldWhy() {
        SortedMap<String, LaneAssignment.Share> shares = LaneAssignment.assign(4, Map.of(
                "a", new LaneAssignment.Member(4, Set.of()),
                "b", new LaneAssignment.Member(2, Set.of(0, 1))));
        assertEquals(Set.of(0, 1, 2, 3), shares.get("a").lanes());
        assertEquals(Set.of(), shares.get("b").lanes());
        assertTrue(shares.get("b").refusal().contains("LANES=2") && shares.get("b").refusal().contains("LANES=4"), shares.get("b").refusal());
    }

    @Test
    void theAssignmentSurvivesTheTripThroughTheGroupProtocol() {
        LaneAssignment.Share share = new LaneAssignment.Share(Set.of(1, 5), "why not");
        assertEquals(share, LaneAssignor.decode(LaneAssignor.encode(share)));
    }
}
