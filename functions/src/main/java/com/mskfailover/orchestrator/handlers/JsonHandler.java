package com.mskfailover.orchestrator.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.orchestrator.domain.InvalidInputException;
import com.mskfailover.orchestrator.domain.OrchestratorException;
import com.mskfailover.orchestrator.domain.OrchestratorSettings;
import com.mskfailover.orchestrator.domain.Plan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What every handler shares: JSON in (the state's Parameters), JSON out (the state's result), and an input that
 * does not fit failing as {@link InvalidInputException} naming the field. Subclasses parse, call the domain,
 * return.
 *
 * <p>Logs: every line logged during an invocation carries, in the MDC (Log4j2's ThreadContext, fields of the JSON
 * layout), the Step Functions execution name and state name that each Task passes as
 * {@code "context": {"execution.$": "$$.Execution.Name", "state.$": "$$.State.Name"}} (removed from the input
 * before it is read), the Lambda request id, and for an EventBridge alarm event the alarm's name. Each invocation
 * logs one line saying what was decided: INFO with the outcome, WARN for a failure the state reports on purpose
 * ({@link OrchestratorException}), ERROR with the stack trace for any other.
 */
public abstract class JsonHandler<I, O> implements RequestStreamHandler {

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);

    /** The input field with the Step Functions context of the call (see the state machines' Parameters). */
    static final String CONTEXT_FIELD = "context";
    /** MDC keys: the fields an invocation's log lines carry. */
    static final String EXECUTION = "execution";
    static final String STATE = "state";
    static final String REQUEST_ID = "requestId";
    static final String ALARM = "alarm";

    private final Class<I> inputType;
    /** The stack whose plans this handler acts on; null for handlers whose input carries no plan. */
    private final OrchestratorSettings stack;
    private final Logger log = LoggerFactory.getLogger(getClass());

    protected JsonHandler(Class<I> inputType) {
        this(inputType, null);
    }

    /** A handler acting on plans: each input's plan is checked against the stack ({@link Plan#requireServedBy}) first. */
    protected JsonHandler(Class<I> inputType, OrchestratorSettings stack) {
        this.inputType = inputType;
        this.stack = stack;
    }

    /** What the state's Parameters are read as (SnapStartPriming builds its readers before the snapshot). */
    Class<I> inputType() {
        return inputType;
    }

    protected abstract O handle(I input);

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JSON.writeValue(output, invoke(input.readAllBytes(), context == null ? null : context.getAwsRequestId()));
    }

    /** For tests and the drill: the same as a Lambda invocation, without the streams. */
    public final String handleJson(String inputJson) {
        try {
            return JSON.writeValueAsString(invoke(inputJson.getBytes(StandardCharsets.UTF_8), null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private O invoke(byte[] bytes, String requestId) {
        Map<String, String> logContext = new LinkedHashMap<>();
        String name = getClass().getSimpleName();
        try {
            put(logContext, REQUEST_ID, requestId);
            JsonNode tree = readTree(bytes);
            takeLogContext(tree, logContext);
            I parsed = parse(tree);
            if (stack != null && parsed instanceof Inputs.WithPlan withPlan && withPlan.plan() != null) {
                withPlan.plan().requireServedBy(stack);
            }
            O output = handle(parsed);
            log.info("{}: {}", name, Outcomes.describe(output));
            return output;
        } catch (OrchestratorException e) {
            log.warn("{} failed: {}: {}", name, e.getClass().getSimpleName(), e.getMessage());
            throw e;
        } catch (RuntimeException | Error e) {
            log.error("{} failed: {}", name, e.toString(), e);
            throw e;
        } finally {
            logContext.keySet().forEach(MDC::remove);
        }
    }

    /** Moves the Step Functions context out of the input into the log fields; an alarm event gives its alarm's name. */
    private static void takeLogContext(JsonNode tree, Map<String, String> logContext) {
        if (!(tree instanceof ObjectNode object)) {
            return;
        }
        JsonNode context = object.get(CONTEXT_FIELD);
        if (context != null && context.isObject()) {
            object.remove(CONTEXT_FIELD);
            put(logContext, EXECUTION, context.path(EXECUTION).textValue());
            put(logContext, STATE, context.path(STATE).textValue());
        }
        if (object.has("detail-type")) {
            put(logContext, ALARM, object.path("detail").path("alarmName").textValue());
        }
    }

    /** A field of this invocation's log lines, from now until it ends. */
    private static void put(Map<String, String> logContext, String key, String value) {
        if (value != null && !value.isEmpty()) {
            logContext.put(key, value);
            MDC.put(key, value);
        }
    }

    private static JsonNode readTree(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new InvalidInputException("$", "is not JSON: " + e.getMessage());
        }
    }

    private I parse(JsonNode tree) {
        if (inputType == JsonNode.class) {
            return inputType.cast(tree);
        }
        try {
            I value = tree == null || tree.isMissingNode() ? null : JSON.treeToValue(tree, inputType);
            if (value == null) {
                throw new InvalidInputException("$", "is empty");
            }
            return value;
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(reference -> reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw new InvalidInputException(field.isEmpty() ? "$" : field, "does not fit: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("$", "is not JSON: " + e.getMessage());
        }
    }

    /** Fails naming the field when a required part of the input is absent. */
    static <T> T required(T value, String field) {
        if (value == null) {
            throw new InvalidInputException(field, "is missing");
        }
        return value;
    }
}
