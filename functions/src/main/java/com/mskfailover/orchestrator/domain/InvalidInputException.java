package com.mskfailover.orchestrator.domain;

/** The input names a field that is missing, malformed or unknown; nothing was changed. The message names the field. */
public final class InvalidInputException extends OrchestratorException {
    private final String field;

    public InvalidInputException(String field, String problem) {
        super("input field '" + field + "' " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
