package com.mskfailover.contract;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment of a replicator-task container: the variables it reads (ReplicatorConfig) and a builder for
 * those who start it (the failback, the drill, tests), so both sides spell them the same way.
 *
 * <pre>{@code
 * Map<String, String> env = ReplicatorEnvironment.flow("failback-replicator", secondaryBootstrap, primaryBootstrap)
 *         .auth("iam").topics(List.of("customer")).groups(List.of("msk-consumer")).fromEarliest().lanes(2).toMap();
 * }</pre>
 */
public final class ReplicatorEnvironment {

    public static final String SOURCE_BOOTSTRAP_SERVERS = "SOURCE_BOOTSTRAP_SERVERS";
    public static final String TARGET_BOOTSTRAP_SERVERS = "TARGET_BOOTSTRAP_SERVERS";
    public static final String SOURCE_AUTH = "SOURCE_AUTH";
    public static final String TARGET_AUTH = "TARGET_AUTH";
    public static final String REPLICATOR_NAME = "REPLICATOR_NAME";
    public static final String TOPICS = "TOPICS";
    public static final String GROUPS = "GROUPS";
    public static final String STARTING_POSITION = "STARTING_POSITION";
    public static final String LANES = "LANES";

    private final Map<String, String> variables = new LinkedHashMap<>();

    private ReplicatorEnvironment() {
    }

    /** The flow {@code replicatorName} from the cluster at {@code sourceBootstrap} to the one at {@code targetBootstrap}. */
    public static ReplicatorEnvironment flow(String replicatorName, String sourceBootstrap, String targetBootstrap) {
        return new ReplicatorEnvironment().with(REPLICATOR_NAME, replicatorName)
                .with(SOURCE_BOOTSTRAP_SERVERS, sourceBootstrap).with(TARGET_BOOTSTRAP_SERVERS, targetBootstrap);
    }

    /** {@code iam} or {@code none}, on both sides. */
    public ReplicatorEnvironment auth(String auth) {
        return with(SOURCE_AUTH, auth).with(TARGET_AUTH, auth);
    }

    /** Exactly these topics, in MirrorMaker 2's grammar ({@link NameSelection}). */
    public ReplicatorEnvironment topics(Collection<String> names) {
        return with(TOPICS, NameSelection.exactly(names));
    }

    /** The offsets of exactly these groups; none given: every group (the replicator's default). */
    public ReplicatorEnvironment groups(Collection<String> names) {
        return names.isEmpty() ? this : with(GROUPS, NameSelection.exactly(names));
    }

    public ReplicatorEnvironment fromEarliest() {
        return with(STARTING_POSITION, "earliest");
    }

    /** The lanes shared by every task of the flow (the same in each of them). */
    public ReplicatorEnvironment lanes(int lanes) {
        return with(LANES, Integer.toString(lanes));
    }

    public ReplicatorEnvironment with(String variable, String value) {
        variables.put(variable, value);
        return this;
    }

    public Map<String, String> toMap() {
        return Map.copyOf(variables);
    }
}
