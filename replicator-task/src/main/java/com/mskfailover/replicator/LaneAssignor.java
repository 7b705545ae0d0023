package com.mskfailover.replicator;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Configurable;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Shares the lanes of one {@code REPLICATOR_NAME} among its tasks through Kafka's own group protocol
 * (classic, client-side assignor): the members are the tasks, the group leader decides with
 * {@link LaneAssignment}, and each member learns its lanes in {@link #onAssignment}. No partition is
 * assigned to the membership consumer itself: lanes travel in the assignment's user data.
 *
 * <p>The group only spreads the work. That a lane has one writer at a time rests on its transactional id:
 * a task that starts a lane fences whoever wrote it before.
 */
public final class LaneAssignor implements ConsumerPartitionAssignor, Configurable {

    static final String NAME = "mskfailover-lanes";
    /** Consumer config keys through which {@link LaneMembership} hands this assignor its settings. */
    static final String LANES_CONFIG = "mskfailover.lanes";
    static final String LISTENER_CONFIG = "mskfailover.lanes.listener";

    private int lanes;
    private Consumer<LaneAssignment.Share> listener;
    private volatile Set<Integer> owned = Set.of();

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs) {
        lanes = (Integer) configs.get(LANES_CONFIG);
        listener = (Consumer<LaneAssignment.Share>) configs.get(LISTENER_CONFIG);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ByteBuffer subscriptionUserData(Set<String> topics) {
        Set<Integer> mine = owned;
        ByteBuffer data = ByteBuffer.allocate(8 + 4 * mine.size());
        data.putInt(lanes).putInt(mine.size());
        mine.forEach(data::putInt);
        return data.flip();
    }

    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription groupSubscription) {
        Map<String, LaneAssignment.Member> members = new HashMap<>();
        groupSubscription.groupSubscription().forEach((member, subscription) ->
                members.put(member, member(subscription.userData())));
        Map<String, Assignment> assignments = new HashMap<>();
        LaneAssignment.assign(lanes, members).forEach((member, share) -> assignments.put(member, new Assignment(List.of(), encode(share))));
        return new GroupAssignment(assignments);
    }

    @Override
    public void onAssignment(Assignment assignment, ConsumerGroupMetadata metadata) {
        LaneAssignment.Share share = decode(assignment.userData());
        owned = share.lanes();
        listener.accept(share);
    }

    private static LaneAssignment.Member member(ByteBuffer userData) {
        if (userData == null || userData.remaining() < 8) {
            // Not one of ours (another client joined the group): it gets no lane.
            return new LaneAssignment.Member(-1, Set.of());
        }
        ByteBuffer data = userData.duplicate();
        int count = data.getInt();
        int size = data.getInt();
        Set<Integer> owned = new HashSet<>();
        for (int i = 0; i < size && data.remaining() >= 4; i++) {
            owned.add(data.getInt());
        }
        return new LaneAssignment.Member(count, owned);
    }

    static ByteBuffer encode(LaneAssignment.Share share) {
        byte[] refusal = share.refusal().getBytes(StandardCharsets.UTF_8);
        ByteBuffer data = ByteBuffer.allocate(8 + 4 * share.lanes().size() + refusal.length);
        data.putInt(share.lanes().size());
        share.lanes().forEach(data::putInt);
        data.putInt(refusal.length).put(refusal);
        return data.flip();
    }

    static LaneAssignment.Share decode(ByteBuffer userData) {
        ByteBuffer data = userData.duplicate();
        int size = data.getInt();
        Set<Integer> lanes = new HashSet<>();
        for (int i = 0; i < size; i++) {
            lanes.add(data.getInt());
        }
        byte[] refusal = new byte[data.getInt()];
        data.get(refusal);
        return new LaneAssignment.Share(Set.copyOf(lanes), new String(refusal, StandardCharsets.UTF_8));
    }
}
