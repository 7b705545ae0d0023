package com.mskfailover.orchestrator.domain;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Which cluster a move points the aliases at. */
public enum MoveTarget {
    PRIMARY, SECONDARY;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static MoveTarget parse(String value) {
        return MoveTarget.valueOf(value.toUpperCase(Locale.ROOT));
    }
}
