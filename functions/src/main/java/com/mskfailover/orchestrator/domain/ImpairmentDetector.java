package com.mskfailover.orchestrator.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.client.BootstrapAliasRecord;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides whether an alarm state change starts a failover. It starts one only when the alarm is one of the
 * watched ones, is in ALARM now (not only in the event), the primary does not answer a short probe, no failover
 * or failback is running and the aliases still point at the primary. It never starts a failback. A primary that
 * answers but refuses the probe's credentials or permissions is reachable and misconfigured: operators are told,
 * and nothing fails over.
 */
public final class ImpairmentDetector {

    public enum Decision { STARTED, DUPLICATE, IGNORED, REFUSED }

    public record Outcome(Decision decision, String reason, String executionName) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OrchestratorSettings settings;
    private final AlarmStates alarms;
    private final Executions executions;
    private final BootstrapAliases aliases;
    private final KafkaInspector kafka;
    private final Notifier notifier;

    public ImpairmentDetector(OrchestratorSettings settings, AlarmStates alarms, Executions executions,
                              BootstrapAliases aliases, KafkaInspector kafka, Notifier notifier) {
        this.settings = settings;
        this.alarms = alarms;
        this.executions = executions;
        this.aliases = aliases;
        this.kafka = kafka;
        this.notifier = notifier;
    }

    public Outcome onAlarmStateChange(JsonNode event) {
        AlarmStateChange change = AlarmStateChange.parse(event);
        if (!settings.watchedAlarmNames().contains(change.alarmName())) {
            return new Outcome(Decision.IGNORED, "alarm " + change.alarmName() + " is not one of the watched " + settings.watchedAlarmNames(), null);
        }
        if (!"ALARM".equals(change.state())) {
            return new Outcome(Decision.IGNORED, "alarm " + change.alarmName() + " went to " + change.state() + ", not ALARM", null);
        }
        String now = alarms.stateOf(change.alarmName()).orElse("MISSING");
        if (!"ALARM".equals(now)) {
            return new Outcome(Decision.IGNORED, "alarm " + change.alarmName() + " is " + now + " now: the impairment is not confirmed", null);
        }
        List<String> running = executions.running();
        if (!running.isEmpty()) {
            return new Outcome(Decision.REFUSED, "a failover or failback is running: " + running, null);
        }
        Map<String, BootstrapAliasRecord> records = aliases.read(allAliases());
        Set<String> pointedAt = records.values().stream().map(BootstrapAliasRecord::clusterArn).collect(Collectors.toSet());
        if (pointedAt.contains(settings.secondaryClusterArn())) {
            return new Outcome(Decision.REFUSED, pointedAt.size() == 1
                    ? "the aliases already point at the secondary cluster"
                    : "the aliases point at both clusters (a failback stopped half-way): an operator decides", null);
        }
        BootstrapAliasRecord primaryRecord = records.values().stream().findFirst().orElse(null);
        if (primaryRecord != null) {
            KafkaInspector.ProbeResult probe = kafka.probe(primaryRecord.bootstrapServers(), settings.probeTimeout());
            if (probe.refused()) {
                String reason = "the primary answered but refused the probe (" + probe.detail() + "): reachable and misconfigured, "
                        + "not failing over on alarm " + change.alarmName() + "; fix the permissions, or start a failover by hand if the primary is impaired too";
                notifier.publish("MSK failover NOT started: the primary refused the orchestrator's credentials", reason);
                return new Outcome(Decision.REFUSED, reason, null);
            }
            if (probe.reachable()) {
                return new Outcome(Decision.IGNORED, "the primary answered the probe (" + probe.detail()
                        + "): not failing over on the alarm alone; start a failover by hand if needed", null);
            }
        }
        String name = executionName(change);
        boolean started = executions.startFailover(name, failoverInput(change));
        return started
                ? new Outcome(Decision.STARTED, "alarm " + change.alarmName() + " in ALARM since " + change.timestamp() + " and the primary did not answer", name)
                : new Outcome(Decision.DUPLICATE, "execution " + name + " already exists for this alarm state change", name);
    }

    /**
     * The same alarm state change always gives the same name (EventBridge may deliver an event twice and the
     * alarm may be re-evaluated), so Step Functions' name uniqueness turns duplicates into no-ops.
     */
    static String executionName(AlarmStateChange change) {
        String digest = sha256(change.alarmName() + "|" + change.timestamp()).substring(0, 16);
        String readable = change.alarmName().replaceAll("[^A-Za-z0-9_-]", "-");
        String prefix = "failover-" + (readable.length() > 40 ? readable.substring(0, 40) : readable);
        return prefix + "-" + digest;
    }

    private String failoverInput(AlarmStateChange change) {
        ObjectNode input = JSON.createObjectNode();
        input.put("primaryClusterArn", settings.primaryClusterArn());
        input.put("secondaryClusterArn", settings.secondaryClusterArn());
        input.put("reason", "alarm " + change.alarmName() + " in ALARM since " + change.timestamp() + ": " + change.reason());
        return input.toString();
    }

    private List<String> allAliases() {
        return java.util.stream.Stream.concat(settings.producerAliases().stream(), settings.consumerAliases().stream()).distinct().toList();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fields of an EventBridge "CloudWatch Alarm State Change" event that matter here. */
    record AlarmStateChange(String alarmName, String state, String timestamp, String reason) {
        static AlarmStateChange parse(JsonNode event) {
            if (event == null || !event.isObject()) {
                throw new InvalidInputException("$", "must be an EventBridge event object");
            }
            String source = text(event, "source");
            if (!"aws.cloudwatch".equals(source)) {
                throw new InvalidInputException("source", "must be aws.cloudwatch, not " + source);
            }
            String detailType = text(event, "detail-type");
            if (!"CloudWatch Alarm State Change".equals(detailType)) {
                throw new InvalidInputException("detail-type", "must be 'CloudWatch Alarm State Change', not " + detailType);
            }
            JsonNode detail = event.get("detail");
            if (detail == null || !detail.isObject()) {
                throw new InvalidInputException("detail", "is missing");
            }
            String alarmName = text(detail, "alarmName", "detail.alarmName");
            JsonNode state = detail.get("state");
            if (state == null || !state.isObject()) {
                throw new InvalidInputException("detail.state", "is missing");
            }
            String value = text(state, "value", "detail.state.value");
            String timestamp = text(state, "timestamp", "detail.state.timestamp");
            String reason = state.path("reason").asText("");
            return new AlarmStateChange(alarmName, value, timestamp, reason);
        }

        private static String text(JsonNode node, String field) {
            return text(node, field, field);
        }

        private static String text(JsonNode node, String field, String path) {
            JsonNode value = node.get(field);
            if (value == null || !value.isTextual() || value.asText().isBlank()) {
                throw new InvalidInputException(path, "is missing or not a string");
            }
            return value.asText();
        }
    }
}
