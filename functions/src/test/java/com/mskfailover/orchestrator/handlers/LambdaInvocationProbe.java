package com.mskfailover.orchestrator.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;

/**
 * One invocation of NotifyOperators as a Lambda would make it, for ShadedJarLogsIT to run in a JVM whose only
 * logging is what functions.jar ships: its stdout is the function's log.
 */
public final class LambdaInvocationProbe {

    private LambdaInvocationProbe() {
    }

    public static void main(String[] args) throws IOException {
        NotifyOperators handler = new NotifyOperators(notifyingOnly((subject, message) ->
                LoggerFactory.getLogger("com.mskfailover.orchestrator.aws.SnsNotifier").info("published '{}'", subject)));
        Context context = (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[]{Context.class},
                (proxy, method, arguments) -> method.getName().equals("getAwsRequestId") ? "probe-request" : null);
        String input = "{\"operation\":\"failover\",\"outcome\":\"succeeded\",\"state\":{},"
                + "\"context\":{\"execution\":\"probe-execution\",\"state\":\"NotifyFailoverSucceeded\"}}";
        handler.handleRequest(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), context);
    }

    /** Ports of which NotifyOperators uses only the notifier. */
    private static com.mskfailover.orchestrator.domain.Ports notifyingOnly(com.mskfailover.orchestrator.domain.Notifier notifier) {
        return new com.mskfailover.orchestrator.local.LocalWiring.LocalPorts(null, null, null, null, null, null, notifier, null, null);
    }
}
