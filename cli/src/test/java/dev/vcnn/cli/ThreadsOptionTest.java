package dev.vcnn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --threads}: a usage error outside 1 to 256, named in train's summary, and invisible in the results. */
class ThreadsOptionTest {

    @ParameterizedTest
    @ValueSource(strings = {"train", "eval --model none.npz", "predict --model none.npz --index 0", "bench"})
    void threadCountsOutsideOneTo256AreUsageErrors(String command) {
        for (String value : new String[] {"0", "-1", "257", "100000"}) {
            CliRun run = CliRun.of(concat(command.split(" "), "--threads", value));
            assertEquals(2, run.exitCode(), command + " --threads " + value + ": " + run.err());
            assertTrue(run.err().contains("--threads must be from 1 to 256, got " + value + " (this machine has "),
                    run.err());
        }
    }

    @Test
    void trainSaysHowManyThreadsRanAndBatchesGiveTheSameModelOnAnyNumber(@TempDir Path dir) throws Exception {
        Path one = dir.resolve("one.npz");
        Path two = dir.resolve("two.npz");
        CliRun first = CliRun.of("train", "--epochs", "1", "--train-size", "200", "--test-size", "100",
                "--batch", "8", "--momentum", "0.9", "--lr", "0.05", "--threads", "1", "--save", one.toString());
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.out().contains("\nRan on 1 thread.\n"), first.out());
        CliRun second = CliRun.of("train", "--epochs", "1", "--train-size", "200", "--test-size", "100",
                "--batch", "8", "--momentum", "0.9", "--lr", "0.05", "--threads", "2", "--save", two.toString());
        assertEquals(0, second.exitCode(), second.err());
        assertTrue(second.out().contains("\nRan on 2 threads.\n"), second.out());
        assertEquals(first.line("Test Loss: "), second.line("Test Loss: "));
        assertEquals(first.line("Test Accuracy: "), second.line("Test Accuracy: "));

        // eval and predict on the model: the same output on 1 and 2 threads
        for (String[] args : new String[][] {{"eval", "--model", one.toString()},
                {"predict", "--model", one.toString(), "--index", "3"}}) {
            CliRun a = CliRun.of(concat(args, "--threads", "1"));
            CliRun b = CliRun.of(concat(args, "--threads", "2"));
            assertEquals(0, a.exitCode(), a.err());
            assertEquals(a.out(), b.out(), String.join(" ", args));
        }
    }

    @Test
    void perSampleTrainingSaysThreadsOnlyTest() {
        CliRun run = CliRun.of("train", "--epochs", "1", "--train-size", "100", "--test-size", "100", "--threads", "2");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("Ran on 2 threads: per-sample SGD (--batch 1) trains on one, testing on all.",
                run.outLines()[run.outLines().length - 1]);
    }

    @Test
    void aDivergenceOnTwoThreadsIsTheSameOneLineAsOnOne() {
        String[] args = {"train", "--epochs", "1", "--train-size", "200", "--test-size", "10", "--batch", "8",
                "--lr", "1e30"};
        CliRun one = CliRun.of(concat(args, "--threads", "1"));
        CliRun two = CliRun.of(concat(args, "--threads", "2"));
        assertEquals(one.oneLineFailure(), two.oneLineFailure());
    }

    private static String[] concat(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
