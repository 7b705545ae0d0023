package com.mskfailover.orchestrator.aws;

import com.mskfailover.orchestrator.domain.DependencyFailedException;
import com.mskfailover.orchestrator.domain.OrchestratorException;
import com.mskfailover.orchestrator.domain.TransientDependencyException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns SDK failures into the two error types the state machines tell apart: worth retrying (throttling,
 * 5xx, I/O, Route 53's PriorRequestNotComplete) or not (everything else, e.g. AccessDenied, InvalidChangeBatch).
 */
final class AwsErrors {

    private static final Set<String> RETRYABLE_CODES = Set.of("PriorRequestNotComplete", "Throttling", "ThrottlingException",
            "TooManyRequestsException", "RequestLimitExceeded", "ServiceUnavailable", "InternalFailure");

    private AwsErrors() {
    }

    static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw translate(what, e);
        }
    }

    static OrchestratorException translate(String what, SdkException e) {
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? "unknown" : service.awsErrorDetails().errorCode();
            String message = what + " failed: " + code + " (HTTP " + service.statusCode() + "): " + service.getMessage();
            if (service.isThrottlingException() || service.statusCode() >= 500 || RETRYABLE_CODES.contains(code)) {
                return new TransientDependencyException(message, e);
            }
            return new DependencyFailedException(message, e);
        }
        if (e instanceof SdkClientException) {
            return new TransientDependencyException(what + " failed: " + e.getMessage(), e);
        }
        return new DependencyFailedException(what + " failed: " + e.getMessage(), e);
    }
}
