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
        try {
            return VcnnCommand.commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands on Errors; this one is the user's to fix like a bad file, with one line, not a trace
            System.err.println("vcnn: out of memory (" + e.getMessage() + "); give Java more heap, e.g."
                    + " VCNN_JAVA_OPTS=-Xmx4g ./vcnn ...");
            return 1;
        }
    }
}
