package com.mskfailover.orchestrator.aws;

import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.orchestrator.domain.BootstrapAliases;
import com.mskfailover.orchestrator.domain.ClusterArns;
import com.mskfailover.orchestrator.domain.DependencyFailedException;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bootstrap aliases switched with Route 53 ARC routing controls, so a move needs no Route 53 control-plane call
 * (ChangeResourceRecordSets, hosted in us-east-1). Each alias has two FAILOVER TXT records that the template wrote
 * once (PRIMARY with the primary's brokers, SECONDARY with the secondary's), each behind a RECOVERY_CONTROL health
 * check of its own routing control; DNS answers whichever record's control is On.
 *
 * <p>A move is ONE UpdateRoutingControlStates call: for every alias of the move, the target cluster's control On and
 * the other's Off. The records' broker lists are the template's, not the caller's: this adapter only chooses
 * between them.
 */
public final class ArcRoutingControlAliases implements BootstrapAliases {

    /** A cluster as the template wrote it into its alias records. */
    public record ClusterRecords(String clusterArn, String bootstrapServers) {
    }

    /** The two routing controls of one alias: On means DNS answers that cluster's record. */
    public record AliasControls(String primaryControlArn, String secondaryControlArn) {
    }

    private enum Side { PRIMARY, SECONDARY }

    private static final String CHANGE_ID_PREFIX = "arc-routing-control:";

    private final RoutingControlClusterClient cluster;
    private final Map<String, AliasControls> controlsByAlias;
    private final ClusterRecords primary;
    private final ClusterRecords secondary;

    ArcRoutingControlAliases(RoutingControlClusterClient cluster, Map<String, AliasControls> controlsByAlias,
                             ClusterRecords primary, ClusterRecords secondary) {
        this.cluster = cluster;
        this.controlsByAlias = Map.copyOf(controlsByAlias);
        this.primary = primary;
        this.secondary = secondary;
    }

    /** Parses {@code alias=primaryControlArn|secondaryControlArn,...} (the ARC_ROUTING_CONTROLS form). */
    public static Map<String, AliasControls> parseControls(String value) {
        Map<String, AliasControls> controls = new LinkedHashMap<>();
        for (String entry : value.split(",")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            String[] arns = equals < 0 ? new String[0] : trimmed.substring(equals + 1).split("\\|");
            if (equals <= 0 || arns.length != 2) {
                throw new IllegalArgumentException("routing controls must be alias=primaryControlArn|secondaryControlArn: " + trimmed);
            }
            controls.put(trimmed.substring(0, equals).strip(), new AliasControls(arns[0].strip(), arns[1].strip()));
        }
        return controls;
    }

    @Override
    public Map<String, BootstrapAliasRecord> read(Collection<String> aliasNames) {
        Map<String, BootstrapAliasRecord> records = new LinkedHashMap<>();
        for (String alias : aliasNames) {
            AliasControls controls = controlsByAlias.get(alias);
            if (controls == null) {
                continue;
            }
            boolean primaryOn = cluster.isOn(controls.primaryControlArn());
            boolean secondaryOn = cluster.isOn(controls.secondaryControlArn());
            // Route 53 answers a FAILOVER pair as it does DNS: the SECONDARY record only when PRIMARY is unhealthy
            // and SECONDARY healthy; with both unhealthy it fails open to PRIMARY. Read it the same way.
            ClusterRecords answered = secondaryOn && !primaryOn ? secondary : primary;
            records.put(alias, BootstrapAliasRecord.of(alias, answered.clusterArn(), ClusterArns.parse(answered.clusterArn()).region(),
                    answered.bootstrapServers()));
        }
        return records;
    }

    @Override
    public String change(List<BootstrapAliasRecord> records, String comment) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("no alias to move");
        }
        Side target = sideOf(records.getFirst().clusterArn());
        Map<String, Boolean> states = new LinkedHashMap<>();
        for (BootstrapAliasRecord record : records) {
            if (sideOf(record.clusterArn()) != target) {
                throw new IllegalArgumentException("one move points every alias at the same cluster: " + records);
            }
            expectedStates(record.aliasName(), target).forEach(states::put);
        }
        cluster.updateStates(states);
        // The id carries what the move set, so isInSync can read the controls back without any stored state.
        return CHANGE_ID_PREFIX + target.name().toLowerCase() + ":" + String.join(",", records.stream().map(BootstrapAliasRecord::aliasName).toList());
    }

    @Override
    public boolean isInSync(String changeId) {
        if (!changeId.startsWith(CHANGE_ID_PREFIX)) {
            throw new IllegalArgumentException("not a routing control change: " + changeId);
        }
        String[] parts = changeId.substring(CHANGE_ID_PREFIX.length()).split(":", 2);
        Side target = Side.valueOf(parts[0].toUpperCase());
        for (String alias : Arrays.stream(parts[1].split(",")).filter(a -> !a.isBlank()).toList()) {
            for (var expected : expectedStates(alias, target).entrySet()) {
                if (cluster.isOn(expected.getKey()) != expected.getValue()) {
                    return false;
                }
            }
        }
        return true;
    }

    private Map<String, Boolean> expectedStates(String alias, Side target) {
        AliasControls controls = controlsByAlias.get(alias);
        if (controls == null) {
            throw new DependencyFailedException("alias " + alias + " has no routing controls (ARC_ROUTING_CONTROLS names "
                    + controlsByAlias.keySet() + ")");
        }
        Map<String, Boolean> states = new LinkedHashMap<>();
        states.put(controls.primaryControlArn(), target == Side.PRIMARY);
        states.put(controls.secondaryControlArn(), target == Side.SECONDARY);
        return states;
    }

    private Side sideOf(String clusterArn) {
        if (primary.clusterArn().equals(clusterArn)) {
            return Side.PRIMARY;
        }
        if (secondary.clusterArn().equals(clusterArn)) {
            return Side.SECONDARY;
        }
        throw new DependencyFailedException("cluster " + clusterArn + " has no alias records of its own (only "
                + primary.clusterArn() + " and " + secondary.clusterArn() + ")");
    }
}
