package com.mskfailover.orchestrator.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mskfailover.client.BootstrapAliasRecord;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Decides whether a watched alarm starts a failover, on an alarm state change (EventBridge) and again every minute
 * while any watched alarm stays in ALARM (a scheduled re-check), so that an evaluation that failed or was refused
 * (a move running, a dry run) is made again. Nothing happens unless a watched alarm is in ALARM now, no failover or
 * failback runs and the aliases (read through DNS, as clients read them) still point at the primary; then
 * {@link FailoverDecision} weighs fresh evidence: the probe and an acks=all canary write from the secondary, the
 * primary Region's own metrics of the cluster, the user's watched alarms, and whether the probe ever saw the primary
 * reachable. It never starts a failback. What it declines on an alarm state change reaches the operators with its
 * reason; the re-checks stay quiet unless they start a failover (the execution reports itself).
 */
public final class ImpairmentDetector {

    public enum Decision { STARTED, DUPLICATE, IGNORED, REFUSED, NOTIFIED }

    public record Outcome(Decision decision, String reason, String executionName) {
    }

    /** The stack's own alarms (template.yaml): triggers only, the detector measures their signals afresh; any other watched alarm is the user's vote. */
    public static final List<String> STACK_ALARM_SUFFIXES = List.of("-primary-unreachable", "-primary-not-writable");
    /**
     * What the stack's alarms evaluate before they go to ALARM (3 periods of 60 s, template.yaml): the impairment began
     * that long before, and the failover's RPO check reads the replication latency before that moment.
     */
    public static final java.time.Duration STACK_ALARM_EVALUATION = java.time.Duration.ofMinutes(3);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OrchestratorSettings settings;
    private final AlarmStates alarms;
    private final Executions executions;
    private final AliasReader aliases;
    private final KafkaInspector kafka;
    private final Notifier notifier;
    private final PrimaryRegionHealth primaryRegion;
    private final String primaryBootstrapServers;

    public ImpairmentDetector(OrchestratorSettings settings, AlarmStates alarms, Executions executions, AliasReader aliases,
                              KafkaInspector kafka, Notifier notifier, PrimaryRegionHealth primaryRegion, String primaryBootstrapServers) {
        this.settings = settings;
        this.alarms = alarms;
        this.executions = executions;
        this.aliases = aliases;
        this.kafka = kafka;
        this.notifier = notifier;
        this.primaryRegion = primaryRegion;
        this.primaryBootstrapServers = primaryBootstrapServers;
    }

    /** An EventBridge "CloudWatch Alarm State Change" or "Scheduled Event" (the re-check). */
    public Outcome onEvent(JsonNode event) {
        boolean recheck = isScheduledEvent(event);
        AlarmStateChange change = recheck ? null : AlarmStateChange.parse(event);
        if (change != null) {
            if (!settings.watchedAlarmNames().contains(change.alarmName())) {
                return new Outcome(Decision.IGNORED, "alarm " + change.alarmName() + " is not one of the watched " + settings.watchedAlarmNames(), null);
            }
            if (!"ALARM".equals(change.state())) {
                return new Outcome(Decision.IGNORED, "alarm " + change.alarmName() + " went to " + change.state() + ", not ALARM", null);
            }
        }
        Map<String, AlarmStates.State> inAlarm = new TreeMap<>();
        alarms.current(settings.watchedAlarmNames()).forEach((name, state) -> {
            if ("ALARM".equals(state.value())) {
                inAlarm.put(name, state);
            }
        });
        if (change != null && !inAlarm.containsKey(change.alarmName())) {
            return new Outcome(Decision.IGNORED, "alarm " + change.alarmName() + " is "
                    + alarms.stateOf(change.alarmName()).orElse("MISSING") + " now: the impairment is not confirmed", null);
        }
        if (inAlarm.isEmpty()) {
            return new Outcome(Decision.IGNORED, "no watched alarm is in ALARM", null);
        }
        String trigger = change != null ? "alarm " + change.alarmName() + " in ALARM since " + change.timestamp() : "re-check: " + inAlarm.keySet() + " in ALARM";
        List<String> running = executions.running();
        if (!running.isEmpty()) {
            return declined(recheck, Decision.REFUSED, "a failover or failback is running: " + running
                    + "; re-evaluated every minute while a watched alarm stays in ALARM (" + trigger + ")");
        }
        Map<String, BootstrapAliasRecord> records = aliases.read(allAliases());
        Set<String> pointedAt = records.values().stream().map(BootstrapAliasRecord::clusterArn).collect(Collectors.toSet());
        if (pointedAt.contains(settings.secondaryClusterArn())) {
            return pointedAt.size() == 1
                    ? new Outcome(Decision.REFUSED, "the aliases already point at the secondary cluster", null)
                    : declined(recheck, Decision.REFUSED, "the aliases point at both clusters (a failback stopped half-way): an operator decides");
        }
        String bootstrap = records.values().stream().findFirst().map(BootstrapAliasRecord::bootstrapServers).orElse(primaryBootstrapServers);
        FailoverDecision.Verdict verdict = FailoverDecision.decide(evidence(bootstrap, inAlarm.keySet()));
        return switch (verdict.action()) {
            case NONE -> declined(recheck, Decision.IGNORED, verdict.reason() + " (" + trigger + ", decision table row " + verdict.row() + ")");
            case NOTIFY -> declined(recheck, verdict.row() == 1 ? Decision.REFUSED : Decision.NOTIFIED,
                    verdict.reason() + " (" + trigger + ", decision table row " + verdict.row() + ")");
            case FAIL_OVER -> {
                Map.Entry<String, AlarmStates.State> episode = inAlarm.entrySet().stream()
                        .min(Comparator.comparing((Map.Entry<String, AlarmStates.State> entry) -> entry.getValue().since()).thenComparing(Map.Entry::getKey))
                        .orElseThrow();
                String name = executionName(episode.getKey(), episode.getValue().since());
                String reason = trigger + ": " + verdict.reason() + (change != null && !change.reason().isBlank() ? " Alarm: " + change.reason() : "");
                yield executions.startFailover(name, failoverInput(reason, episode.getValue().since().minus(STACK_ALARM_EVALUATION)))
                        ? new Outcome(Decision.STARTED, reason, name)
                        : new Outcome(Decision.DUPLICATE, "execution " + name + " already exists for this episode (" + episode.getKey()
                        + " in ALARM since " + episode.getValue().since() + ")", name);
            }
        };
    }

    /** The evidence, measured now; the primary Region and the arming are asked only when the canary fails. */
    private FailoverDecision.Evidence evidence(String bootstrap, Set<String> inAlarm) {
        List<String> userAlarms = inAlarm.stream().filter(name -> STACK_ALARM_SUFFIXES.stream().noneMatch(name::endsWith)).toList();
        KafkaInspector.ProbeResult probe = kafka.probe(bootstrap, settings.probeTimeout());
        if (probe.refused()) {
            return new FailoverDecision.Evidence(FailoverDecision.SecondaryView.REFUSED, probe.detail(), notAsked(), userAlarms, true);
        }
        if (!probe.reachable()) {
            return new FailoverDecision.Evidence(FailoverDecision.SecondaryView.UNREACHABLE, probe.detail(), primaryRegion.report(), userAlarms,
                    primaryRegion.probeHasSeenPrimaryReachable());
        }
        KafkaInspector.CanaryWrite canary = kafka.writeCanary(bootstrap, PrimaryProbe.CANARY_TOPIC, settings.probeTimeout());
        FailoverDecision.SecondaryView view = switch (canary.outcome()) {
            case WRITTEN -> FailoverDecision.SecondaryView.WRITABLE;
            case REFUSED -> FailoverDecision.SecondaryView.REFUSED;
            case NOT_WRITTEN -> FailoverDecision.SecondaryView.NOT_WRITABLE;
        };
        return new FailoverDecision.Evidence(view, probe.detail() + "; canary: " + canary.detail(),
                view == FailoverDecision.SecondaryView.NOT_WRITABLE ? primaryRegion.report() : notAsked(), userAlarms, true);
    }

    private static PrimaryRegionHealth.Report notAsked() {
        return new PrimaryRegionHealth.Report(PrimaryRegionHealth.Report.Status.SILENT, "not asked: the secondary's view decides");
    }

    /** A decision not to fail over: told to operators when an alarm state change asked, quiet on the minute's re-checks. */
    private Outcome declined(boolean recheck, Decision decision, String reason) {
        if (!recheck) {
            notifier.publish("MSK failover NOT started: " + subject(reason), reason);
        }
        return new Outcome(decision, reason, null);
    }

    private static String subject(String reason) {
        String first = reason.split("[:.;]", 2)[0];
        // SNS subjects: at most 100 characters.
        return first.length() > 60 ? first.substring(0, 60) : first;
    }

    static boolean isScheduledEvent(JsonNode event) {
        return event != null && event.isObject() && "aws.events".equals(event.path("source").asText())
                && "Scheduled Event".equals(event.path("detail-type").asText());
    }

    /**
     * One name per episode: the watched alarm in ALARM the longest, and since when. The alarm's event, a duplicate
     * delivery of it, another watched alarm joining it and the minute's re-checks all name the same execution, so
     * Step Functions' name uniqueness turns all but the first into no-ops.
     */
    static String executionName(String alarmName, Instant since) {
        String digest = sha256(alarmName + "|" + since.toEpochMilli()).substring(0, 16);
        String readable = alarmName.replaceAll("[^A-Za-z0-9_-]", "-");
        String prefix = "failover-" + (readable.length() > 40 ? readable.substring(0, 40) : readable);
        return prefix + "-" + digest;
    }

    /** @param impairedSince when the impairment began: the alarm's ALARM minus what it evaluated to get there */
    private String failoverInput(String reason, Instant impairedSince) {
        ObjectNode input = JSON.createObjectNode();
        input.put("primaryClusterArn", settings.primaryClusterArn());
        input.put("secondaryClusterArn", settings.secondaryClusterArn());
        input.put("reason", reason);
        input.put("impairedSince", impairedSince.toString());
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
