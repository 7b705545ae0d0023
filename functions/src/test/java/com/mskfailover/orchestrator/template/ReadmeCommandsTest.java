package com.mskfailover.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.orchestrator.StateMachineRun;
import com.mskfailover.orchestrator.domain.PrimaryProbe;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The samples and the README's commands fit the stack as samconfig.toml deploys it: the alarm events are the
 * stack's own alarm (name, Region, metric), every stack output a command reads exists, every parameter a command or
 * samconfig.toml passes exists and satisfies its constraints.
 */
class ReadmeCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = StateMachineRun.projectRoot();
    private final SamTemplate template = new SamTemplate();

    private static String samconfig(String key) throws IOException {
        Matcher matcher = Pattern.compile("(?m)^" + key + " = \"([^\"]*)\"").matcher(Files.readString(ROOT.resolve("samconfig.toml")));
        assertTrue(matcher.find(), "samconfig.toml has no " + key);
        return matcher.group(1);
    }

    /** README.md, then every page of docs/: where the commands users run are written. */
    static java.util.List<String> documentationLines() throws IOException {
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(ROOT.resolve("README.md")));
        try (var pages = Files.list(ROOT.resolve("docs"))) {
            for (Path page : pages.filter(path -> path.toString().endsWith(".md")).sorted().toList()) {
                lines.addAll(Files.readAllLines(page));
            }
        }
        return lines;
    }

    private static String readmeCode() throws IOException {
        StringBuilder code = new StringBuilder();
        boolean inBlock = false;
        for (String line : documentationLines()) {
            if (line.startsWith("```")) {
                inBlock = !inBlock && line.startsWith("```bash");
                continue;
            }
            if (inBlock) {
                code.append(line).append('\n');
            }
        }
        return code.toString();
    }

    @Test
    void theSampleAlarmEventsAreTheStacksOwnAlarmAsSamconfigDeploysIt() throws IOException {
        JsonNode alarm = template.resources().get("PrimaryUnreachableAlarm").path("Properties");
        String stack = samconfig("stack_name");
        String region = samconfig("region");
        String primaryArn = "arn:aws:kafka:us-east-1:123456789012:cluster/msk-primary/0f1e2d3c-1"; // the blog's msk-primary
        for (String sample : List.of("alarm-primary-impaired.json", "alarm-primary-recovered.json")) {
            JsonNode event = JSON.readTree(StateMachineRun.event(sample).toFile());
            String name = alarm.path("AlarmName").asText().replace("${AWS::StackName}", stack);
            assertEquals(name, event.path("detail").path("alarmName").asText(), sample);
            assertEquals(region, event.path("region").asText(), sample + ": alarms are regional; the stack's is in its Region");
            assertTrue(event.path("resources").get(0).asText().matches("arn:aws:cloudwatch:" + region + ":\\d{12}:alarm:" + name), sample);
            JsonNode metric = event.path("detail").path("configuration").path("metrics").get(0).path("metricStat").path("metric");
            assertEquals(alarm.path("Namespace").asText(), metric.path("namespace").asText(), sample);
            assertEquals(alarm.path("MetricName").asText(), metric.path("name").asText(), sample);
            String dimension = alarm.path("Dimensions").get(0).path("Name").asText();
            assertEquals(PrimaryProbe.clusterName(primaryArn), metric.path("dimensions").path(dimension).asText(), sample);
        }
        // Watched without any WatchedAlarmNames: by the function's setting and by the EventBridge rule.
        String watched = template.resources().get("DetectImpairmentFunction").path("Properties").path("Environment").path("Variables").path("WATCHED_ALARM_NAMES").toString();
        assertTrue(watched.contains(alarm.path("AlarmName").asText()), watched);
        JsonNode rule = template.resources().get("DetectImpairmentFunction").path("Properties").path("Events").path("AlarmStateChange");
        assertTrue(rule.toString().contains(alarm.path("AlarmName").asText()), rule.toString());
    }

    @Test
    void everyStackOutputTheReadmeReadsExists() throws IOException {
        Set<String> outputs = new TreeSet<>();
        template.root().path("Outputs").fieldNames().forEachRemaining(outputs::add);
        String code = readmeCode();
        Set<String> read = new TreeSet<>();
        Matcher helper = Pattern.compile("\\$\\(out ([A-Za-z]+)\\)").matcher(code);
        while (helper.find()) {
            read.add(helper.group(1));
        }
        assertTrue(read.containsAll(Set.of("FailoverStateMachineArn", "FailbackStateMachineArn", "DetectImpairmentFunctionName")), read.toString());
        read.removeAll(outputs);
        assertEquals(Set.of(), read, "outputs the README reads that template.yaml does not have");
        Matcher sample = Pattern.compile("(?:events|templates)/[A-Za-z0-9._-]+").matcher(code);
        while (sample.find()) {
            assertTrue(Files.exists(ROOT.resolve(sample.group())), sample.group() + " is named by a command but does not exist");
        }
    }

    @Test
    void everyParameterPassedBySamconfigOrTheReadmeExistsAndIsAllowed() throws IOException {
        JsonNode parameters = template.root().path("Parameters");
        List<String> problems = new ArrayList<>();
        for (String pair : samconfig("parameter_overrides").split(" ")) {
            check(parameters, pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1), "samconfig.toml", problems);
        }
        Matcher overrides = Pattern.compile("sam deploy --parameter-overrides ((?:[A-Za-z]+=\\S+ (?:\\\\\\n\\s*)?)+)").matcher(readmeCode());
        int commands = 0;
        while (overrides.find()) {
            commands++;
            for (String pair : overrides.group(1).replace("\\\n", " ").trim().split("\\s+")) {
                String value = pair.substring(pair.indexOf('=') + 1);
                // Placeholders such as b-1.msksecondary...:9098 stand for the reader's value; names must still exist.
                check(parameters, pair.substring(0, pair.indexOf('=')), value.contains("...") ? null : value, "README", problems);
            }
        }
        assertTrue(commands >= 1, "the README's ARC deploy command");
        assertEquals(List.of(), problems);
    }

    private static void check(JsonNode parameters, String name, String value, String where, List<String> problems) {
        JsonNode parameter = parameters.path(name);
        if (parameter.isMissingNode()) {
            problems.add(where + ": " + name + " is not a parameter of template.yaml");
            return;
        }
        if (value == null) {
            return;
        }
        if (parameter.has("AllowedValues")) {
            List<String> allowed = new ArrayList<>();
            parameter.path("AllowedValues").forEach(v -> allowed.add(v.asText()));
            if (!allowed.contains(value)) {
                problems.add(where + ": " + name + "=" + value + " is not one of " + allowed);
            }
        }
        if (parameter.has("AllowedPattern") && !value.matches(parameter.path("AllowedPattern").asText())) {
            problems.add(where + ": " + name + "=" + value + " does not match " + parameter.path("AllowedPattern").asText());
        }
        if (parameter.has("MinValue") && Long.parseLong(value) < parameter.path("MinValue").asLong()
                || parameter.has("MaxValue") && Long.parseLong(value) > parameter.path("MaxValue").asLong()) {
            problems.add(where + ": " + name + "=" + value + " is outside " + parameter.path("MinValue") + ".." + parameter.path("MaxValue"));
        }
    }
}
