package com.mskfailover.contract;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * MirrorMaker 2's grammar for selecting topics and consumer groups ({@code topics}, {@code topics.exclude},
 * {@code groups}, {@code groups.exclude}): a comma-separated list of names and Java regular expressions, each matching
 * whole names. {@code customer,orders\..*} selects {@code customer} and every topic that starts with {@code orders.}.
 * As in MirrorMaker 2, an entry cannot hold a comma (Kafka names never do).
 */
public final class NameSelection {

    private NameSelection() {
    }

    /**
     * The pattern of a list (one alternative per entry); {@code variable} names the setting in the error when an entry is
     * not a valid regular expression, and the error says how to fix it.
     */
    public static Pattern parse(String variable, String list) {
        List<String> alternatives = new ArrayList<>();
        for (String entry : list.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                Pattern.compile(trimmed);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(variable + " entry '" + trimmed + "' is not a valid Java regular expression ("
                        + e.getDescription() + " near index " + e.getIndex() + "): give comma-separated names and regular "
                        + "expressions, as MirrorMaker 2 does, e.g. " + variable + "=customer,orders\\..*");
            }
            alternatives.add("(?:" + trimmed + ")");
        }
        if (alternatives.isEmpty()) {
            throw new IllegalArgumentException(variable + " lists no name: give comma-separated names and regular expressions, "
                    + "e.g. " + variable + "=customer,orders\\..*, or leave it unset");
        }
        return Pattern.compile(String.join("|", alternatives));
    }

    /** The list that selects exactly these names: each escaped where a Kafka name can hold a regex character ('.'). */
    public static String exactly(Collection<String> names) {
        return names.stream().map(name -> name.replace(".", "\\.")).collect(Collectors.joining(","));
    }
}
