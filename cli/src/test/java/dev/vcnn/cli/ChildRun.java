package dev.vcnn.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line run as a separate JVM, for what an in-process run cannot show: a run without
 * root's power over permissions, without the Vector API module, with a small heap, or on a full disk.
 */
record ChildRun(int exitCode, String out, String err) {

    /** {@code java [jvmFlags] -cp <the test class path> dev.vcnn.cli.Main [args]} as a list of words. */
    static List<String> command(List<String> jvmFlags, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:-UsePerfData");
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs a command to its end (at most two minutes) and collects its output. */
    static ChildRun run(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("vcnn-child", ".out");
        Path err = Files.createTempFile("vcnn-child", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("the child did not finish: " + command);
            }
            return new ChildRun(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    /** The one line on stderr, where the JVM's own note on incubator modules is not vcnn's. */
    String errLine() {
        List<String> lines = err.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        if (lines.size() != 1) {
            throw new AssertionError("expected one line on stderr, got exit " + exitCode + ":\n" + err);
        }
        return lines.getFirst();
    }

    /** Whether this JVM runs as root, whom file permissions do not stop. */
    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Whether a program is on the PATH (or at the given absolute path). */
    static boolean available(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
