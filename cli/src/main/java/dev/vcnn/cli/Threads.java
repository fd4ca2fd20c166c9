package dev.vcnn.cli;

import picocli.CommandLine;

/** {@code --threads N}: how many threads a command computes on, by default every core there is. */
final class Threads {
    static final String TRAIN_HELP = "Threads to compute on, 1 to 256 (default: the available processors). "
            + "With --batch 2 or more each batch is cut into shards of a size that does not depend on N, and "
            + "their gradients are added in one fixed order: the trained model is bit-identical for any N. "
            + "Per-sample SGD (batch 1) stays sequential; threads then speed up only the testing.";
    static final String EVAL_HELP = "Threads to compute on, 1 to 256 (default: the available processors); "
            + "each takes a share of the images, and the results are those of one thread.";

    /**
     * The most {@code --threads} takes. Each thread gets a replica of the network and its buffers, so
     * 100,000 of them ran the seed job out of heap; and past 16 a batch has no shard left to give a
     * thread (a batch has at most 16), so only testing could use more.
     */
    static final int MAX = 256;

    private Threads() {
    }

    /** The number {@code --threads} asks for, or the available processors; a usage error outside 1 to {@link #MAX}. */
    static int resolve(Integer requested, CommandLine commandLine) {
        if (requested == null) {
            return Math.max(1, Math.min(MAX, Runtime.getRuntime().availableProcessors()));
        }
        if (requested < 1 || requested > MAX) {
            throw new CommandLine.ParameterException(commandLine, "--threads must be from 1 to " + MAX + ", got "
                    + requested + " (this machine has " + Runtime.getRuntime().availableProcessors() + " processors)");
        }
        return requested;
    }

    /** "1 thread", "2 threads". */
    static String describe(int threads) {
        return threads + (threads == 1 ? " thread" : " threads");
    }
}
