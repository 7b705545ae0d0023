package com.mskfailover.orchestrator.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.orchestrator.domain.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.stream.Collectors;

/**
 * What every handler shares: JSON in (the state's Parameters), JSON out (the state's result), and an input that
 * does not fit failing as {@link InvalidInputException} naming the field. Subclasses parse, call the domain,
 * return.
 */
public abstract class JsonHandler<I, O> implements RequestStreamHandler {

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);

    private final Class<I> inputType;

    protected JsonHandler(Class<I> inputType) {
        this.inputType = inputType;
    }

    protected abstract O handle(I input);

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JSON.writeValue(output, handle(parse(input.readAllBytes())));
    }

    /** For tests and the drill: the same as a Lambda invocation, without the streams. */
    public final String handleJson(String inputJson) {
        try {
            return JSON.writeValueAsString(handle(parse(inputJson.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private I parse(byte[] bytes) {
        try {
            if (inputType == JsonNode.class) {
                return inputType.cast(JSON.readTree(bytes));
            }
            I value = JSON.readValue(bytes, inputType);
            if (value == null) {
                throw new InvalidInputException("$", "is empty");
            }
            return value;
        } catch (JsonMappingException e) {
            String field = e.getPath().stream()
                    .map(reference -> reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw new InvalidInputException(field.isEmpty() ? "$" : field, "does not fit: " + e.getOriginalMessage());
        } catch (IOException e) {
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
