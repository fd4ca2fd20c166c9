package dev.vcnn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run the launcher records its start-up cache from: a command it runs that stops accepting its
 * options would leave every run without the cache, silently (the launcher discards the output).
 */
class StartupCacheRunTest {

    @Test
    void everyCommandSucceedsAndNothingIsLeftBehind(@TempDir Path folder) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int exitCode;
        try {
            // Main.run prints to the process's streams, as in the launcher's run
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exitCode = StartupCacheRun.run(folder);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exitCode, () -> printed + err.toString(StandardCharsets.UTF_8));
        assertTrue(printed.contains("Saved the model"), printed);
        assertTrue(printed.contains("Confusion matrix"), printed);
        assertTrue(printed.contains("Drew 8 filters"), printed);
        assertTrue(printed.contains("filters.png: "), printed);
        try (Stream<Path> left = Files.list(folder)) {
            assertEquals(0, left.count());
        }
    }
}
