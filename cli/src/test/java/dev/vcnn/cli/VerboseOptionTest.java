package dev.vcnn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command takes --verbose, and it adds the stack trace to the one-line failure, nothing else. */
class VerboseOptionTest {

    @Test
    void everyCommandListsVerboseInItsHelp() {
        for (String command : new String[] {"train", "eval", "predict", "filters", "bench"}) {
            CliRun run = CliRun.of(command, "--help");
            assertEquals(0, run.exitCode(), command);
            assertTrue(run.out().contains("--verbose"), command + ": " + run.out());
        }
    }

    @Test
    void verboseAddsTheStackTraceToAFailure(@TempDir Path tmp) {
        String missingModel = tmp.resolve("no-model.npz").toString();
        String[][] failing = {
                {"train", "--data", tmp.resolve("no-such-folder").toString()},
                {"eval", "--model", missingModel},
                {"predict", "--model", missingModel, tmp.resolve("digit.png").toString()},
                {"filters", "--model", missingModel, "--out", tmp.resolve("filters.png").toString()},
        };
        for (String[] args : failing) {
            CliRun quiet = CliRun.of(args);
            assertEquals(1, quiet.exitCode(), args[0] + ": " + quiet.err());
            assertFalse(quiet.err().contains("\tat "), args[0] + " without --verbose: " + quiet.err());

            String[] verboseArgs = java.util.Arrays.copyOf(args, args.length + 1);
            verboseArgs[args.length] = "--verbose";
            CliRun verbose = CliRun.of(verboseArgs);
            assertEquals(1, verbose.exitCode(), args[0] + ": " + verbose.err());
            assertTrue(verbose.err().startsWith(quiet.err().lines().findFirst().orElseThrow()),
                    args[0] + ": the same first line with --verbose: " + verbose.err());
            assertTrue(verbose.err().contains("\tat "), args[0] + " with --verbose: " + verbose.err());
        }
    }
}
