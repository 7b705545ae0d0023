package com.mskfailover.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a bootstrap alias says: which cluster is active, in which Region, and its real broker names.
 *
 * <p>Published as a DNS TXT record under the alias name, one character-string per fact so that no string
 * passes DNS's 255-byte limit however many brokers there are:
 * <pre>"v=msk-bootstrap1" "cluster=arn:aws:kafka:..." "region=us-east-2" "broker=b-1.x.kafka.us-east-2.amazonaws.com:9098" "broker=..."</pre>
 * Clients use the broker names as they are, so TLS hostname verification sees the names the MSK certificates
 * carry (a CNAME alias would break it).
 */
public record BootstrapAliasRecord(String aliasName, String clusterArn, String region, List<String> brokers) {

    static final String VERSION = "v=msk-bootstrap1";
    private static final int MAX_CHARACTER_STRING = 255;

    public BootstrapAliasRecord {
        brokers = List.copyOf(brokers);
    }

    /** Builds the record for a cluster from its bootstrap string ({@code host:port,host:port}). */
    public static BootstrapAliasRecord of(String aliasName, String clusterArn, String region, String bootstrapServers) {
        List<String> brokers = Arrays.stream(bootstrapServers.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        return new BootstrapAliasRecord(aliasName, clusterArn, region, brokers);
    }

    /** The Kafka {@code bootstrap.servers} value. */
    public String bootstrapServers() {
        return String.join(",", brokers);
    }

    /** The TXT character-strings, unquoted. */
    public List<String> txtStrings() {
        List<String> strings = new ArrayList<>(List.of(VERSION, "cluster=" + clusterArn, "region=" + region));
        brokers.forEach(broker -> strings.add("broker=" + broker));
        for (String string : strings) {
            if (string.length() > MAX_CHARACTER_STRING) {
                throw new IllegalArgumentException("TXT string longer than 255 characters: " + string);
            }
        }
        return strings;
    }

    /** The TXT value as Route 53 takes it: each string in double quotes, separated by spaces. */
    public String txtValue() {
        return String.join(" ", txtStrings().stream().map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"").toList());
    }

    /** Reads the character-strings of a TXT record back; strings that are not ours make it fail with a clear message. */
    public static BootstrapAliasRecord fromTxtStrings(String aliasName, List<String> strings) {
        if (strings.isEmpty() || !VERSION.equals(strings.getFirst())) {
            throw new IllegalArgumentException("TXT record of " + aliasName + " is not a bootstrap alias (expected first string \""
                    + VERSION + "\"): " + strings);
        }
        String cluster = null;
        String region = null;
        List<String> brokers = new ArrayList<>();
        for (String string : strings.subList(1, strings.size())) {
            int equals = string.indexOf('=');
            String key = equals < 0 ? string : string.substring(0, equals);
            String value = equals < 0 ? "" : string.substring(equals + 1);
            switch (key) {
                case "cluster" -> cluster = value;
                case "region" -> region = value;
                case "broker" -> brokers.add(value);
                default -> { /* later versions may add facts; old clients skip them */ }
            }
        }
        if (cluster == null || region == null || brokers.isEmpty()) {
            throw new IllegalArgumentException("TXT record of " + aliasName + " lacks cluster, region or broker: " + strings);
        }
        return new BootstrapAliasRecord(aliasName, cluster, region, brokers);
    }

    /** Parses a TXT value in Route 53's form ({@code "a" "b"}), undoing its escapes. */
    public static List<String> parseTxtValue(String value) {
        List<String> strings = new ArrayList<>();
        StringBuilder current = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (current == null) {
                if (c == '"') {
                    current = new StringBuilder();
                }
            } else if (c == '\\' && i + 1 < value.length()) {
                current.append(value.charAt(++i));
            } else if (c == '"') {
                strings.add(current.toString());
                current = null;
            } else {
                current.append(c);
            }
        }
        return strings;
    }
}
