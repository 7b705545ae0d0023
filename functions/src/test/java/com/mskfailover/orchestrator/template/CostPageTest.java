package com.mskfailover.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.orchestrator.StateMachineRun;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/cost.md derives its figures from the template, the state machines and the metrics the code writes: Lambda size
 * and architecture, the probe's schedule, the Fargate task's size, the polling intervals, the alarm metrics, the custom
 * metrics. When one of those changes, this fails until the page's arithmetic is redone.
 */
class CostPageTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = StateMachineRun.projectRoot();
    private final SamTemplate template = new SamTemplate();

    /** The page with its line breaks as spaces: a phrase may wrap. */
    private static String page() throws IOException {
        return Files.readString(ROOT.resolve("docs/cost.md")).replaceAll("\\s+", " ");
    }

    private static void pageSays(String text) throws IOException {
        assertTrue(page().contains(text), "docs/cost.md no longer says \"" + text + "\": redo its arithmetic");
    }

    @Test
    void theLambdasAreOneGigabyteX86AndTheProbeRunsEveryMinute() throws IOException {
        JsonNode function = template.root().path("Globals").path("Function");
        assertEquals(1024, function.path("MemorySize").asInt());
        assertEquals("x86_64", function.path("Architectures").get(0).asText());
        template.resourcesOfType("AWS::Serverless::Function").forEach((id, resource) -> {
            assertTrue(resource.path("Properties").path("MemorySize").isMissingNode(), id + " has its own MemorySize");
            assertTrue(resource.path("Properties").path("Architectures").isMissingNode(), id + " has its own Architectures");
        });
        assertEquals("rate(1 minute)", template.resources().get("ProbePrimaryFunction").path("Properties").path("Events")
                .path("EveryMinute").path("Properties").path("Schedule").asText());
        pageSays("Lambda 1,024 MB x86_64");
        pageSays("ProbePrimary `rate(1 minute)`");
        assertEquals("rate(1 minute)", template.resources().get("DetectImpairmentFunction").path("Properties").path("Events")
                .path("RecheckEveryMinute").path("Properties").path("Schedule").asText());
        pageSays("DetectImpairment's re-check `rate(1 minute)`");
        pageSays("43,800 runs (60 x 24 x 365 / 12)");
    }

    @Test
    void theFailbackTaskIsTwoVcpuFourGigabytesX86Linux() throws IOException {
        JsonNode task = template.resources().get("ReplicatorTaskDefinition").path("Properties");
        assertEquals("2048", task.path("Cpu").asText());
        assertEquals("4096", task.path("Memory").asText());
        assertEquals("X86_64", task.path("RuntimePlatform").path("CpuArchitecture").asText());
        assertEquals("LINUX", task.path("RuntimePlatform").path("OperatingSystemFamily").asText());
        pageSays("replicator-task 2 vCPU / 4 GB X86_64 Linux");
        pageSays("(2 x $0.04048 + 4 x $0.004445 = $0.0987/h)");
    }

    @Test
    void thePollingIntervalsAreTheOnesThePageCounts() throws IOException {
        JsonNode failback = JSON.readTree(StateMachineRun.definition("failback").toFile()).path("States");
        JsonNode failover = JSON.readTree(StateMachineRun.definition("failover").toFile()).path("States");
        assertEquals(15, failback.path("WaitForReverseReplication").path("Seconds").asInt());
        assertEquals(15, failback.path("WaitForConsumersToDrain").path("Seconds").asInt());
        for (String aliasWait : List.of("WaitForProducerAliasSync", "WaitForConsumerAliasSync")) {
            assertEquals(5, failback.path(aliasWait).path("Seconds").asInt(), aliasWait);
        }
        assertEquals(5, failover.path("WaitForAliasSync").path("Seconds").asInt());
        pageSays("catch-up polled every 15 s");
        pageSays("3 per alias-sync round (Wait 5 s, check, choice)");
    }

    @Test
    void theAlarmMetricsAreCountedAsThePageCountsThem() throws IOException {
        int all = 0;
        int withoutForwardTask = 0;
        for (var alarm : template.resourcesOfType("AWS::CloudWatch::Alarm").entrySet()) {
            JsonNode properties = alarm.getValue().path("Properties");
            int metrics = 0;
            if (properties.has("MetricName")) {
                metrics = 1;
            } else {
                for (JsonNode query : properties.path("Metrics")) {
                    metrics += query.has("MetricStat") ? 1 : 0;
                }
            }
            assertTrue(metrics > 0, alarm.getKey() + " reads no metric");
            all += metrics;
            if (!"UsesReplicatorTaskForward".equals(alarm.getValue().path("Condition").asText())) {
                withoutForwardTask += metrics;
            }
        }
        assertEquals(15, all);
        assertEquals(14, withoutForwardTask);
        assertEquals("ChecksRpo", template.resources().get("ForwardReplicationOverRpoAlarm").path("Condition").asText());
        pageSays("14 alarm metrics (15 with a forward replicator-task)");
        pageSays("13 with `MaxReplicationLatencySeconds=0`");
    }

    @Test
    void theCustomMetricsAreFourForTheProbeAndSixPerReplicatorName() throws IOException {
        String probe = Files.readString(ROOT.resolve("functions/src/main/java/com/mskfailover/orchestrator/domain/PrimaryProbe.java"));
        String replicator = Files.readString(ROOT.resolve("replicator-task/src/main/java/com/mskfailover/replicator/ReplicationMetrics.java"));
        assertEquals(4, occurrences(probe, "\\\"Name\\\":\\\""));
        assertTrue(probe.contains("\\\"Dimensions\\\":[[\\\"PrimaryCluster\\\"]]"), "one dimension set: PrimaryCluster");
        // Distinct names: the line written while the selection matches no topic repeats SelectedTopics alone.
        assertEquals(6, java.util.regex.Pattern.compile("\\\\\"Name\\\\\":\\\\\"(\\w+)").matcher(replicator).results()
                .map(match -> match.group(1)).distinct().count());
        assertTrue(replicator.contains("\\\"Dimensions\\\":[[\\\"ReplicatorName\\\"]]"), "one dimension set: ReplicatorName");
        pageSays("4 metrics x 1 dimension (`PrimaryCluster`)");
        String preflight = Files.readString(ROOT.resolve("functions/src/main/java/com/mskfailover/orchestrator/domain/PreflightReport.java"));
        assertEquals(1, occurrences(preflight, "\\\"Name\\\":\\\""));
        pageSays("the preflight's `PreflightChecksFailed` (same dimension) $0.30");
        pageSays("a forward replicator-task +6");
    }

    @Test
    void theReadmeAndTheDeployPageLinkToIt() throws IOException {
        assertTrue(Files.readString(ROOT.resolve("README.md")).contains("(docs/cost.md)"), "README.md links docs/cost.md");
        assertTrue(Files.readString(ROOT.resolve("docs/deploy.md")).contains("(cost.md)"), "docs/deploy.md links cost.md");
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }
}
