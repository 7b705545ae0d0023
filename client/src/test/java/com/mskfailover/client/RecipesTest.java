package com.mskfailover.client;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recipes of docs/clients.md for applications that are not Java, run as written: the Node one against a real
 * DNS server, the shell one with dig's output for the record (dig itself is not on the build machines).
 */
@Tag("integration")
class RecipesTest {

    private static final Path RECIPES = Path.of("recipes").toAbsolutePath();
    private static final String BOOTSTRAP = "b-1.msksecondary.abc123.c2.kafka.us-east-2.amazonaws.com:9098,"
            + "b-2.msksecondary.abc123.c2.kafka.us-east-2.amazonaws.com:9098";
    private static final BootstrapAliasRecord RECORD = BootstrapAliasRecord.of("kafka-producers.msk.internal",
            "arn:aws:kafka:us-east-2:123456789012:cluster/msk-secondary/1a2b3c4d-2", "us-east-2", BOOTSTRAP);

    @Test
    void theNodeRecipeReadsTheBrokersFromDns() throws Exception {
        try (TinyTxtDnsServer dns = new TinyTxtDnsServer()) {
            dns.put("kafka-producers.msk.internal", RECORD.txtStrings());
            Result node = run(List.of("node", RECIPES.resolve("bootstrap.mjs").toString(), "kafka-producers.msk.internal", dns.address()), Map.of());
            assertEquals(0, node.exit(), node.output());
            assertEquals(BOOTSTRAP, node.output().strip());

            Result missing = run(List.of("node", RECIPES.resolve("bootstrap.mjs").toString(), "no-such.msk.internal", dns.address()), Map.of());
            assertTrue(missing.exit() != 0, "an alias with no record fails: " + missing.output());
        }
    }

    @Test
    void theShellRecipeTurnsDigsAnswerIntoTheBootstrapString() throws Exception {
        Path bin = Files.createTempDirectory("fake-dig-");
        Path dig = bin.resolve("dig");
        // What dig +short TXT prints for the record Route 53 holds: its quoted character-strings on one line.
        Files.writeString(dig, "#!/usr/bin/env bash\necho '" + RECORD.txtValue() + "'\n");
        dig.toFile().setExecutable(true);
        Result shell = run(List.of("bash", RECIPES.resolve("bootstrap.sh").toString(), "kafka-producers.msk.internal"),
                Map.of("PATH", bin + ":" + System.getenv("PATH")));
        assertEquals(0, shell.exit(), shell.output());
        assertEquals(BOOTSTRAP, shell.output().strip());
    }

    @Test
    void iamPropertiesCarryTheActiveBrokersAndTheCallersOwnWin() {
        BootstrapAliasResolver resolver = new BootstrapAliasResolver(name -> RECORD.txtStrings());
        var properties = resolver.iamClientProperties("kafka-producers.msk.internal", Map.of("client.dns.lookup", "default"));
        assertEquals(BOOTSTRAP, properties.get("bootstrap.servers"));
        assertEquals("AWS_MSK_IAM", properties.get("sasl.mechanism"));
        assertEquals("default", properties.get("client.dns.lookup"));
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, "timed out: " + output);
        }
        return new Result(process.exitValue(), output);
    }
}
