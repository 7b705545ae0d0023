package com.mskfailover.replicator;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which ECS task this process is: the id in the {@code TaskARN} that the task metadata endpoint (version 4, whose URI
 * ECS gives every container as {@code ECS_CONTAINER_METADATA_URI_V4}) answers at {@code /task}. Every log line carries
 * it (log4j2.xml, field {@code task}); outside ECS, or if the endpoint does not answer at once, it is empty.
 */
final class TaskMetadata {

    static final String ENDPOINT_VARIABLE = "ECS_CONTAINER_METADATA_URI_V4";
    /** The system property log4j2.xml reads the task's id from. */
    static final String TASK_ID_PROPERTY = "replicator.task";

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Pattern TASK_ARN = Pattern.compile("\"TaskARN\"\\s*:\\s*\"([^\"]+)\"");

    private TaskMetadata() {
    }

    /** The task's id (the last part of its ARN), or "" when it is not known. */
    static String taskId(Map<String, String> environment) {
        String endpoint = environment.get(ENDPOINT_VARIABLE);
        if (endpoint == null || endpoint.isBlank()) {
            return "";
        }
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.strip() + "/task")).timeout(TIMEOUT).GET().build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            Matcher arn = TASK_ARN.matcher(response.body());
            if (response.statusCode() == 200 && arn.find()) {
                return arn.group(1).substring(arn.group(1).lastIndexOf('/') + 1);
            }
        } catch (IOException | IllegalArgumentException e) {
            // Not known: the lines go without it rather than the task failing to start.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }
}
