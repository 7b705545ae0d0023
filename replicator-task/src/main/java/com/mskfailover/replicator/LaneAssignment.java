package com.mskfailover.replicator;

import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which task copies which lanes: the decision the group leader takes in {@link LaneAssignor}, apart from
 * Kafka's types. Every lane goes to exactly one member; members keep the lanes they hold where the balance
 * allows (a lane that moves costs its open transaction); lane counts differ by at most one. A member
 * configured with another number of lanes than the leader gets none, with the reason: its lanes would name
 * other partitions under the same transactional ids.
 */
final class LaneAssignment {

    private LaneAssignment() {}

    /** What a member says when it joins: its {@code LANES} and the lanes it copies now. */
    record Member(int lanes, Set<Integer> owned) {}

    /** One member's share: its lanes, or why it gets none. */
    record Share(Set<Integer> lanes, String refusal) {
        static Share of(Set<Integer> lanes) {
            return new Share(Set.copyOf(lanes), "");
        }
    }

    static SortedMap<String, Share> assign(int lanes, Map<String, Member> members) {
        SortedMap<String, Share> shares = new TreeMap<>();
        SortedMap<String, Set<Integer>> held = new TreeMap<>();
        members.forEach((member, joined) -> {
            if (joined.lanes() == lanes) {
                held.put(member, new TreeSet<>());
            } else {
                shares.put(member, new Share(Set.of(), "this task has LANES=" + joined.lanes() + " but the group's leader has LANES="
                        + lanes + ": every task of one REPLICATOR_NAME needs the same LANES (stop the tasks, then start them all with one value)"));
            }
        });
        if (held.isEmpty()) {
            return shares;
        }
        int most = (lanes + held.size() - 1) / held.size();
        Set<Integer> taken = new HashSet<>();
        held.forEach((member, mine) -> members.get(member).owned().stream().sorted()
                .filter(lane -> lane >= 0 && lane < lanes && mine.size() < most && taken.add(lane))
                .forEach(mine::add));
        for (int lane = 0; lane < lanes; lane++) {
            if (taken.add(lane)) {
                fewest(held).add(lane);
            }
        }
        // Keeping lanes can leave one member two short of another: move the difference.
        while (true) {
            Set<Integer> largest = most(held);
            Set<Integer> smallest = fewest(held);
            if (largest.size() - smallest.size() <= 1) {
                break;
            }
            Integer moved = ((TreeSet<Integer>) largest).last();
            largest.remove(moved);
            smallest.add(moved);
        }
        held.forEach((member, mine) -> shares.put(member, Share.of(mine)));
        return shares;
    }

    private static Set<Integer> fewest(SortedMap<String, Set<Integer>> held) {
        return held.values().stream().min(Comparator.comparingInt(Set::size)).orElseThrow();
    }

    private static Set<Integer> most(SortedMap<String, Set<Integer>> held) {
        return held.values().stream().max(Comparator.comparingInt(Set::size)).orElseThrow();
    }
}
