package com.mskfailover.orchestrator.aws;

import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.client.BootstrapAliasResolver;
import com.mskfailover.orchestrator.domain.AliasReader;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DetectImpairment reads the aliases as clients do, through DNS; Route 53's control plane only when DNS cannot answer. */
class DnsAliasReaderTest {

    private static final String PRIMARY = "arn:aws:kafka:us-east-1:123456789012:cluster/msk-primary/0f1e2d3c-1";
    private static final List<String> ALIASES = List.of("kafka-producers.msk.internal", "kafka-consumers.msk.internal");

    private final List<String> controlPlaneReads = new ArrayList<>();
    private final AliasReader controlPlane = names -> {
        controlPlaneReads.addAll(names);
        return Map.of("kafka-producers.msk.internal", BootstrapAliasRecord.of("kafka-producers.msk.internal", PRIMARY, "us-east-1", "b-1.control:9098"));
    };

    private static List<String> txt(String alias) {
        return BootstrapAliasRecord.of(alias, PRIMARY, "us-east-1", "b-1.primary:9098,b-2.primary:9098").txtStrings();
    }

    @Test
    void theRecordsComeFromDnsAndRoute53IsNotAsked() {
        Map<String, BootstrapAliasRecord> records = new DnsAliasReader(new BootstrapAliasResolver(DnsAliasReaderTest::txt), controlPlane).read(ALIASES);

        assertEquals(ALIASES, List.copyOf(records.keySet()));
        assertEquals("b-1.primary:9098,b-2.primary:9098", records.get("kafka-consumers.msk.internal").bootstrapServers());
        assertEquals(List.of(), controlPlaneReads);
    }

    @Test
    void aDnsFailureOrAMissingRecordFallsBackToTheRecordsOwnAdapter() {
        BootstrapAliasResolver failing = new BootstrapAliasResolver(name -> {
            throw new IllegalStateException("DNS TXT lookup of " + name + " failed: timeout");
        });
        assertEquals("b-1.control:9098", new DnsAliasReader(failing, controlPlane).read(ALIASES).get("kafka-producers.msk.internal").bootstrapServers());
        assertEquals(ALIASES, controlPlaneReads);

        controlPlaneReads.clear();
        BootstrapAliasResolver zoneNotInThisVpc = new BootstrapAliasResolver(name -> name.startsWith("kafka-producers") ? txt(name) : List.of());
        new DnsAliasReader(zoneNotInThisVpc, controlPlane).read(ALIASES);
        assertTrue(controlPlaneReads.containsAll(ALIASES), "a record DNS does not have is read where it is written");
    }
}
