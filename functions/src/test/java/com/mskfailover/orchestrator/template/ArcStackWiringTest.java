package com.mskfailover.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.mskfailover.orchestrator.StateMachineRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ARC stack (templates/arc-control.yaml, us-west-2) feeds the main stack through templates/arc-parameters. The
 * script runs for real here, against a stand-in {@code aws} command on PATH that records each call and answers as
 * the AWS CLI would with {@code --output text}: what it prints must be parameters of template.yaml, valid for their
 * AllowedPattern, read from outputs the ARC stack has, with the API calls aimed at us-west-2.
 */
@Tag("integration")
class ArcStackWiringTest {

    private static final Path ROOT = StateMachineRun.projectRoot();

    @TempDir
    Path dir;

    @Test
    void arcParametersPrintsEveryArcParameterOfTheMainStackFromTheArcStacksOutputs() throws Exception {
        Path calls = dir.resolve("calls.txt");
        Path fakeAws = dir.resolve("aws");
        Files.writeString(fakeAws, """
                #!/usr/bin/env bash
                echo "$*" >> "$AWS_CALLS"
                case "$*" in
                  *"cloudformation describe-stacks"*)
                    key="$(printf '%s' "$*" | sed -n "s/.*OutputKey=='\\([A-Za-z]*\\)'.*/\\1/p")"
                    id="$(printf '%s' "$key" | tr 'A-Z' 'a-z' | tr -cd 'a-z')"
                    case "$key" in
                      ArcClusterArn) echo "arn:aws:route53-recovery-control::123456789012:cluster/0123456789abcdef" ;;
                      *) echo "arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef/routingcontrol/$id" ;;
                    esac ;;
                  *"route53-recovery-control-config describe-cluster"*)
                    printf 'us-east-1\\thttps://host-aaa.us-east-1.example.com/v1\\nus-west-2\\thttps://host-bbb.us-west-2.example.com/v1\\n' ;;
                  *) echo "unexpected aws call: $*" >&2; exit 255 ;;
                esac
                """);
        Files.setPosixFilePermissions(fakeAws, PosixFilePermissions.fromString("rwxr-xr-x"));

        ProcessBuilder builder = new ProcessBuilder(ROOT.resolve("templates/arc-parameters").toString(), "msk-failover-arc");
        builder.environment().put("PATH", dir + ":" + System.getenv("PATH"));
        builder.environment().put("AWS_CALLS", calls.toString());
        Process process = builder.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), printed);

        JsonNode parameters = new SamTemplate().root().path("Parameters");
        Map<String, String> overrides = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (String pair : printed.split(" ")) {
            String name = pair.substring(0, pair.indexOf('='));
            String value = pair.substring(pair.indexOf('=') + 1);
            overrides.put(name, value);
            JsonNode parameter = parameters.path(name);
            if (parameter.isMissingNode()) {
                problems.add(name + " is not a parameter of template.yaml");
            } else if (!value.matches(parameter.path("AllowedPattern").asText(".*"))) {
                problems.add(name + "=" + value + " does not match its AllowedPattern " + parameter.path("AllowedPattern").asText());
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(Set.of("ArcClusterEndpoints", "ProducersOnPrimaryRoutingControlArn", "ProducersOnSecondaryRoutingControlArn",
                "ConsumersOnPrimaryRoutingControlArn", "ConsumersOnSecondaryRoutingControlArn"), overrides.keySet());
        assertEquals("us-east-1=https://host-aaa.us-east-1.example.com/v1,us-west-2=https://host-bbb.us-west-2.example.com/v1",
                overrides.get("ArcClusterEndpoints"));

        JsonNode arcOutputs = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("templates/arc-control.yaml").toFile()).path("Outputs");
        Set<String> queried = new TreeSet<>();
        for (String call : Files.readAllLines(calls)) {
            assertTrue(call.contains("--region us-west-2"), "ARC's configuration API is in us-west-2: " + call);
            if (call.contains("describe-stacks")) {
                String key = call.replaceAll(".*OutputKey=='([A-Za-z]+)'.*", "$1");
                queried.add(key);
                assertTrue(arcOutputs.has(key), "templates/arc-control.yaml has no output " + key);
            }
        }
        assertEquals(5, queried.size(), queried.toString());
    }

    @Test
    void arcParametersNamesTheProblemWhenTheStackHasNoSuchOutput() throws IOException, InterruptedException {
        Path fakeAws = dir.resolve("aws");
        Files.writeString(fakeAws, "#!/usr/bin/env bash\necho None\n");
        Files.setPosixFilePermissions(fakeAws, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder builder = new ProcessBuilder(ROOT.resolve("templates/arc-parameters").toString(), "not-the-arc-stack");
        builder.environment().put("PATH", dir + ":" + System.getenv("PATH"));
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, process.exitValue(), output);
        assertTrue(output.contains("stack not-the-arc-stack in us-west-2 has no output ProducersOnPrimaryRoutingControlArn"), output);
    }
}
