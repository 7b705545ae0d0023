package com.mskfailover.client;

import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What Kafka clients call at start-up to learn the active cluster's real broker names from a bootstrap alias:
 *
 * <pre>{@code
 * BootstrapAliasRecord active = BootstrapAliasResolver.dns().resolve("kafka-producers.msk.internal");
 * props.put("bootstrap.servers", active.bootstrapServers());      // real broker names: TLS verification passes
 * props.put("client.dns.lookup", "use_all_dns_ips");
 * // aws-msk-iam-auth signs for the cluster's Region: active.region()
 * }</pre>
 *
 * Kafka clients read bootstrap.servers only when they start, so after a failover or failback, clients restart
 * (or rebuild their producer/consumer) and resolve again. The lookup goes through the JDK's DNS provider (no
 * dependency), to the resolvers of the host (in a VPC, the Route 53 Resolver, which answers for the private
 * hosted zone) or to a given DNS server.
 */
public final class BootstrapAliasResolver {

    /** Where TXT strings come from: DNS in AWS, a local file in the drill. */
    @FunctionalInterface
    public interface TxtLookup {
        /** The character-strings of the TXT record of {@code name}, empty if there is none. */
        List<String> txtStrings(String name);
    }

    private final TxtLookup lookup;

    public BootstrapAliasResolver(TxtLookup lookup) {
        this.lookup = lookup;
    }

    /** Resolves through the host's DNS resolvers. */
    public static BootstrapAliasResolver dns() {
        return new BootstrapAliasResolver(name -> dnsTxt(name, null));
    }

    /** Resolves through one DNS server, e.g. {@code 10.0.0.2} or {@code 127.0.0.1:5353}. */
    public static BootstrapAliasResolver dns(String server) {
        return new BootstrapAliasResolver(name -> dnsTxt(name, server));
    }

    /**
     * Resolves through the host's resolvers ({@code server} null) or one server, giving up after {@code initialTimeout}
     * doubled {@code retries} times: for callers that have a fallback and must not wait out the client's default.
     */
    public static BootstrapAliasResolver dns(String server, java.time.Duration initialTimeout, int retries) {
        return new BootstrapAliasResolver(name -> dnsTxt(name, server, initialTimeout.toMillis(), retries));
    }

    public BootstrapAliasRecord resolve(String aliasName) {
        List<String> strings = lookup.txtStrings(aliasName);
        if (strings.isEmpty()) {
            throw new IllegalStateException("no TXT record for bootstrap alias " + aliasName);
        }
        return BootstrapAliasRecord.fromTxtStrings(aliasName, strings);
    }

    /** Kafka client properties for the alias's active cluster: bootstrap.servers, plus the caller's own. */
    public Properties clientProperties(String aliasName, Map<String, ?> ownProperties) {
        Properties properties = new Properties();
        properties.putAll(ownProperties);
        properties.put("bootstrap.servers", resolve(aliasName).bootstrapServers());
        return properties;
    }

    /**
     * {@link #clientProperties} for a cluster with IAM access control (port 9098; aws-msk-iam-auth on the client's
     * classpath signs with the role's credentials for the Region in the brokers' names). The caller's own
     * properties win.
     */
    public Properties iamClientProperties(String aliasName, Map<String, ?> ownProperties) {
        Properties properties = clientProperties(aliasName, ownProperties);
        properties.putIfAbsent("security.protocol", "SASL_SSL");
        properties.putIfAbsent("sasl.mechanism", "AWS_MSK_IAM");
        properties.putIfAbsent("sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;");
        properties.putIfAbsent("sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler");
        properties.putIfAbsent("client.dns.lookup", "use_all_dns_ips");
        return properties;
    }

    static List<String> dnsTxt(String name, String server) {
        return dnsTxt(name, server, 2000, 3);
    }

    static List<String> dnsTxt(String name, String server, long initialTimeoutMillis, int retries) {
        Hashtable<String, String> environment = new Hashtable<>();
        environment.put(DirContext.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        environment.put(DirContext.PROVIDER_URL, server == null ? "dns:" : "dns://" + server);
        // Bounded: a client start-up must fail clearly, not hang, when DNS does not answer.
        environment.put("com.sun.jndi.dns.timeout.initial", String.valueOf(initialTimeoutMillis));
        environment.put("com.sun.jndi.dns.timeout.retries", String.valueOf(retries));
        try {
            DirContext context = new InitialDirContext(environment);
            try {
                Attributes attributes = context.getAttributes(name, new String[] {"TXT"});
                Attribute txt = attributes.get("TXT");
                if (txt == null) {
                    return List.of();
                }
                // JNDI gives a TXT record's character-strings as one value, quoted strings separated by spaces;
                // several TXT records (not our format) are several values: take the one that is ours.
                List<String> values = new ArrayList<>();
                NamingEnumeration<?> all = txt.getAll();
                while (all.hasMore()) {
                    values.add(String.valueOf(all.next()));
                }
                for (String value : values) {
                    List<String> strings = value.startsWith("\"") ? BootstrapAliasRecord.parseTxtValue(value) : List.of(value.split(" "));
                    if (!strings.isEmpty() && BootstrapAliasRecord.VERSION.equals(strings.getFirst())) {
                        return strings;
                    }
                }
                return values.isEmpty() ? List.of() : BootstrapAliasRecord.parseTxtValue(values.getFirst());
            } finally {
                context.close();
            }
        } catch (javax.naming.NameNotFoundException e) {
            return List.of();
        } catch (NamingException e) {
            throw new IllegalStateException("DNS TXT lookup of " + name + " failed: " + e.getMessage(), e);
        }
    }
}
