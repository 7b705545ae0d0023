package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.orchestrator.StateMachineRun;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shaded functions.jar (what sam deploys) logs JSON: log4j-core's and log4j-layout-template-json's plugin caches
 * (Log4j2Plugins.dat, one in each) were merged by the shade plugin, else JsonTemplateLayout is not found and Log4j
 * falls back to its default configuration. Runs after {@code package}, with no other jar on the classpath.
 */
class ShadedJarLogsIT {

    @Test
    void theShadedJarPrintsOneJsonObjectPerLineWithTheInvocationsFields() throws Exception {
        Path jar = StateMachineRun.projectRoot().resolve("functions/target/functions.jar");
        assertTrue(Files.exists(jar), jar + " is built by mvn package");
        Path testClasses = StateMachineRun.projectRoot().resolve("functions/target/test-classes");
        Path stdout = Files.createTempFile("functions-jar-", ".out");
        Path stderr = Files.createTempFile("functions-jar-", ".err");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar + File.pathSeparator + testClasses, LambdaInvocationProbe.class.getName())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), Files.readString(stderr));
        assertEquals("", Files.readString(stderr), "nothing on stderr (Log4j reports a configuration problem there)");

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(stdout)) {
            lines.add(json.readTree(line));
        }
        assertEquals(2, lines.size(), Files.readString(stdout));
        for (JsonNode line : lines) {
            assertTrue(line.path("timestamp").asText().matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z"), line.toString());
            assertEquals("INFO", line.path("level").asText(), line.toString());
            assertEquals("probe-execution", line.path("execution").asText(), line.toString());
            assertEquals("NotifyFailoverSucceeded", line.path("state").asText(), line.toString());
            assertEquals("probe-request", line.path("requestId").asText(), line.toString());
        }
        assertEquals(NotifyOperators.class.getName(), lines.get(1).path("logger").asText());
        assertTrue(lines.get(1).path("message").asText().startsWith("NotifyOperators: notified: "), lines.get(1).toString());
    }
}
