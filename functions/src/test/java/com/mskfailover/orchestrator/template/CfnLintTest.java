package com.mskfailover.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mskfailover.orchestrator.StateMachineRun;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real cfn-lint (with the SAM translator: it lints the transformed template, each Region's resource types and
 * IAM action names) over template.yaml in every mode, for the secondary Regions the README names, and over
 * templates/arc-control.yaml in us-west-2. Each mode is linted as deployed: a copy of the template whose parameter
 * defaults are that mode's values (what sam deploy's parameter overrides give), so that cfn-lint resolves every Ref.
 * Without cfn-lint the test fails under CI (CI set) and is skipped, saying why, elsewhere.
 */
@Tag("integration")
class CfnLintTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = StateMachineRun.projectRoot();
    private static String cfnLint;

    @BeforeAll
    static void findCfnLint() {
        String command = System.getenv().getOrDefault("CFN_LINT", "cfn-lint");
        String problem;
        try {
            Result version = run(List.of(command, "--version"));
            if (version.exitCode() == 0) {
                cfnLint = command;
                System.out.println("linting with " + version.output().strip());
                return;
            }
            problem = "'" + command + " --version' exited " + version.exitCode() + ": " + version.output();
        } catch (IOException e) {
            problem = "'" + command + "' cannot be run: " + e.getMessage();
        }
        String message = "cfn-lint is needed to lint template.yaml: " + problem
                + ". Install it with 'python3 -m pip install cfn-lint' (bash .ci/run does), or set CFN_LINT to its path.";
        if (System.getenv("CI") != null) {
            fail(message);
        }
        System.out.println("SKIPPED (CI is not set): " + message);
        Assumptions.abort(message);
    }

    /** The Regions the README says the template is checked for (the line that names them, in backticks). */
    static List<String> secondaryRegionsNamedByTheReadme() throws IOException {
        for (String line : ReadmeCommandsTest.documentationLines()) {
            if (line.contains("cfn-lint checks the template") && line.contains("secondary Regions")) {
                List<String> regions = new ArrayList<>();
                Matcher matcher = Pattern.compile("`([a-z]{2}(?:-[a-z]+)+-\\d)`").matcher(line);
                while (matcher.find()) {
                    regions.add(matcher.group(1));
                }
                return regions;
            }
        }
        throw new AssertionError("README.md and docs/ have no line 'cfn-lint checks the template ... secondary Regions `...`'");
    }

    @Test
    void theTemplateInEveryModeHasNoFindingInAnySecondaryRegionTheReadmeNames() throws Exception {
        List<String> regions = secondaryRegionsNamedByTheReadme();
        assertTrue(regions.contains("us-east-2"), "the blog's secondary Region is checked: " + regions);
        SamTemplate template = new SamTemplate();
        Path dir = ROOT.resolve("functions/target/cfn-lint");
        Files.createDirectories(dir);
        List<String> files = new ArrayList<>();
        for (JsonNode aliasMode : template.root().path("Parameters").path("AliasSwitchMode").path("AllowedValues")) {
            for (JsonNode forwardMode : template.root().path("Parameters").path("ForwardReplicationMode").path("AllowedValues")) {
                Map<String, String> values = new LinkedHashMap<>(SamTemplate.DEPLOY_VALUES);
                values.put("AliasSwitchMode", aliasMode.asText());
                values.put("ForwardReplicationMode", forwardMode.asText());
                values.put("ReverseReplicationMode", forwardMode.asText()); // the rule ReverseFlowMatchesTheForwardFlow
                Path copy = dir.resolve("template-" + aliasMode.asText() + "-" + forwardMode.asText() + ".yaml");
                Files.writeString(copy, asDeployed(values));
                files.add(copy.toString());
            }
        }
        assertEquals(4, files.size());
        // The nested applications' templates, on their own; through the copies, what each is given and what is read of it.
        template.nestedTemplates().keySet().forEach(id ->
                files.add(ROOT.resolve(SamTemplate.nestedLocation(template.resources().get(id))).toString()));
        assertEquals(7, files.size(), files.toString());
        List<String> findings = lint(regions, files);
        assertEquals(List.of(), findings, "cfn-lint findings for " + regions);
    }

    /**
     * What {@code sam validate --lint} lints: template.yaml itself, every parameter at its Default, warnings counted
     * (it exits 1 on any finding, which stops a pipeline). Parameters whose default is empty must never reach a policy
     * unless the conditions say they were given.
     */
    @Test
    void templateYamlAsItStandsHasNoFindingAsSamValidateLintSeesIt() throws Exception {
        assertEquals(List.of(), lint(secondaryRegionsNamedByTheReadme(), List.of(ROOT.resolve("template.yaml").toString())),
                "sam validate --lint would exit 1");
    }

    /**
     * cfn-lint checks the contract with each nested template (parameters given, E3043; outputs read, E1010) only when it
     * finds the file: a Location it cannot read is logged, not reported. The check is real: the copy is read through.
     */
    @Test
    void cfnLintReadsTheNestedTemplatesAndFindsAParameterNotGivenOrAnOutputThatDoesNotExist() throws Exception {
        Path dir = ROOT.resolve("functions/target/cfn-lint");
        Files.createDirectories(dir);
        String template = asDeployed(SamTemplate.DEPLOY_VALUES);
        String broken = template.replaceFirst("\n        KafkaAuth: !Ref KafkaAuth\n", "\n").replaceFirst("Outputs\\.ServiceRoleArn", "Outputs.NoSuchOutput");
        assertTrue(broken.length() < template.length(), "the copy lost KafkaAuth");
        Path copy = dir.resolve("template-broken.yaml");
        Files.writeString(copy, broken);
        List<String> findings = lint(List.of("us-east-2"), List.of(copy.toString()));
        assertTrue(findings.stream().anyMatch(f -> f.contains("E3043") && f.contains("KafkaAuth")), findings.toString());
        assertTrue(findings.stream().anyMatch(f -> f.contains("E1010") && f.contains("NoSuchOutput")), findings.toString());
    }

    /**
     * template.yaml as deployed with these parameter values, to be linted from another folder: its nested Locations made
     * absolute (sam build reads them relative to template.yaml).
     */
    private static String asDeployed(Map<String, String> values) throws IOException {
        return withDefaults(Files.readString(ROOT.resolve("template.yaml")), values)
                .replace("Location: templates/", "Location: " + ROOT.resolve("templates") + "/");
    }

    @Test
    void theArcStackHasNoFindingInUsWest2AndCfnLintKnowsItCannotGoElsewhere() throws Exception {
        String arc = ROOT.resolve("templates/arc-control.yaml").toString();
        assertEquals(List.of(), lint(List.of("us-west-2"), List.of(arc)));
        // The check is real: ARC's configuration resources do not exist in the blog's secondary Region.
        List<String> elsewhere = lint(List.of("us-east-2"), List.of(arc));
        assertFalse(elsewhere.isEmpty());
        assertTrue(elsewhere.stream().allMatch(finding -> finding.contains("E3006")), elsewhere.toString());
    }

    /** The template text with each named parameter's Default set (added where it has none). */
    static String withDefaults(String template, Map<String, String> values) {
        String result = template;
        for (var entry : values.entrySet()) {
            Matcher block = Pattern.compile("\n  " + Pattern.quote(entry.getKey()) + ":\n((?:    .*\n)*)").matcher(result);
            if (!block.find()) {
                throw new AssertionError("template.yaml has no parameter " + entry.getKey());
            }
            String body = block.group(1);
            String line = "    Default: '" + entry.getValue() + "'\n";
            String replaced = body.matches("(?s).*    Default: .*") ? body.replaceFirst("    Default: .*\n", Matcher.quoteReplacement(line)) : body + line;
            result = result.substring(0, block.start(1)) + replaced + result.substring(block.end(1));
        }
        return result;
    }

    private static List<String> lint(List<String> regions, List<String> files) throws IOException {
        List<String> command = new ArrayList<>(List.of(cfnLint, "--format", "json", "--regions"));
        command.addAll(regions);
        command.add("--");
        command.addAll(files);
        Result result = run(command);
        JsonNode findings;
        try {
            findings = JSON.readTree(result.output().substring(Math.max(0, result.output().indexOf('['))));
        } catch (IOException e) {
            throw new AssertionError("cfn-lint exited " + result.exitCode() + " without its JSON report: " + result.output(), e);
        }
        List<String> lines = new ArrayList<>();
        for (JsonNode finding : findings) {
            lines.add(Path.of(finding.path("Filename").asText()).getFileName() + ":" + finding.path("Location").path("Start").path("LineNumber").asInt()
                    + " " + finding.path("Level").asText() + " " + finding.path("Rule").path("Id").asText() + " " + finding.path("Message").asText());
        }
        lines.forEach(System.out::println);
        return lines;
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        try {
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException(command + " did not finish in 5 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
