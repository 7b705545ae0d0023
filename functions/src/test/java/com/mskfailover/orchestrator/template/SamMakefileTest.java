package com.mskfailover.orchestrator.template;

import com.mskfailover.orchestrator.StateMachineRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * functions/sam-build/Makefile run as sam build runs it (aws-lambda-builders' CustomMakeWorkflow: {@code make --makefile
 * <CodeUri>/Makefile build-<LogicalId>} in a scratch copy of the CodeUri folder, ARTIFACTS_DIR set), with a stand-in
 * {@code mvn} first on the PATH that records how it was called: the real Maven build is {@link SamBuildIT}'s jar.
 */
class SamMakefileTest {

    private static final Path ROOT = StateMachineRun.projectRoot();
    private static final Path MAKEFILE = ROOT.resolve("functions/sam-build/Makefile");

    @TempDir
    Path dir;

    @Test
    void withoutTheJarSamBuildRunsMavenFromTheProjectRootAndGivesTheFunctionTheJarUnderLib() throws IOException {
        Path jar = dir.resolve("target/functions.jar");
        Make make = build(jar, "touch \"$FAKE_JAR_TO_WRITE\"; exit 0");
        assertEquals(0, make.exitCode(), make.output());
        assertEquals(List.of(ROOT.toRealPath().toString(), "-B -pl functions -am package -DskipTests"), Files.readAllLines(dir.resolve("mvn-called")));
        assertTrue(Files.isRegularFile(dir.resolve("artifacts/lib/functions.jar")), make.output());
    }

    @Test
    void aFailedMavenBuildFailsSamBuildAndGivesTheFunctionNothing() throws IOException {
        Make make = build(dir.resolve("target/functions.jar"), "echo '[ERROR] BUILD FAILURE'; exit 1");
        assertNotEquals(0, make.exitCode(), "make (and so sam build) must fail: " + make.output());
        assertTrue(make.output().contains("BUILD FAILURE"), make.output());
        assertFalse(Files.exists(dir.resolve("artifacts/lib/functions.jar")));
    }

    @Test
    void aJarNewerThanEverySourceIsTakenWithoutAnotherMavenBuild() throws IOException {
        Path jar = Files.createDirectories(dir.resolve("target")).resolve("functions.jar");
        Files.writeString(jar, "built");
        Make make = build(jar, "exit 1");
        assertEquals(0, make.exitCode(), make.output());
        assertFalse(Files.exists(dir.resolve("mvn-called")), "Maven ran although the jar was up to date: " + make.output());
        assertEquals("built", Files.readString(dir.resolve("artifacts/lib/functions.jar")));
    }

    @Test
    void samconfigBuildsNeitherFromSamsCacheNorInParallel() throws IOException {
        String samconfig = Files.readString(ROOT.resolve("samconfig.toml"));
        String build = samconfig.substring(samconfig.indexOf("[default.build.parameters]"));
        build = build.substring(0, build.indexOf("\n[", 1) < 0 ? build.length() : build.indexOf("\n[", 1));
        // A cached build hashes only functions/sam-build and would keep a stale jar; parallel makes would race Maven builds.
        assertTrue(build.contains("\ncached = false\n") && build.contains("\nparallel = false\n"), build);
    }

    /** sam build's make for one function, the jar at {@code jar}, a stand-in mvn running {@code mvnScript} after recording its call. */
    private Make build(Path jar, String mvnScript) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\npwd -P > \"" + dir.resolve("mvn-called") + "\"\necho \"$*\" >> \"" + dir.resolve("mvn-called") + "\"\n"
                + "mkdir -p \"$(dirname \"$FAKE_JAR_TO_WRITE\")\"\n" + mvnScript + "\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        Files.copy(MAKEFILE, scratch.resolve("Makefile"));
        return make(scratch, Map.of("ARTIFACTS_DIR", dir.resolve("artifacts").toString(), "FAKE_JAR_TO_WRITE", jar.toString(),
                "PATH", bin + ":" + System.getenv("PATH")), "--makefile", MAKEFILE.toString(), "JAR=" + jar, "build-ProbePrimaryFunction");
    }

    record Make(int exitCode, String output) {
    }

    static Make make(Path workingDirectory, Map<String, String> environment, String... arguments) {
        List<String> command = new ArrayList<>(List.of("make"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("make did not finish in 2 minutes: " + output);
            }
            return new Make(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException("make cannot be run (sam build needs it too): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var paths = Files.walk(path)) {
            for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(each);
            }
        }
    }
}
