package com.mskfailover.client;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a Kafka client does at start-up: read the alias TXT record over DNS and use the real broker names. */
class BootstrapAliasResolverTest {

    private static final String CLUSTER = "arn:aws:kafka:us-east-2:123456789012:cluster/msk-secondary/1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809-2";

    @Test
    void resolvesTheActiveClusterOverDnsWithTheBrokersTlsNames() {
        // Six brokers with full MSK names: far more than one 255-byte TXT string could hold.
        String bootstrap = String.join(",", IntStream.rangeClosed(1, 6)
                .mapToObj(i -> "b-" + i + ".msksecondary.abc123.c2.kafka.us-east-2.amazonaws.com:9098").toList());
        BootstrapAliasRecord published = BootstrapAliasRecord.of("kafka-producers.msk.internal", CLUSTER, "us-east-2", bootstrap);
        try (TinyTxtDnsServer dns = new TinyTxtDnsServer()) {
            dns.put("kafka-producers.msk.internal", published.txtStrings());

            BootstrapAliasResolver resolver = BootstrapAliasResolver.dns(dns.address());
            BootstrapAliasRecord resolved = resolver.resolve("kafka-producers.msk.internal");

            assertEquals(bootstrap, resolved.bootstrapServers());
            assertEquals(CLUSTER, resolved.clusterArn());
            assertEquals("us-east-2", resolved.region());
            assertEquals(bootstrap, resolver.clientProperties("kafka-producers.msk.internal", Map.of("acks", "all")).get("bootstrap.servers"));

            // After a flip, the next start-up sees the new cluster.
            dns.put("kafka-producers.msk.internal", BootstrapAliasRecord.of("kafka-producers.msk.internal",
                    CLUSTER.replace("us-east-2", "us-east-1"), "us-east-1", "b-1.mskprimary.x.c1.kafka.us-east-1.amazonaws.com:9098").txtStrings());
            assertEquals("us-east-1", BootstrapAliasResolver.dns(dns.address()).resolve("kafka-producers.msk.internal").region());

            var missing = assertThrows(IllegalStateException.class, () -> resolver.resolve("no-such-alias.msk.internal"));
            assertTrue(missing.getMessage().contains("no-such-alias.msk.internal"), missing.getMessage());
        }
    }

    @Test
    void txtValueRoundTripsThroughRoute53sQuotedForm() {
        BootstrapAliasRecord record = BootstrapAliasRecord.of("a.msk.internal", CLUSTER, "us-east-2", "b-1.x:9098, b-2.x:9098");
        assertEquals("\"v=msk-bootstrap1\" \"cluster=" + CLUSTER + "\" \"region=us-east-2\" \"broker=b-1.x:9098\" \"broker=b-2.x:9098\"", record.txtValue());
        assertEquals(record, BootstrapAliasRecord.fromTxtStrings("a.msk.internal", BootstrapAliasRecord.parseTxtValue(record.txtValue())));
    }

    @Test
    void aTxtRecordThatIsNotAnAliasIsRefusedClearly() {
        var failure = assertThrows(IllegalArgumentException.class,
                () -> BootstrapAliasRecord.fromTxtStrings("a.msk.internal", List.of("google-site-verification=abc")));
        assertTrue(failure.getMessage().contains("not a bootstrap alias"), failure.getMessage());
    }
}
