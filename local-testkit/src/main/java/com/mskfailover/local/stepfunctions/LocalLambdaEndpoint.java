package com.mskfailover.local.stepfunctions;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the Lambda Invoke API ({@code POST /2015-03-31/functions/{name}/invocations}) that runs
 * Java handlers in this JVM. Point an SDK at it with {@code AWS_ENDPOINT_URL_LAMBDA=}{@link #endpoint()}.
 *
 * <p>A handler that throws is answered as the Lambda Java runtime does: status 200, header
 * {@code X-Amz-Function-Error: Unhandled} and {@code {errorType, errorMessage}} where errorType is the
 * exception's class name, which is what a state machine's Retry and Catch match. An unknown function name is a
 * 404 {@code ResourceNotFoundException}. The function name may be a plain name, a full ARN or carry a qualifier
 * (an alias such as {@code :live}); the handler is looked up by the bare name.
 */
public final class LocalLambdaEndpoint implements AutoCloseable {

    private static final Pattern INVOKE_PATH = Pattern.compile("^/2015-03-31/functions/([^/]+)/invocations$");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One invocation as the endpoint saw it. */
    public record Invocation(String functionName, String payload, String response, String errorType) {
    }

    private final Map<String, RequestStreamHandler> handlers;
    private final List<Invocation> invocations = Collections.synchronizedList(new ArrayList<>());
    private final HttpServer server;

    /** Serves the given handlers by function name, on a free loopback port. */
    public LocalLambdaEndpoint(Map<String, ? extends RequestStreamHandler> handlers) {
        this.handlers = Map.copyOf(handlers);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::serve);
        // Parallel and Map states invoke concurrently; a handler that polls must not block the others.
        server.setExecutor(Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "local-lambda");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every invocation so far, in order. */
    public List<Invocation> invocations() {
        synchronized (invocations) {
            return List.copyOf(invocations);
        }
    }

    /** How many times a function was invoked. */
    public long invocationCount(String functionName) {
        return invocations().stream().filter(invocation -> invocation.functionName().equals(functionName)).count();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The bare function name of a name, ARN or partial ARN, without version or alias. */
    static String bareFunctionName(String nameOrArn) {
        String decoded = URLDecoder.decode(nameOrArn, StandardCharsets.UTF_8);
        int functionMarker = decoded.indexOf("function:");
        String afterMarker = functionMarker >= 0 ? decoded.substring(functionMarker + "function:".length()) : decoded;
        int qualifier = afterMarker.indexOf(':');
        return qualifier >= 0 ? afterMarker.substring(0, qualifier) : afterMarker;
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            Matcher matcher = INVOKE_PATH.matcher(exchange.getRequestURI().getRawPath());
            if (!"POST".equals(exchange.getRequestMethod()) || !matcher.matches()) {
                reply(exchange, 404, Map.of("x-amzn-ErrorType", "UnknownOperationException"),
                        Map.of("message", "only Invoke is served here"));
                return;
            }
            String functionName = bareFunctionName(matcher.group(1));
            byte[] payload = exchange.getRequestBody().readAllBytes();
            RequestStreamHandler handler = handlers.get(functionName);
            if (handler == null) {
                reply(exchange, 404, Map.of("x-amzn-ErrorType", "ResourceNotFoundException"),
                        Map.of("Type", "User", "message", "Function not found: " + functionName));
                return;
            }
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            try {
                handler.handleRequest(new ByteArrayInputStream(payload), response, new LocalContext(functionName));
                invocations.add(new Invocation(functionName, new String(payload, StandardCharsets.UTF_8),
                        response.toString(StandardCharsets.UTF_8), null));
                byte[] body = response.size() == 0 ? "null".getBytes(StandardCharsets.UTF_8) : response.toByteArray();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.getResponseHeaders().add("X-Amz-Executed-Version", "$LATEST");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (Throwable failure) {
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("errorMessage", String.valueOf(failure.getMessage()));
                error.put("errorType", failure.getClass().getName());
                error.put("stackTrace", List.of());
                String errorJson = JSON.writeValueAsString(error);
                invocations.add(new Invocation(functionName, new String(payload, StandardCharsets.UTF_8), errorJson,
                        failure.getClass().getName()));
                reply(exchange, 200, Map.of("X-Amz-Function-Error", "Unhandled"), error);
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, Map<String, String> headers, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** The little of the Lambda context a local run can honestly give. */
    private record LocalContext(String functionName, String requestId) implements Context {
        LocalContext(String functionName) {
            this(functionName, UUID.randomUUID().toString());
        }

        @Override public String getAwsRequestId() { return requestId; }
        @Override public String getLogGroupName() { return "/local/" + functionName; }
        @Override public String getLogStreamName() { return "local"; }
        @Override public String getFunctionName() { return functionName; }
        @Override public String getFunctionVersion() { return "$LATEST"; }
        @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-2:000000000000:function:" + functionName; }
        @Override public CognitoIdentity getIdentity() { return null; }
        @Override public ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() { return 300_000; }
        @Override public int getMemoryLimitInMB() { return 1024; }
        @Override public LambdaLogger getLogger() { return LocalContext.LOGGER; }

        private static final LambdaLogger LOGGER = new LambdaLogger() {
            @Override public void log(String message) { System.out.println(message); }
            @Override public void log(byte[] message) { System.out.println(new String(message, StandardCharsets.UTF_8)); }
            @Override public void log(String message, LogLevel level) { System.out.println(level + " " + message); }
        };
    }
}
