package dev.vcnn.cli;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.training.KernelWarmup;
import picocli.CommandLine;

/** Entry point of the {@code vcnn} command line. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        StandardOutput stdout = StandardOutput.install();
        System.exit(stdout.exitCode(run(args)));
    }

    /** Runs one command line and returns its exit code: 0 success, 1 data or runtime error, 2 usage error. */
    static int run(String... args) {
        KernelWarmup early = earlyWarmup(args);
        try {
            CommandLine commandLine = VcnnCommand.commandLine();
            ((VcnnCommand) commandLine.getCommand()).handOver(early);
            int exitCode = commandLine.execute(args);
            commandLine.getOut().flush(); // so that a failed write is known before the exit code is
            return exitCode;
        } catch (OutOfMemoryError e) {
            // picocli hands on Errors; this one is the user's to fix like a bad file, with one line, not a trace
            System.err.println("vcnn: out of memory (" + e.getMessage() + "); give Java more heap, e.g."
                    + " VCNN_JAVA_OPTS=-Xmx4g ./vcnn ...");
            return 1;
        } finally {
            if (early != null) {
                early.close(); // still running after a usage error or --help
            }
        }
    }

    // `vcnn train` spends most of a short run waiting for C2 to compile the kernels (see KernelWarmup),
    // so their warm-up starts before picocli has read the options (0.2 s, interpreted): on the vector
    // kernels, which train runs unless told otherwise. Seed job 1.05 -> 0.98 s, median of 10 alternating
    // runs. Nothing is started, and nothing is said, where vectors cannot run or -Dvcnn.vectorBits makes
    // no sense: train reports both itself (a warning, a usage error)
    private static KernelWarmup earlyWarmup(String[] args) {
        if (args.length == 0 || !args[0].equals("train")) {
            return null;
        }
        try {
            return KernelWarmup.start(KernelSelection.vector());
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
