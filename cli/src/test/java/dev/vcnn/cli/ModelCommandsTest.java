package dev.vcnn.cli;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.model.Architecture;
import dev.vcnn.engine.model.ModelFile;
import dev.vcnn.engine.model.ModelInfo;
import dev.vcnn.engine.model.SavedModel;
import dev.vcnn.engine.model.TrainingRecord;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vcnn train --save / --init / --epochs 0, and vcnn eval, on the bundled data. */
class ModelCommandsTest {
    @TempDir
    static Path shared;
    static Path model;        // 1 epoch, seed 4
    static CliRun training;

    @BeforeAll
    static void trainOneEpoch() {
        model = shared.resolve("one-epoch.npz");
        training = CliRun.of("train", "--epochs", "1", "--seed", "4", "--save", model.toString());
        assertEquals(0, training.exitCode(), training.err());
    }

    @Test
    void evalOnTheSavedModelReproducesTheTestResultsOfTraining() {
        assertEquals("Saved the model (1 epoch) to " + model + ".", training.outLines()[training.outLines().length - 1]);
        CliRun eval = CliRun.of("eval", "--model", model.toString());
        assertEquals(0, eval.exitCode(), eval.err());
        assertEquals(training.line("Test Loss: "), eval.line("Test Loss: "));
        assertEquals(training.line("Test Accuracy: "), eval.line("Test Accuracy: "));
        assertTrue(eval.line("Model: ").startsWith(model + " (net seed, 1 epoch, lr 0.005, seed 4; saved with test accuracy "
                + training.line("Test Accuracy: ") + " on 1,000 images)"), eval.out());
    }

    @Test
    void evalPrintsAccuracyPerClassAndAConfusionMatrixWhoseRowsAreTheTrueClasses() {
        CliRun eval = CliRun.of("eval", "--model", model.toString(), "--test-size", "500");
        assertEquals(0, eval.exitCode(), eval.err());
        List<String> lines = Arrays.asList(eval.outLines());
        int perClass = lines.indexOf("Accuracy per class:");
        int matrix = lines.indexOf("Confusion matrix (rows = true class, columns = predicted class):");
        assertTrue(perClass > 0 && matrix > perClass, eval.out());
        assertEquals("  class    images  accuracy", lines.get(perClass + 1));
        // 500 images: no cell reaches 100, so columns are 2 digits and 2 spaces wide
        assertEquals("            0   1   2   3   4   5   6   7   8   9", lines.get(matrix + 1));
        int total = 0;
        int diagonal = 0;
        for (int label = 0; label < 10; label++) {
            String[] classRow = lines.get(perClass + 2 + label).trim().split("\\s+");
            String[] matrixRow = lines.get(matrix + 2 + label).trim().split("\\s+");
            assertEquals(Integer.toString(label), classRow[0]);
            assertEquals(Integer.toString(label), matrixRow[0]);
            assertEquals(11, matrixRow.length, lines.get(matrix + 2 + label));
            int rowSum = Arrays.stream(matrixRow, 1, 11).mapToInt(Integer::parseInt).sum();
            // a row holds every test image of its true class, and its diagonal cell the right ones
            assertEquals(Integer.parseInt(classRow[1]), rowSum);
            int right = Integer.parseInt(matrixRow[1 + label]);
            assertEquals(Double.parseDouble(classRow[2]), (double) right / rowSum, 1e-4);
            total += rowSum;
            diagonal += right;
        }
        assertEquals(500, total);
        assertEquals("Correct: " + diagonal + " of 500", lines.get(perClass - 2));
        assertEquals((double) diagonal / 500, eval.testAccuracy());
    }

    @Test
    void classNamesComeFromTheOptionAFileOrTheModel(@TempDir Path tmp) throws Exception {
        CliRun fashion = CliRun.of("eval", "--model", model.toString(), "--classes", "fashion", "--test-size", "50");
        assertEquals(0, fashion.exitCode(), fashion.err());
        assertTrue(fashion.out().contains("\n  9  Ankle boot "), fashion.out());
        assertTrue(fashion.out().contains("\n  0  T-shirt/top "), fashion.out());

        Path names = tmp.resolve("names.txt");
        Files.writeString(names, "zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n\n");
        Path named = tmp.resolve("named.npz");
        CliRun train = CliRun.of("train", "--epochs", "1", "--train-size", "100", "--test-size", "10",
                "--classes", names.toString(), "--save", named.toString());
        assertEquals(0, train.exitCode(), train.err());
        // the names travel in the model: eval shows them without being told
        CliRun eval = CliRun.of("eval", "--model", named.toString(), "--test-size", "50");
        assertTrue(eval.out().contains("\n  7  seven "), eval.out());

        Path nine = tmp.resolve("nine.txt");
        Files.writeString(nine, "a\nb\nc\nd\ne\nf\ng\nh\ni\n");
        CliRun nineNames = CliRun.of("eval", "--model", model.toString(), "--classes", nine.toString());
        assertEquals(2, nineNames.exitCode(), nineNames.err());
        assertEquals("vcnn: --classes " + nine + " names 9 classes, but the model has 10", nineNames.err().lines()
                .findFirst().orElseThrow());
        Path missing = tmp.resolve("no-such-names.txt");
        assertTrue(CliRun.of("eval", "--model", model.toString(), "--classes", missing.toString()).oneLineFailure()
                .startsWith("vcnn: bad data: " + missing + ": no such file"));
        // an endless "file" would be read until memory ran out
        assertEquals("vcnn: bad data: /dev/zero: is not a file of class names (a regular file of at most 64 KB, one"
                + " name per line)", CliRun.of("eval", "--model", model.toString(), "--classes", "/dev/zero")
                .oneLineFailure());
    }

    @Test
    void resumingFromAnEpochGivesTheModelOfAnUnbrokenRun(@TempDir Path tmp) throws Exception {
        Path unbroken = tmp.resolve("unbroken.npz");
        CliRun twoEpochs = CliRun.of("train", "--epochs", "2", "--seed", "4", "--save", unbroken.toString());
        assertEquals(0, twoEpochs.exitCode(), twoEpochs.err());

        Path resumed = tmp.resolve("resumed.npz");
        // no --seed: a resumed run takes the model's, so it goes on as the unbroken run did
        CliRun secondEpoch = CliRun.of("train", "--init", model.toString(), "--epochs", "1",
                "--save", resumed.toString());
        assertEquals(0, secondEpoch.exitCode(), secondEpoch.err());
        assertEquals("MNIST CNN loaded from " + model + " (1 epoch done)!", secondEpoch.outLines()[0]);
        assertEquals("--- Epoch 2 ---", secondEpoch.outLines()[1]);

        SavedModel a = ModelFile.load(unbroken);
        SavedModel b = ModelFile.load(resumed);
        assertArrayEquals(a.parameter("0.weight"), b.parameter("0.weight"));
        assertArrayEquals(a.parameter("2.weight"), b.parameter("2.weight"));
        assertArrayEquals(a.parameter("2.bias"), b.parameter("2.bias"));
        assertEquals(2, b.info().training().epochsDone());
        assertEquals(twoEpochs.line("Test Accuracy: "), secondEpoch.line("Test Accuracy: "));
        // the second epoch's log, line for line
        List<String> unbrokenLog = Arrays.asList(twoEpochs.outLines());
        List<String> resumedLog = Arrays.asList(secondEpoch.outLines());
        int from = unbrokenLog.indexOf("--- Epoch 2 ---");
        assertEquals(unbrokenLog.subList(from, from + 11), resumedLog.subList(1, 12));
    }

    @Test
    void epochsZeroWithSaveWritesTheFreshlyInitialisedModel(@TempDir Path tmp) throws Exception {
        Path initial = tmp.resolve("init.npz");
        CliRun run = CliRun.of("train", "--epochs", "0", "--seed", "9", "--save", initial.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertFalse(run.out().contains("--- Epoch"), run.out());
        assertTrue(run.line("Trained no images (--epochs 0): tested the initial model with the ").endsWith(", seed 9."));

        Network fresh = Network.seed(KernelSelection.scalar(), new SplittableRandom(9));
        SavedModel saved = ModelFile.load(initial);
        assertArrayEquals(fresh.parameter("0.weight").values(), saved.parameter("0.weight"));
        assertArrayEquals(fresh.parameter("2.weight").values(), saved.parameter("2.weight"));
        assertArrayEquals(new float[10], saved.parameter("2.bias"));
        assertEquals(0, saved.info().training().epochsDone());
        // untrained, it is near chance
        assertTrue(run.testAccuracy() < 0.3, run.out());

        // training it for one epoch from there is training seed 9 for one epoch
        CliRun fromInit = CliRun.of("train", "--init", initial.toString(), "--epochs", "1");
        CliRun fromScratch = CliRun.of("train", "--seed", "9", "--epochs", "1");
        assertEquals(fromScratch.line("Test Accuracy: "), fromInit.line("Test Accuracy: "));
    }

    @Test
    void aModelOfOtherShapesCannotStartTraining(@TempDir Path tmp) throws Exception {
        // a model for 20x20 images cannot go on training on the bundled 28x28 ones
        Path small = tmp.resolve("twenty-pixels.npz");
        saveUntrained(small, NetworkSpec.seed(), new Shape(1, 20, 20));
        CliRun run = CliRun.of("train", "--init", small.toString());
        assertEquals(SMALL_MODEL_MESSAGE.replace("{model}", small.toString()), run.oneLineFailure());
        assertTrue(run.out().isEmpty(), run.out());

        // a model of 16 filters is a network of its own: --init trains it as it is, and --net cannot change it
        Path wide = tmp.resolve("sixteen-filters.npz");
        NetworkSpec sixteen = NetworkSpec.parse("conv3x3:16:nobias,maxpool2,dense:10");
        saveUntrained(wide, sixteen, new Shape(1, 28, 28));
        CliRun seedNet = CliRun.of("train", "--init", wide.toString(), "--net", "seed", "--epochs", "1");
        assertEquals(2, seedNet.exitCode(), seedNet.err());
        assertTrue(seedNet.err().startsWith("vcnn: --net " + NetworkSpec.SEED + " is not the network of the --init"
                + " model " + wide + " (" + sixteen + ")"), seedNet.err());
        assertTrue(seedNet.out().isEmpty(), seedNet.out());
        Path trained = tmp.resolve("trained.npz");
        CliRun resumed = CliRun.of("train", "--init", wide.toString(), "--epochs", "1", "--train-size", "100",
                "--test-size", "50", "--save", trained.toString());
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertEquals(sixteen, ModelFile.load(trained).info().architecture().spec());
        assertEquals(16 * 9, ModelFile.load(trained).parameter("0.weight").length);
    }

    private static final String SMALL_MODEL_MESSAGE =
            "vcnn: bad model: {model}: takes images of 1x20x20, but this data has 1x28x28";

    private static void saveUntrained(Path file, NetworkSpec spec, Shape input) throws Exception {
        Network network = Network.build(KernelSelection.scalar(), spec, input, 10, new SplittableRandom(1));
        ModelFile.save(file, network, new ModelInfo(Architecture.of(network), ClassNames.DIGIT_NAMES,
                new TrainingRecord(1, 0.005f, 1, 0f, 0, 0, "none", "scalar"), null));
    }

    @Test
    void anOutputThatCannotBeWrittenFailsBeforeTrainingAndHarmsNothing(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "keep me");
        Path inside = file.resolve("model.npz");
        CliRun run = CliRun.of("train", "--save", inside.toString());
        assertEquals("vcnn: " + inside + ": cannot be written, " + file + " is a file, not a folder",
                run.oneLineFailure());
        assertTrue(run.out().isEmpty(), "nothing may be trained for an output that cannot be written: " + run.out());
        assertEquals("keep me", Files.readString(file));

        CliRun folder = CliRun.of("train", "--epochs", "1", "--metrics", tmp.toString());
        assertEquals("vcnn: " + tmp + ": is a folder, not a file that can be written", folder.oneLineFailure());

        CliRun same = CliRun.of("train", "--save", tmp.resolve("x").toString(), "--plot", tmp.resolve("x").toString());
        assertEquals(2, same.exitCode(), same.err());
        assertTrue(same.err().contains("--save, --metrics and --plot must name different files"), same.err());
    }

    @Test
    void savingAgainReplacesTheFileWhole(@TempDir Path tmp) throws Exception {
        Path target = tmp.resolve("model.npz");
        Files.copy(model, target);
        CliRun run = CliRun.of("train", "--epochs", "0", "--seed", "2", "--save", target.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(0, ModelFile.load(target).info().training().epochsDone());
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(target), files.toList(), "no temporary file may be left behind");
        }
    }

    @Test
    void everyBadModelFileIsOneLineWithItsOwnReasonAndExitCodeOne(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.npz");
        String prefix = "vcnn: bad model: " + bad + ": ";

        Files.writeString(bad, "not a zip at all");
        assertEquals(prefix + "is not an .npz model (it is not a zip archive)", evalFailure(bad));

        new NpzSurgery(model).remove("2.bias").writeTo(bad);
        assertEquals(prefix + "has no array 2.bias, which its metadata's architecture needs with shape (10,)",
                evalFailure(bad));

        new NpzSurgery(model).header("2.bias", "(10,)", "(2, 5)").writeTo(bad);
        assertEquals(prefix + "the array 2.bias has shape (2, 5), but the architecture in its metadata needs (10,)",
                evalFailure(bad));

        new NpzSurgery(model).header("0.weight", "'<f4'", "'<i4'").writeTo(bad);
        assertEquals(prefix + "the array 0.weight has dtype <i4, but a vcnn model stores float32 (<f4)",
                evalFailure(bad));

        new NpzSurgery(model).metadata("\"format_version\" : 2", "\"format_version\" : 7").writeTo(bad);
        assertEquals(prefix + "its metadata says format version 7, and this vcnn reads versions 1 and 2 only", evalFailure(bad));

        new NpzSurgery(model).remove("metadata").writeTo(bad);
        assertEquals(prefix + "has no metadata array, so it is not a vcnn model (it holds 0.weight, 2.weight, 2.bias)",
                evalFailure(bad));

        assertEquals("vcnn: bad model: " + tmp.resolve("missing.npz") + ": no such file",
                evalFailure(tmp.resolve("missing.npz")));

        // every command that reads a model says the same
        assertEquals(prefix + "has no metadata array, so it is not a vcnn model (it holds 0.weight, 2.weight, 2.bias)",
                CliRun.of("train", "--init", bad.toString()).oneLineFailure());
        assertEquals(prefix + "has no metadata array, so it is not a vcnn model (it holds 0.weight, 2.weight, 2.bias)",
                CliRun.of("predict", "--model", bad.toString(), "--index", "0").oneLineFailure());

        byte[] good = Files.readAllBytes(model);
        Files.write(bad, java.util.Arrays.copyOf(good, good.length - 30));
        assertEquals(prefix + "is a damaged .npz model: it starts as a zip archive, but the directory at its end is"
                + " missing or broken, as when the file is cut short", evalFailure(bad));

        Files.write(bad, new byte[0]);
        assertEquals(prefix + "is empty, not an .npz model", evalFailure(bad));

        new NpzSurgery(model).header("2.weight", "(10, 1352)", "(100000000, 1352)").writeTo(bad);
        assertEquals(prefix + "the array 2.weight has shape (100000000, 1352), but the architecture in its"
                + " metadata needs (10, 1352)", evalFailure(bad));

        new NpzSurgery(model).floatAt("2.weight", 500, Float.NaN).writeTo(bad);
        assertEquals(prefix + "the array 2.weight holds NaN at index 500, so the model is unusable (was it saved"
                + " from a diverged run?)", evalFailure(bad));

        new NpzSurgery(model).metadata("\"format\" :", "\"format\" ;").writeTo(bad);
        assertEquals(prefix + "its metadata is not valid JSON", evalFailure(bad));

        assertEquals("vcnn: bad model: " + tmp + ": is a folder, not a model file", evalFailure(tmp));
    }

    @Test
    void impossibleSettingsOrTestResultsInTheMetadataAreRefusedWhenTheModelIsRead(@TempDir Path tmp)
            throws Exception {
        Path bad = tmp.resolve("bad.npz");
        String prefix = "vcnn: bad model: " + bad + ": its metadata has ";
        int correct = ModelFile.load(model).info().test().correct();
        String[][] cases = {
                {"\"learning_rate\" : 0.005", "\"learning_rate\" : -1.00",
                        "impossible training settings: the learning rate must be a positive finite number, got -1.0"},
                {"\"learning_rate\" : 0.005", "\"learning_rate\" : \"NaN\"",
                        "impossible training settings: the learning rate must be a positive finite number, got NaN"},
                {"\"batch_size\" : 1", "\"batch_size\" : 0",
                        "impossible training settings: the batch size must be at least 1, got 0"},
                {"\"epochs_done\" : 1", "\"epochs_done\" :-1",
                        "impossible training settings: epochs done and training images must be >= 0, got -1 and 1000"},
                {"\"count\" : 1000", "\"count\" : -1  ",
                        "an impossible test result: " + correct + " of -1 images right, loss "},
                {"\"count\" : 1000", "\"count\" : 10  ",
                        "an impossible test result: " + correct + " of 10 images right, loss "},
                {"\"correct\" : " + correct, "\"correct\" :-" + correct,
                        "an impossible test result: -" + correct + " of 1000 images right, loss "},
        };
        for (String[] c : cases) {
            new NpzSurgery(model).metadata(c[0], c[1]).writeTo(bad);
            String failure = evalFailure(bad);
            assertTrue(failure.startsWith(prefix + c[2]), failure);
            // training from it fails the same way, before anything is trained
            CliRun resumed = CliRun.of("train", "--init", bad.toString(), "--epochs", "1");
            assertEquals(failure, resumed.oneLineFailure());
            assertFalse(resumed.out().contains("Epoch"), resumed.out());
        }
    }

    @Test
    void evalFlagsThatMakeNoSenseAreUsageErrorsNamingTheFlag() {
        String[][] cases = {
                {"--test-size=0", "--test-size must be 'all' or at least 1, got 0"},
                {"--test-size=1001", "--test-size 1001 is larger than the 1000 images in the bundled data set; use"
                        + " --data DIR for more"},
                {"--engine=gpu", "--engine"},
                {"--test-size=lots", "--test-size"},
        };
        for (String[] c : cases) {
            CliRun run = CliRun.of("eval", "--model", model.toString(), c[0]);
            assertEquals(2, run.exitCode(), run.err());
            assertTrue(run.err().contains(c[1]), run.err());
            assertTrue(run.out().isEmpty(), run.out());
        }
    }

    @Test
    void moreEpochsThanCanBeCountedOnTopOfAModelIsAUsageError() {
        CliRun run = CliRun.of("train", "--init", model.toString(), "--epochs", "2147483647");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("vcnn: --epochs 2147483647 on top of the 1 epoch done by " + model
                + " is more than can be counted"), run.err());
    }

    private static String evalFailure(Path bad) {
        return CliRun.of("eval", "--model", bad.toString()).oneLineFailure();
    }
}
