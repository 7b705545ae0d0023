package com.mskfailover.local.stepfunctions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Node side of the local AWS stand-ins (Node 22 from the npm package {@code node}, aws-local-stepfunctions,
 * asl-validator, the CloudFormation resource specification, dynalite), installed on first use with {@code npm ci} from the
 * package-lock.json shipped in this jar.
 *
 * <p>Why install on first use rather than in a build phase: the drill and every module's tests need the same
 * tools from wherever they run, and a fresh machine only guarantees some node and npm. The install goes to a
 * cache directory keyed by the lock file's hash (so a new lock installs afresh), guarded by a file lock so that
 * parallel JVMs install once. Override the directory with {@code -Dlocal.node.dir=...}.
 */
public final class LocalNodeTools {

    private static final String RESOURCE_DIR = "/com/mskfailover/local/stepfunctions/node/";
    private static final List<String> PACKAGE_FILES = List.of("package.json", "package-lock.json");
    private static final List<String> SCRIPTS = List.of("run-asl.mjs", "cfn-spec.mjs", "dynalite.mjs");
    private static final long INSTALL_TIMEOUT_MINUTES = 10;

    private static Path installed;
    private static Path scripts;

    private LocalNodeTools() {
    }

    /** The installed Node project directory (with node_modules), installing it if needed. */
    public static synchronized Path projectDir() {
        if (installed == null) {
            installed = install(targetDir());
        }
        return installed;
    }

    /** The Node 22 binary that the npm package {@code node} installed. */
    public static Path node() {
        return projectDir().resolve("node_modules/node/bin/node");
    }

    /** A file of the installed project, e.g. {@code run-asl.mjs} or {@code node_modules/asl-validator/...}. */
    public static synchronized Path file(String relativePath) {
        Path project = projectDir();
        return SCRIPTS.contains(relativePath) ? scripts.resolve(relativePath) : project.resolve(relativePath);
    }

    private static Path targetDir() {
        String override = System.getProperty("local.node.dir");
        if (override != null) {
            return Path.of(override);
        }
        String lockHash = sha256(readResource("package-lock.json")).substring(0, 12);
        return Path.of(System.getProperty("user.home"), ".cache", "msk-failover", "local-node-" + lockHash);
    }

    private static Path install(Path dir) {
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(dir.resolve(".install.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                for (String name : PACKAGE_FILES) {
                    Files.write(dir.resolve(name), readResource(name));
                }
                // The scripts go to a folder named by their content, below node_modules' folder (Node resolves the
                // packages from the parents): checkouts with other scripts share the install, never each other's scripts.
                java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
                for (String name : SCRIPTS) {
                    content.writeBytes(readResource(name));
                }
                scripts = dir.resolve("scripts-" + sha256(content.toByteArray()).substring(0, 12));
                Files.createDirectories(scripts);
                for (String name : SCRIPTS) {
                    Files.write(scripts.resolve(name), readResource(name));
                }
                Path marker = dir.resolve("node_modules/.installed");
                if (!Files.exists(marker) || !Files.exists(dir.resolve("node_modules/node/bin/node"))) {
                    runNpmCi(dir);
                    Files.writeString(marker, "ok");
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("installing the local Node tools in " + dir, e);
        }
    }

    private static void runNpmCi(Path dir) throws IOException {
        Path log = dir.resolve("npm-ci.log");
        Process process = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!process.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("npm ci in " + dir + " did not finish within " + INSTALL_TIMEOUT_MINUTES + " min; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during npm ci", e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("npm ci in " + dir + " failed (exit " + process.exitValue() + "): " + Files.readString(log));
        }
    }

    private static byte[] readResource(String name) {
        try (InputStream in = LocalNodeTools.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE_DIR + name + " missing from local-testkit");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
