package dev.vcnn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What vcnn does when its report cannot be written to standard output, in child JVMs. */
class StandardOutputTest {
    private static final List<String> VECTORS = List.of("--add-modules=jdk.incubator.vector");
    private static final String[] TRAIN = {"train", "--epochs", "1", "--train-size", "100", "--test-size", "50"};

    @Test
    void aFullDiskUnderStandardOutputIsOneLineAndExitCodeOne(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/full")), "no /dev/full");
        Path err = tmp.resolve("err");
        Process process = new ProcessBuilder(ChildRun.command(VECTORS, TRAIN))
                .redirectOutput(new File("/dev/full")).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(2, TimeUnit.MINUTES));
        ChildRun run = new ChildRun(process.exitValue(), "", Files.readString(err, StandardCharsets.UTF_8));
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("vcnn: could not write to standard output (No space left on device)", run.errLine());
    }

    @Test
    void aReaderThatStopsReadingEndsTheRunQuietlyWithExitCodeOne(@TempDir Path tmp) throws Exception {
        Path err = tmp.resolve("err");
        Path model = tmp.resolve("model.npz");
        // 30 epochs and a model to save, which a run that went on after its reader left would get to
        Process process = new ProcessBuilder(ChildRun.command(VECTORS, "train", "--epochs", "30", "--save",
                model.toString())).redirectError(err.toFile()).start();
        process.getInputStream().close(); // as head does once it has its lines
        assertTrue(process.waitFor(2, TimeUnit.MINUTES));
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertEquals(1, process.exitValue(), stderr);
        assertFalse(stderr.contains("vcnn:"), stderr);
        assertFalse(stderr.contains("\tat "), stderr);
        assertEquals(List.of(), Files.list(tmp).filter(file -> !file.equals(err)).toList(),
                "the run must stop at its first lost line: no model, no temporary file");
    }
}
