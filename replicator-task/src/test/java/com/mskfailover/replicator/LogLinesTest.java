package com.mskfailover.replicator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * replicator-task's logs as the container prints them (the real log4j2.xml, in a child JVM): JSON lines with the
 * replicator's name from REPLICATOR_NAME and the ECS task's id from the task metadata endpoint.
 */
class LogLinesTest {

    private static final String TASK_ID = "0123456789abcdef0123456789abcdef";

    @Test
    void aLineIsJsonWithTheReplicatorAndTheEcsTaskItRunsAs() throws Exception {
        HttpServer metadata = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        metadata.createContext("/v4/" + TASK_ID + "-1234567890/task", exchange -> {
            byte[] body = ("{\"Cluster\":\"arn:aws:ecs:us-east-2:123456789012:cluster/replicators\","
                    + "\"TaskARN\":\"arn:aws:ecs:us-east-2:123456789012:task/replicators/" + TASK_ID + "\",\"Family\":\"replicator-task\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        metadata.start();
        try {
            String endpoint = "http://127.0.0.1:" + metadata.getAddress().getPort() + "/v4/" + TASK_ID + "-1234567890";
            // A variable missing: the one line Main writes before it exits, as it does before any connection.
            Path output = Files.createTempFile("replicator-logs-", ".log");
            Process process = ReplicationTestSupport.startChildJvm(Map.of("REPLICATOR_NAME", "failback-replicator",
                    "TARGET_BOOTSTRAP_SERVERS", "127.0.0.1:1", TaskMetadata.ENDPOINT_VARIABLE, endpoint), output);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(Main.EXIT_BAD_CONFIGURATION, process.exitValue());

            List<JsonNode> lines = ReplicationTestSupport.logLines(output, "failback-replicator");
            assertEquals(1, lines.size(), "one line: " + Files.readString(output));
            JsonNode line = lines.getFirst();
            assertEquals("ERROR", line.path("level").asText());
            assertEquals(Main.class.getName(), line.path("logger").asText());
            assertTrue(line.path("message").asText().contains("SOURCE_BOOTSTRAP_SERVERS is missing"), line.toString());
            assertEquals(TASK_ID, line.path("task").asText(), line.toString());
            assertTrue(line.path("timestamp").asText().matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z"), line.toString());
        } finally {
            metadata.stop(0);
        }
    }

    @Test
    void outsideEcsOrWithoutAnAnswerTheTaskIsNotKnown() {
        assertEquals("", TaskMetadata.taskId(Map.of()));
        assertEquals("", TaskMetadata.taskId(Map.of(TaskMetadata.ENDPOINT_VARIABLE, "http://127.0.0.1:1/v4/nothing")));
        assertEquals("", TaskMetadata.taskId(Map.of(TaskMetadata.ENDPOINT_VARIABLE, "not a uri")));
    }
}
