package dev.vcnn.cli;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.kernels.Kernels;
import picocli.CommandLine;

/** What {@code --engine} accepts. */
enum EngineChoice {
    vector, scalar;

    static final String HELP = "Kernels to run: ${COMPLETION-CANDIDATES}. Default: vector where this JVM can run it "
            + "(the Vector API module is loaded and the C2 compiler is on), otherwise scalar with a warning.";

    /**
     * The kernels for a choice, where an engine named with --engine that cannot run here is a usage
     * error naming the option and why, and so is a nonsense -Dvcnn.vectorBits.
     */
    static Kernels kernels(EngineChoice choice, CommandLine commandLine) {
        try {
            return kernels(choice);
        } catch (UnsupportedOperationException e) {
            throw new CommandLine.ParameterException(commandLine, "--engine " + choice + " cannot run in this JVM: "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw badVectorBits(commandLine, e);
        }
    }

    /** The vector widths this JVM can run (see KernelSelection), a nonsense -Dvcnn.vectorBits being a usage error. */
    static int[] vectorWidths(CommandLine commandLine) {
        try {
            return KernelSelection.vectorWidths();
        } catch (IllegalArgumentException e) {
            throw badVectorBits(commandLine, e);
        }
    }

    // the property's own message says what is wrong and what would do
    private static CommandLine.ParameterException badVectorBits(CommandLine commandLine, IllegalArgumentException e) {
        return new CommandLine.ParameterException(commandLine, e.getMessage(), e);
    }

    /** The kernels for a choice; an engine asked for by name must run, only the default (null) may fall back. */
    static Kernels kernels(EngineChoice choice) {
        if (choice == null) {
            return KernelSelection.best();
        }
        return switch (choice) {
            case scalar -> KernelSelection.scalar();
            case vector -> KernelSelection.vector();
        };
    }
}
