package com.mskfailover.orchestrator.local;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mskfailover.client.BootstrapAliasRecord;
import com.mskfailover.client.BootstrapAliasResolver;
import com.mskfailover.orchestrator.domain.BootstrapAliases;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Local bootstrap aliases: a JSON file mapping alias name to its TXT character-strings, exactly what Route 53
 * would serve. It is both the orchestrator's {@link BootstrapAliases} and the clients' {@link BootstrapAliasResolver.TxtLookup},
 * so the drill's clients resolve the alias the way they would through DNS:
 * {@code new BootstrapAliasResolver(aliases).resolve("kafka-producers.msk.local")}.
 *
 * <p>A change replaces all its records in one atomic file move (like a Route 53 change batch). It reports
 * PENDING for {@code checksBeforeInSync} checks before INSYNC, so the wait loop can be seen working.
 */
public final class FileBootstrapAliases implements BootstrapAliases, BootstrapAliasResolver.TxtLookup {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final int checksBeforeInSync;
    private final Map<String, AtomicInteger> pendingChecks = new LinkedHashMap<>();
    private int changeCounter;

    public FileBootstrapAliases(Path file) {
        this(file, 0);
    }

    public FileBootstrapAliases(Path file, int checksBeforeInSync) {
        this.file = file;
        this.checksBeforeInSync = checksBeforeInSync;
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized Map<String, BootstrapAliasRecord> read(Collection<String> aliasNames) {
        Map<String, List<String>> all = load();
        Map<String, BootstrapAliasRecord> records = new LinkedHashMap<>();
        for (String alias : aliasNames) {
            List<String> strings = all.get(alias);
            if (strings != null) {
                records.put(alias, BootstrapAliasRecord.fromTxtStrings(alias, strings));
            }
        }
        return records;
    }

    @Override
    public synchronized String change(List<BootstrapAliasRecord> records, String comment) {
        Map<String, List<String>> all = new TreeMap<>(load());
        records.forEach(record -> all.put(record.aliasName(), record.txtStrings()));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".aliases-", ".json");
            JSON.writeValue(temporary.toFile(), all);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
        String changeId = "local-change-" + (++changeCounter);
        pendingChecks.put(changeId, new AtomicInteger(checksBeforeInSync));
        return changeId;
    }

    @Override
    public synchronized boolean isInSync(String changeId) {
        AtomicInteger remaining = pendingChecks.get(changeId);
        if (remaining == null) {
            throw new IllegalArgumentException("no change " + changeId);
        }
        return remaining.getAndDecrement() <= 0;
    }

    @Override
    public synchronized List<String> txtStrings(String name) {
        return load().getOrDefault(name, List.of());
    }

    private Map<String, List<String>> load() {
        if (!Files.exists(file)) {
            return Map.of();
        }
        try {
            return JSON.readValue(file.toFile(), new TypeReference<Map<String, List<String>>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }
}
