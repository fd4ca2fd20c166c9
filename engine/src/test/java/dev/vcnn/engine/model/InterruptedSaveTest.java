package dev.vcnn.engine.model;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Saves that die or fail half way, in a real child JVM running the code vcnn saves with
 * ({@link SaveLoop}): killed with SIGKILL at random moments, or stopped by a file size limit
 * (RLIMIT_FSIZE, the kernel's "File too large", as a full disk would stop it). The file under the
 * final name must always be absent or one complete version, byte for byte.
 */
class InterruptedSaveTest {
    @TempDir
    static Path shared;
    // the bytes of each version, as an uninterrupted save writes them (saves are byte-reproducible)
    static final List<byte[]> versions = new ArrayList<>();

    @BeforeAll
    static void saveEveryVersionOnce() throws Exception {
        for (int v = 0; v < SaveLoop.VERSIONS; v++) {
            Path file = shared.resolve("version-" + v + ".npz");
            SaveLoop.save(file, v);
            versions.add(Files.readAllBytes(file));
        }
    }

    private static ProcessBuilder child(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                SaveLoop.class.getName()));
        command.addAll(List.of(args));
        // stderr holds only the engine's note that it runs scalar here
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    }

    // which version the file is, byte for byte; -1 if it is none of them
    private static int versionOf(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (int v = 0; v < versions.size(); v++) {
            if (Arrays.equals(versions.get(v), bytes)) {
                return v;
            }
        }
        return -1;
    }

    private static List<Path> temporaryFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    void aSaveKilledAtAnyMomentLeavesNothingOrAWholeVersion(@TempDir Path tmp) throws Exception {
        Path target = tmp.resolve("model.npz");
        SplittableRandom random = new SplittableRandom();
        // kill until two kills have landed inside a save (a temporary file is left), at most 30 times:
        // a fixed number of kills at fixed delays all missed once on a loaded machine
        int killsMidWrite = 0;
        int kills = 0;
        while (killsMidWrite < 2 && kills < 30) {
            int kill = kills++;
            Process process = child("loop", target.toString()).start();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                // time one whole save, let 0 to 2 more complete, then kill the next one at a random
                // moment within the time a save took
                int saves = random.nextInt(3);
                long started = 0;
                long took = 0;
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("writing")) {
                        if (took > 0 && saves-- == 0) {
                            break;
                        }
                        started = System.nanoTime();
                    } else if (line.startsWith("saved") && took == 0) {
                        took = System.nanoTime() - started;
                    }
                }
                Thread.sleep(Duration.ofNanos(random.nextLong(Math.max(took, 1))));
                process.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook runs
                assertTrue(process.waitFor(10, TimeUnit.SECONDS));
            }
            if (Files.exists(target)) {
                int version = versionOf(target);
                assertTrue(version >= 0, "after kill " + kill + " the file is no complete version ("
                        + Files.size(target) + " bytes)");
                ModelFile.load(target);
            }
            List<Path> left = temporaryFiles(tmp);
            killsMidWrite += left.isEmpty() ? 0 : 1;
            // a killed save leaves its temporary file beside the target, never under its name
            for (Path temporary : left) {
                assertTrue(temporary.getFileName().toString().startsWith(".model.npz."), temporary.toString());
                Files.delete(temporary);
            }
        }
        // the kills must have hit saves at work, or this test proved nothing about them
        assertTrue(killsMidWrite >= 2, "only " + killsMidWrite + " of " + kills + " kills landed inside a save");
        assertTrue(Files.exists(target), "some save should have completed");
    }

    @Test
    void aSaveStoppedByAFileSizeLimitLeavesTheEarlierVersionByteForByte(@TempDir Path tmp) throws Exception {
        Path target = tmp.resolve("model.npz");
        Files.write(target, versions.get(1));
        // RLIMIT_FSIZE, 512 blocks (256 KB to 512 KB, by the shell's block size), far below the 2.5 MB model:
        // the write fails with EFBIG; the JVM ignores SIGXFSZ, so it sees an IOException, as on a full disk
        Path sh = Path.of("/bin/sh");
        assumeTrue(Files.isExecutable(sh), "no /bin/sh to set a file size limit with");
        List<String> command = new ArrayList<>(child("once", target.toString(), "2").command());
        String quoted = String.join(" ", command.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
        Process process = new ProcessBuilder(sh.toString(), "-c", "ulimit -f 512 && exec " + quoted)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(3, process.exitValue(), out);
        assertEquals(target + ": could not be written (File too large); an earlier file of that name is unchanged", out);
        assertEquals(1, versionOf(target), "the earlier version must be there byte for byte");
        assertEquals(List.of(), temporaryFiles(tmp), "the failed save must remove its temporary file");
    }
}
