package dev.vcnn.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the command line with its output captured, and how long it took. */
record CliRun(int exitCode, String out, String err, double seconds) {

    /** A run whose standard output is not a terminal, as under CI or in a pipe. */
    static CliRun of(String... args) {
        return run(false, 0, args);
    }

    /** A run that believes its standard output is a terminal {@code columns} wide. */
    static CliRun onTerminal(int columns, String... args) {
        return run(true, columns, args);
    }

    private static CliRun run(boolean terminal, int columns, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = VcnnCommand.commandLine(() -> terminal, () -> {
            if (!terminal) {
                throw new AssertionError("the width of a terminal that is not there was asked for");
            }
            return columns;
        });
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        long start = System.nanoTime();
        int exitCode = commandLine.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString(), (System.nanoTime() - start) / 1e9);
    }

    String[] outLines() {
        return out.strip().split("\\R");
    }

    /** The value after "Test Accuracy: ". */
    double testAccuracy() {
        return Double.parseDouble(line("Test Accuracy: "));
    }

    /** The rest of the first output line that starts with {@code prefix}. */
    String line(String prefix) {
        for (String line : outLines()) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
        throw new AssertionError("no line starts with '" + prefix + "' in:\n" + out);
    }

    /** Fails unless this run failed with exit code 1 and exactly one line on stderr, which it returns. */
    String oneLineFailure() {
        if (exitCode != 1 || err.strip().lines().count() != 1 || err.contains("\tat ")) {
            throw new AssertionError("expected exit 1 and one line on stderr, got exit " + exitCode + ":\n" + err);
        }
        return err.strip();
    }
}
