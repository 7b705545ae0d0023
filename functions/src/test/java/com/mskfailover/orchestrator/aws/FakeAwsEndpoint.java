package com.mskfailover.orchestrator.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A local HTTP endpoint standing in for the AWS APIs the orchestrator calls: it records every request as the
 * IAM action it needs ({@code route53:ChangeResourceRecordSets}, {@code ecs:RunTask}, ...) with its body, and
 * answers with what the test's responder returns.
 */
public final class FakeAwsEndpoint implements AutoCloseable {

    /** @param bytes the body as sent (CBOR bodies are binary); {@code body} is it read as UTF-8 */
    public record Request(String action, String method, String path, Map<String, String> headers, String body, byte[] bytes) {
        /** A form field of a query-protocol body (SNS, CloudWatch). */
        public String formField(String name) {
            for (String pair : body.split("&")) {
                int equals = pair.indexOf('=');
                if (equals > 0 && URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8).equals(name)) {
                    return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }
    }

    public record Response(int status, String contentType, byte[] bytes, Map<String, String> headers) {
        public Response(int status, String contentType, String body, Map<String, String> headers) {
            this(status, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
        }

        public static Response xml(String body) {
            return new Response(200, "text/xml", body, Map.of());
        }

        public static Response json(String body) {
            return new Response(200, "application/x-amz-json-1.1", body, Map.of());
        }

        public static Response error(int status, String contentType, String body, String errorType) {
            return new Response(status, contentType, body, Map.of("x-amzn-ErrorType", errorType));
        }
    }

    private static final Map<String, String> JSON_TARGET_PREFIXES = Map.of(
            "AmazonEC2ContainerServiceV20141113", "ecs",
            "AWSStepFunctions", "states",
            "DynamoDB_20120810", "dynamodb",
            "GraniteServiceVersion20100801", "cloudwatch",
            "AmazonSimpleNotificationService", "sns",
            "ToggleCustomerAPI", "route53-recovery-cluster");

    private final HttpServer server;
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile Function<Request, Response> responder;

    public FakeAwsEndpoint(Function<Request, Response> responder) {
        this.responder = responder;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::serve);
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void respondWith(Function<Request, Response> responder) {
        this.responder = responder;
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public List<Request> requests(String action) {
        return requests().stream().filter(request -> request.action().equals(action)).toList();
    }

    /** The env of an AwsPorts whose clients all go to this endpoint (a Region the settings name is kept). */
    public Map<String, String> environment(Map<String, String> settings) {
        Map<String, String> env = new LinkedHashMap<>(settings);
        env.put("AWS_ENDPOINT_URL", uri().toString());
        env.putIfAbsent("AWS_REGION", "us-east-2");
        // Credentials: the SDK's default chain, which the build points at test keys (aws.accessKeyId, ... in the pom).
        return env;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] sent = exchange.getRequestBody().readAllBytes();
            String body = new String(sent, StandardCharsets.UTF_8);
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), String.join(",", values)));
            String path = exchange.getRequestURI().getRawPath();
            Request request = new Request(actionOf(exchange.getRequestMethod(), path, headers, body), exchange.getRequestMethod(),
                    URLDecoder.decode(path, StandardCharsets.UTF_8) + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getQuery()),
                    headers, body, sent);
            requests.add(request);
            Response response = responder.apply(request);
            byte[] bytes = response.bytes();
            exchange.getResponseHeaders().add("Content-Type", response.contentType());
            exchange.getResponseHeaders().add("x-amzn-RequestId", "local-request");
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    static String actionOf(String method, String path, Map<String, String> headers, String body) {
        String target = headers.get("x-amz-target");
        if (target != null) {
            String[] parts = target.split("\\.");
            return JSON_TARGET_PREFIXES.getOrDefault(parts[0], parts[0]) + ":" + parts[1];
        }
        if (path.startsWith("/service/GraniteServiceVersion20100801/operation/")) {
            return "cloudwatch:" + path.substring(path.lastIndexOf('/') + 1);
        }
        if (path.startsWith("/2013-04-01/")) {
            if (path.endsWith("/rrset") || path.endsWith("/rrset/")) {
                return "POST".equals(method) ? "route53:ChangeResourceRecordSets" : "route53:ListResourceRecordSets";
            }
            if (path.contains("/change/")) {
                return "route53:GetChange";
            }
        }
        if (path.startsWith("/v1/clusters/") && path.endsWith("/policy")) {
            return "kafka:GetClusterPolicy";
        }
        if (path.startsWith("/v1/clusters/") && path.endsWith("/bootstrap-brokers")) {
            return "kafka:GetBootstrapBrokers";
        }
        if (path.startsWith("/replication/v1/replicators/")) {
            return "DELETE".equals(method) ? "kafka:DeleteReplicator" : "kafka:DescribeReplicator";
        }
        if (path.equals("/replication/v1/replicators")) {
            return "POST".equals(method) ? "kafka:CreateReplicator" : "kafka:ListReplicators";
        }
        if (path.startsWith("/api/v2/clusters/")) {
            return "kafka:DescribeClusterV2";
        }
        if (body.contains("Action=")) {
            String service = body.contains("Version=2010-03-31") ? "sns" : body.contains("Version=2010-08-01") ? "cloudwatch" : "unknown";
            for (String pair : body.split("&")) {
                if (pair.startsWith("Action=")) {
                    return service + ":" + pair.substring("Action=".length());
                }
            }
        }
        return "unknown:" + method + " " + path;
    }
}
