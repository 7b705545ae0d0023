package com.mskfailover.replicator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
class MainTest {

    @Test
    void aMissingVariableExitsNonZeroWithOneLineNamingIt() throws Exception {
        List<JsonNode> output = runMain(Map.of("TARGET_BOOTSTRAP_SERVERS", "127.0.0.1:1"));
        assertEquals(1, output.size(), "one line: " + output);
        assertEquals("ERROR", output.getFirst().path("level").asText(), output.getFirst().toString());
        assertTrue(output.getFirst().path("message").asText().contains("SOURCE_BOOTSTRAP_SERVERS is missing"), output.getFirst().toString());
    }

    @Test
    void aBadVariableExitsNonZeroWithOneLineNamingIt() throws Exception {
        List<JsonNode> output = runMain(Map.of("SOURCE_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "TARGET_BOOTSTRAP_SERVERS", "127.0.0.1:2", "TARGET_AUTH", "kerberos", "REPLICATOR_NAME", "orders"));
        assertEquals(1, output.size(), "one line: " + output);
        assertTrue(output.getFirst().path("message").asText().contains("TARGET_AUTH 'kerberos' is not valid"), output.getFirst().toString());
    }

    /** Runs Main in a child JVM, asserts it exited with the bad-configuration status, returns its (JSON) log lines. */
    private static List<JsonNode> runMain(Map<String, String> env) throws Exception {
        Path log = Files.createTempFile("replicator-main-", ".log");
        Process process = ReplicationTestSupport.startChildJvm(env, log);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(Main.EXIT_BAD_CONFIGURATION, process.exitValue());
        return ReplicationTestSupport.logLines(log, env.getOrDefault("REPLICATOR_NAME", ""));
    }
}
