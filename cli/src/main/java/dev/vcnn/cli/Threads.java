package dev.vcnn.cli;

import picocli.CommandLine;

/** {@code --threads N}: how many threads a command computes on, by default every core there is. */
final class Threads {
    static final String TRAIN_HELP = "Threads to compute on (default: the available processors). With --batch 2 or "
            + "more each batch is cut into shards of a size that does not depend on N, and their gradients are "
            + "added in one fixed order: the trained model is bit-identical for any N. Per-sample SGD (batch 1) "
            + "stays sequential; threads then speed up only the testing.";
    static final String EVAL_HELP = "Threads to compute on (default: the available processors); each takes a "
            + "share of the images, and the results are those of one thread.";

    private Threads() {
    }

    /** The number {@code --threads} asks for, or the available processors; a usage error below 1. */
    static int resolve(Integer requested, CommandLine commandLine) {
        if (requested == null) {
            return Math.max(1, Runtime.getRuntime().availableProcessors());
        }
        if (requested < 1) {
            throw new CommandLine.ParameterException(commandLine, "--threads must be at least 1, got " + requested);
        }
        return requested;
    }

    /** "1 thread", "2 threads". */
    static String describe(int threads) {
        return threads + (threads == 1 ? " thread" : " threads");
    }
}
