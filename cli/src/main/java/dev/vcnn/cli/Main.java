package dev.vcnn.cli;

import picocli.CommandLine;

/** Entry point of the {@code vcnn} command line. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit code: 0 success, 1 data or runtime error, 2 usage error. */
    static int run(String... args) {
        return VcnnCommand.commandLine().execute(args);
    }
}
