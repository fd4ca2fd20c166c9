package dev.vcnn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TrainCommandTest {
    private static final Pattern STEP =
            Pattern.compile("\\[Step (\\d+)] Past 100 steps: Average Loss (\\d+\\.\\d{3}) \\| Accuracy: (\\d+)%");
    private static final Pattern TEST_LOSS = Pattern.compile("Test Loss: (\\d+\\.\\d+(E-?\\d+)?)");
    private static final Pattern TEST_ACCURACY = Pattern.compile("Test Accuracy: (\\d\\.\\d+)");
    private static final Pattern SUMMARY = Pattern.compile(
            "Trained 3000 images in \\d+\\.\\d{3} s \\([\\d,]+ images/s\\) with the (.+) engine, seed (\\d+)\\.");

    @Test
    void theSeedJobOnTheBundledDataKeepsThePostsLogShapeAndLearns() {
        CliRun run = CliRun.of("train", "--seed", "3");
        assertEquals(0, run.exitCode(), run.err());
        String[] lines = run.outLines();
        // 1 banner + 3 x (1 header + 10 steps) + testing header + loss + accuracy + summary
        assertEquals(1 + 33 + 4, lines.length, run.out());
        assertEquals("MNIST CNN initialized!", lines[0]);
        int k = 1;
        for (int epoch = 1; epoch <= 3; epoch++) {
            assertEquals("--- Epoch " + epoch + " ---", lines[k++]);
            for (int step = 100; step <= 1000; step += 100) {
                Matcher m = STEP.matcher(lines[k++]);
                assertTrue(m.matches(), lines[k - 1]);
                assertEquals(step, Integer.parseInt(m.group(1)));
            }
        }
        assertEquals("--- Testing the CNN ---", lines[k++]);
        assertTrue(TEST_LOSS.matcher(lines[k++]).matches(), lines[k - 1]);
        Matcher accuracy = TEST_ACCURACY.matcher(lines[k++]);
        assertTrue(accuracy.matches(), lines[k - 1]);
        Matcher summary = SUMMARY.matcher(lines[k]);
        assertTrue(summary.matches(), lines[k]);
        assertEquals("3", summary.group(2));
        // surefire runs with the vector module and C2, so the default must be the vector engine
        assertTrue(summary.group(1).startsWith("vector ("), lines[k]);

        double testAccuracy = Double.parseDouble(accuracy.group(1));
        assertTrue(testAccuracy >= 0.72 && testAccuracy <= 0.90, "test accuracy " + testAccuracy);
        // it learns: the first window is near chance, the last epoch's windows are far better
        Matcher first = STEP.matcher(lines[2]);
        Matcher last = STEP.matcher(lines[33]);
        assertTrue(first.matches() && last.matches());
        assertTrue(Double.parseDouble(first.group(2)) > 1.5, lines[2]);
        assertTrue(Integer.parseInt(last.group(3)) >= 70, lines[33]);
    }

    @Test
    void theSameSeedGivesTheSameNumbers() {
        List<String> first = numbers(CliRun.of("train", "--seed", "7", "--epochs", "1"));
        List<String> second = numbers(CliRun.of("train", "--seed", "7", "--epochs", "1"));
        List<String> other = numbers(CliRun.of("train", "--seed", "8", "--epochs", "1"));
        assertEquals(first, second);
        assertFalse(first.equals(other), "a different seed should give a different run");
    }

    // everything but the summary line, whose wall time differs from run to run
    private static List<String> numbers(CliRun run) {
        assertEquals(0, run.exitCode(), run.err());
        String[] lines = run.outLines();
        return Arrays.asList(lines).subList(0, lines.length - 1);
    }

    @Test
    void vectorAndScalarEnginesLearnAlikeAndTheVectorEngineIsDeterministic() {
        CliRun vector = CliRun.of("train", "--engine", "vector", "--seed", "2");
        CliRun again = CliRun.of("train", "--engine", "vector", "--seed", "2");
        CliRun scalar = CliRun.of("train", "--engine", "scalar", "--seed", "2");
        assertEquals(numbers(vector), numbers(again));
        assertTrue(vector.out().contains("with the vector ("), vector.out());
        assertTrue(scalar.out().contains("with the scalar engine"), scalar.out());
        double difference = Math.abs(testAccuracy(vector) - testAccuracy(scalar));
        assertTrue(difference <= 0.02, "vector " + testAccuracy(vector) + " vs scalar " + testAccuracy(scalar));
    }

    private static double testAccuracy(CliRun run) {
        Matcher m = TEST_ACCURACY.matcher(run.out());
        assertTrue(m.find(), run.out());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void smallerSlicesPrintAShortLastWindow() {
        CliRun run = CliRun.of("train", "--epochs", "1", "--train-size", "150", "--test-size", "10");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("[Step 100] Past 100 steps: "), run.out());
        assertTrue(run.out().contains("[Step 150] Past 50 steps: "), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "--epochs=0", "--epochs=-1", "--epochs=x", "--lr=0", "--lr=-0.1", "--lr=NaN", "--lr=Infinity",
            "--train-size=0", "--test-size=-5", "--no-such-flag", "--engine=gpu", "--train-size=lots",
            "--test-size=", "--classes",
            // 1e39 is past the largest float and reads as Infinity; 1e-46 is below the smallest and reads as 0
            "--lr=1e39", "--lr=-Infinity", "--lr=1e-46", "--lr=", "--epochs=2147483648", "--train-size=-1",
            "--test-size=0", "--seed=x", "--engine=", "--train-size=1001", "--test-size=1001",
    })
    void nonsenseFlagValuesAreUsageErrors(String flag) {
        CliRun run = CliRun.of("train", flag);
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.out().isEmpty(), "nothing may be printed as if training ran: " + run.out());
        String name = flag.split("=")[0];
        assertTrue(run.err().contains(name), "the message should name " + name + ": " + run.err());
    }

    @Test
    void epochsZeroHasNoCurvesToPlotOrRecord(@TempDir Path tmp) {
        // they were a plot titled "epochs 1-0" and metrics with last_epoch before first_epoch
        Path model = tmp.resolve("m.npz");
        for (String[] outputs : new String[][] {{"--plot", tmp.resolve("p.png").toString()},
                {"--metrics", tmp.resolve("m.json").toString()}}) {
            CliRun run = CliRun.of("train", "--epochs", "0", "--save", model.toString(), outputs[0], outputs[1]);
            assertEquals(2, run.exitCode(), run.err());
            assertEquals("vcnn: --epochs 0 trains nothing, so " + outputs[0] + " would have no epochs to record; use"
                    + " vcnn eval for the model's test results", run.err().lines().findFirst().orElseThrow());
            assertTrue(run.out().isEmpty(), run.out());
            assertFalse(Files.exists(Path.of(outputs[1])));
            assertFalse(Files.exists(model));
        }
    }

    @Test
    void aLearningRateThatFloatsCannotHoldIsShownAsTyped() {
        assertEquals("vcnn: --lr must be a positive finite number, got 1e-46, which is 0.0 as a float",
                CliRun.of("train", "--lr", "1e-46").err().lines().findFirst().orElseThrow());
        assertEquals("vcnn: --lr must be a positive finite number, got 1e39, which is Infinity as a float",
                CliRun.of("train", "--lr=1e39").err().lines().findFirst().orElseThrow());
        assertEquals("vcnn: --lr must be a positive finite number, got -0.5",
                CliRun.of("train", "--lr", "-0.5").err().lines().findFirst().orElseThrow());
    }

    @Test
    void aMissingCommandIsAUsageError() {
        CliRun run = CliRun.of();
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("Missing a command"), run.err());
    }

    @Test
    void askingForMoreThanTheBundledImagesIsAUsageErrorNamingTheFlag() {
        // known only once the data is opened, but still the flag's fault: exit 2, before anything is printed
        CliRun run = CliRun.of("train", "--train-size", "1001");
        assertEquals(2, run.exitCode());
        assertEquals("vcnn: --train-size 1001 is larger than the 1000 images in the bundled data set; use --data DIR"
                + " for more", run.err().lines().findFirst().orElseThrow());
        assertTrue(run.out().isEmpty(), run.out());
    }

    @Test
    void askingForMoreThanTheDataFilesHoldIsAUsageErrorNamingTheFlagAndTheFile(@TempDir Path tmp) {
        Path dir = MnistFolder.write(tmp, 60, 10);
        CliRun train = CliRun.of("train", "--data", dir.toString(), "--train-size", "70");
        assertEquals(2, train.exitCode(), train.err());
        assertTrue(train.err().startsWith("vcnn: --train-size 70 is larger than the 60 images in "
                + dir.resolve(MnistFolder.TRAIN_IMAGES) + "\n"), train.err());
        CliRun test = CliRun.of("train", "--data", dir.toString(), "--train-size", "all", "--test-size", "11");
        assertEquals(2, test.exitCode(), test.err());
        assertTrue(test.err().startsWith("vcnn: --test-size 11 is larger than the 10 images in "
                + dir.resolve(MnistFolder.TEST_IMAGES) + "\n"), test.err());
        assertTrue(train.out().isEmpty() && test.out().isEmpty(), train.out() + test.out());
    }

    @Test
    void aDivergingRunStopsAtItsStepAndLeavesEveryEarlierFileAsItWas(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("m.npz");
        Path metrics = tmp.resolve("m.json");
        Path plot = tmp.resolve("p.png");
        CliRun good = CliRun.of("train", "--epochs", "1", "--train-size", "200", "--test-size", "50",
                "--save", model.toString(), "--metrics", metrics.toString(), "--plot", plot.toString());
        assertEquals(0, good.exitCode(), good.err());
        byte[] goodModel = Files.readAllBytes(model);
        byte[] goodMetrics = Files.readAllBytes(metrics);
        byte[] goodPlot = Files.readAllBytes(plot);

        for (CliRun run : new CliRun[] {
                CliRun.of("train", "--lr", "1e6", "--save", model.toString(), "--metrics", metrics.toString(),
                        "--plot", plot.toString()),
                CliRun.onTerminal(100, "train", "--lr", "1e6", "--save", model.toString())}) {
            String failure = run.oneLineFailure();
            Matcher m = Pattern.compile("vcnn: training diverged at epoch 1, step (\\d+): the loss is (NaN|Infinity);"
                    + " nothing was written \\(a smaller --lr may help\\)").matcher(failure);
            assertTrue(m.matches(), failure);
            // it stops at once: within the first window, which is never reported with its broken loss
            assertTrue(Integer.parseInt(m.group(1)) < 100, failure);
            assertFalse(run.out().contains("NaN") || run.out().contains("Infinity"), run.out());
            assertFalse(run.out().contains("Test Accuracy") || run.out().contains("Trained "), run.out());
            // on a terminal the bar it stopped in ends its line, so stdout does not end mid-line
            assertTrue(run.out().endsWith("\n"), run.out());
        }
        assertArrayEquals(goodModel, Files.readAllBytes(model), "the good model must stay byte for byte");
        assertArrayEquals(goodMetrics, Files.readAllBytes(metrics));
        assertArrayEquals(goodPlot, Files.readAllBytes(plot));
        try (var files = Files.list(tmp)) {
            assertEquals(3, files.count(), "no temporary file may be left behind");
        }
    }

    @Test
    void savingToADeviceFailsBeforeTrainingAndLeavesTheDevice() throws Exception {
        // /dev is writable by root: a temporary file there renamed over /dev/full would replace the device
        Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full) && !Files.isRegularFile(full), "no /dev/full here");
        for (String option : new String[] {"--save", "--metrics", "--plot"}) {
            CliRun run = CliRun.of("train", option, full.toString());
            assertEquals("vcnn: /dev/full: is a device or other special file, not a regular file, and only regular"
                    + " files are replaced", run.oneLineFailure());
            assertTrue(run.out().isEmpty(), run.out());
        }
        assertFalse(Files.isRegularFile(full), "/dev/full must still be the device");
        try (var dev = Files.list(full.getParent())) {
            assertEquals(List.of(), dev.filter(f -> f.getFileName().toString().startsWith(".full.")).toList());
        }
    }

    @Test
    void aMissingDataFolderIsOneLineAndExitCodeOne(@TempDir Path tmp) {
        Path missing = tmp.resolve("no-such-folder");
        CliRun run = CliRun.of("train", "--data", missing.toString());
        assertEquals(1, run.exitCode());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains(missing.toString()), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
    }

    @Test
    void aForgedDataFileIsOneLineNamingTheFile(@TempDir Path tmp) throws Exception {
        // the images header claims 2,130,706,432 images of 28x28; the file has none
        Files.write(tmp.resolve("train-images-idx3-ubyte"),
                new byte[] {0, 0, 8, 3, 0x7f, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28});
        Files.write(tmp.resolve("train-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 3});
        CliRun run = CliRun.of("train", "--data", tmp.toString());
        assertEquals(1, run.exitCode());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("train-images-idx3-ubyte"), run.err());
        assertTrue(run.out().isEmpty(), run.out());
    }

    @Test
    void allMeansEveryImageAndTheBundledDataHasAThousand() {
        CliRun run = CliRun.of("train", "--epochs", "1", "--train-size", "all", "--test-size", "ALL", "--quiet");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.line("Trained ").startsWith("1000 images in "), run.out());
    }

    @Test
    void versionAndHelpExitZero() {
        CliRun version = CliRun.of("--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("vcnn 0."), version.out());
        CliRun help = CliRun.of("train", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("--train-size"), help.out());
    }
}
