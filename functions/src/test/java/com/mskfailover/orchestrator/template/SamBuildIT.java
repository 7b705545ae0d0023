package com.mskfailover.orchestrator.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.mskfailover.orchestrator.StateMachineRun;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * What {@code sam build && sam deploy} do with the template's local paths, reproduced without the SAM CLI: sam build
 * writes {@code .aws-sam/build/template.yaml} and, in moving it there, rewrites the relative paths of Resources (and
 * Metadata) to be relative to the build folder, but not those of Globals (SAM CLI,
 * {@code samcli/commands/_utils/template.py}, {@code _update_relative_paths} / {@code _resolve_relative_to}).
 * A function with {@code Metadata: BuildMethod: makefile} is built by aws-lambda-builders' CustomMakeWorkflow: its
 * CodeUri folder copied to a scratch folder, then {@code make --makefile <CodeUri>/Makefile build-<LogicalId>} run
 * there with ARTIFACTS_DIR set (one build per function: SAM CLI never shares a makefile build); the built template's
 * CodeUri is that artifacts folder, which sam deploy zips. Runs after {@code package}, so the jar is the one Maven made.
 */
class SamBuildIT {

    /** The local-path properties of the resource types this template uses (SAM CLI's RESOURCES_WITH_LOCAL_PATHS). */
    private static final Map<String, String> LOCAL_PATH_PROPERTIES = Map.of(
            "AWS::Serverless::Function", "CodeUri",
            "AWS::Serverless::StateMachine", "DefinitionUri",
            "AWS::Serverless::LayerVersion", "ContentUri",
            "AWS::Serverless::Api", "DefinitionUri");

    private final Path root = StateMachineRun.projectRoot();
    private final Path buildDir = root.resolve(".aws-sam").resolve("build");

    @Test
    void everyLocalPathOfTheBuiltTemplateExistsAndEveryFunctionsJarHoldsItsHandler() throws IOException {
        SamTemplate template = new SamTemplate();
        JsonNode globals = template.root().path("Globals").path("Function");
        List<String> problems = new ArrayList<>();
        Map<String, String> builtCodeUris = new LinkedHashMap<>();
        for (var entry : template.resources().entrySet()) {
            String type = entry.getValue().path("Type").asText();
            String property = LOCAL_PATH_PROPERTIES.get(type);
            if (property == null) {
                continue;
            }
            JsonNode own = entry.getValue().path("Properties").path(property);
            // A resource's own path is rewritten; a path it takes from Globals is copied as it is.
            String built = own.isTextual() ? rewritten(own.asText())
                    : type.equals("AWS::Serverless::Function") ? globals.path(property).asText(null) : null;
            if (built == null) {
                problems.add(entry.getKey() + ": no " + property + " at all");
                continue;
            }
            Path target = buildDir.resolve(built).normalize();
            if (!Files.exists(target)) {
                problems.add(entry.getKey() + ": the built template's " + property + " '" + built + "' is " + target + ", which does not exist"
                        + (own.isTextual() ? "" : " (a Globals path is not rewritten by sam build: put " + property + " on the resource)"));
                continue;
            }
            if (type.equals("AWS::Serverless::Function")) {
                builtCodeUris.put(entry.getKey(), own.asText());
                expectBuiltByTheMakefile(entry.getKey(), entry.getValue(), target, problems);
            }
        }
        // A nested application's template is built into .aws-sam/build/<its logical id>/template.yaml and its Location
        // rewritten to that (SAM CLI, build_context.py: stack.get_output_template_path); sam deploy uploads it. It must be
        // a template sam build can read, and hold no local path of its own that would need building.
        template.nestedTemplates().forEach((id, nested) -> {
            Path location = root.resolve(SamTemplate.nestedLocation(template.resources().get(id)));
            if (!Files.isRegularFile(location) || !nested.path("Resources").isObject()) {
                problems.add(id + ": Location " + location + " is not a template");
            }
            nested.path("Resources").fields().forEachRemaining(resource -> {
                if (LOCAL_PATH_PROPERTIES.containsKey(resource.getValue().path("Type").asText())) {
                    problems.add(id + ": nested resource " + resource.getKey() + " has a local path; keep those in template.yaml");
                }
            });
        });
        assertEquals(List.of(), problems);
        assertEquals(3, template.nestedTemplates().size(), template.nestedTemplates().keySet().toString());
        assertEquals(template.resourcesOfType("AWS::Serverless::Function").size(), builtCodeUris.size(), builtCodeUris.toString());
        builtCodeUris.values().forEach(uri -> assertEquals("functions/sam-build", uri));
    }

    @Test
    void theDeployedJarHoldsOnlyWhatRunsInAws() throws IOException {
        try (ZipFile jar = new ZipFile(root.resolve("functions/target/functions.jar").toFile())) {
            List<String> harness = jar.stream().map(ZipEntry::getName)
                    .filter(name -> name.startsWith("com/mskfailover/orchestrator/local/") || name.startsWith("com/mskfailover/local/")
                            || name.startsWith("org/junit/") || name.startsWith("kafka/server/"))
                    .toList();
            assertEquals(List.of(), harness, "local stand-ins, the test kit or test libraries in the deployed jar");
            assertTrue(jar.getEntry("com/mskfailover/orchestrator/aws/AwsPorts.class") != null, "the jar is the functions' jar");
        }
    }

    /**
     * The function built as CustomMakeWorkflow builds it, in a scratch copy of its CodeUri folder; the jar Maven made is
     * taken as it is ({@code make -o}: never rebuilt here, inside the Maven build that made it). Its artifacts folder must
     * hold the jar under lib/ (on the Java runtime's classpath) with the function's handler.
     */
    private static void expectBuiltByTheMakefile(String id, JsonNode function, Path codeUri, List<String> problems) throws IOException {
        if (!"makefile".equals(function.path("Metadata").path("BuildMethod").asText())) {
            problems.add(id + ": Metadata BuildMethod is not makefile: sam build would not build its jar");
            return;
        }
        Path scratch = Files.createTempDirectory("sam-scratch");
        Path artifacts = Files.createTempDirectory("sam-artifacts").resolve(id);
        try {
            try (var files = Files.list(codeUri)) {
                for (Path file : files.toList()) {
                    Files.copy(file, scratch.resolve(file.getFileName()));
                }
            }
            Path jar = StateMachineRun.projectRoot().resolve("functions/target/functions.jar");
            SamMakefileTest.Make make = SamMakefileTest.make(scratch, Map.of("ARTIFACTS_DIR", artifacts.toString()),
                    "--makefile", codeUri.resolve("Makefile").toString(), "-o", jar.toString(), "build-" + id);
            if (make.exitCode() != 0) {
                problems.add(id + ": make exited " + make.exitCode() + ": " + make.output());
                return;
            }
            Path built = artifacts.resolve("lib/functions.jar");
            String handler = function.path("Properties").path("Handler").asText();
            String classFile = handler.substring(0, handler.indexOf("::")).replace('.', '/') + ".class";
            try (ZipFile zip = new ZipFile(built.toFile())) {
                if (zip.getEntry(classFile) == null) {
                    problems.add(id + ": " + built + " has no " + classFile);
                }
            }
        } finally {
            SamMakefileTest.deleteRecursively(scratch);
            SamMakefileTest.deleteRecursively(artifacts.getParent());
        }
    }

    /** SAM CLI's _resolve_relative_to: os.path.relpath(os.path.normpath(os.path.join(original_root, path)), new_root). */
    private String rewritten(String path) {
        if (path.startsWith("s3://") || path.startsWith("http://") || path.startsWith("https://") || Path.of(path).isAbsolute()) {
            return path;
        }
        return buildDir.relativize(root.resolve(path).normalize()).toString();
    }
}
