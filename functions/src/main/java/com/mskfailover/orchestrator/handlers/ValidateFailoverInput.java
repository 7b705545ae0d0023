package com.mskfailover.orchestrator.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.mskfailover.orchestrator.aws.AwsPorts;
import com.mskfailover.orchestrator.domain.Ports;
import com.mskfailover.orchestrator.domain.Plan;
import com.mskfailover.orchestrator.domain.StartInputValidator;

/** State ValidateFailoverInput: the execution input becomes $.plan, or the execution fails naming the field. */
public final class ValidateFailoverInput extends JsonHandler<JsonNode, Plan> {

    private final StartInputValidator validator;

    public ValidateFailoverInput() {
        this(AwsPorts.shared());
        SnapStartPriming.register(this, null);
    }

    public ValidateFailoverInput(Ports ports) {
        super(JsonNode.class);
        this.validator = new StartInputValidator(ports.settings());
    }

    @Override
    protected Plan handle(JsonNode input) {
        return validator.failover(Inputs.startInput(input));
    }
}
