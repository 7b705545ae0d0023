package com.mskfailover.orchestrator.aws;

import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.client.BootstrapAliasResolver;
import com.mskfailover.orchestrator.domain.AliasReader;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The aliases as clients see them: their TXT records through DNS (in the VPC, the Route 53 Resolver answering for
 * the private hosted zone: Route 53's data plane), not Route 53's ListResourceRecordSets, whose control plane in
 * us-east-1 throttles and is the part of Route 53 a Regional event takes down. The records may be up to their TTL
 * old, which changes nothing for the detector (a move in progress is seen as a running execution). Only when DNS
 * fails or lacks a record (the zone not associated with this VPC) does it ask the records' own adapter.
 */
public final class DnsAliasReader implements AliasReader {

    private final BootstrapAliasResolver resolver;
    private final AliasReader fallback;

    public DnsAliasReader(BootstrapAliasResolver resolver, AliasReader fallback) {
        this.resolver = resolver;
        this.fallback = fallback;
    }

    @Override
    public Map<String, BootstrapAliasRecord> read(Collection<String> aliasNames) {
        Map<String, BootstrapAliasRecord> records = new LinkedHashMap<>();
        try {
            for (String alias : aliasNames) {
                records.put(alias, resolver.resolve(alias));
            }
            return records;
        } catch (RuntimeException dnsFailedOrNoRecord) {
            return fallback.read(aliasNames);
        }
    }
}
