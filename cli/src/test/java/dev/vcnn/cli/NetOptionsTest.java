package dev.vcnn.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.model.ModelFile;
import dev.vcnn.engine.model.SavedModel;
import dev.vcnn.engine.network.NetworkSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vcnn train --net, --batch and --momentum, and the other commands on the networks they make. */
class NetOptionsTest {
    @TempDir
    static Path shared;
    static Path deep;          // --net deep, 1 epoch on 100 images, batch 10, momentum 0.9, lr 0.05
    static CliRun deepRun;
    static Path deepMetrics;
    static Dataset testImages;

    @BeforeAll
    static void trainTheDeepNetwork() throws Exception {
        deep = shared.resolve("deep.npz");
        deepMetrics = shared.resolve("deep.json");
        deepRun = CliRun.of("train", "--net", "deep", "--train-size", "100", "--test-size", "50", "--epochs", "1",
                "--batch", "10", "--momentum", "0.9", "--lr", "0.05", "--save", deep.toString(),
                "--metrics", deepMetrics.toString());
        assertEquals(0, deepRun.exitCode(), deepRun.err());
        testImages = TrainingData.test(null, 3);
    }

    @Test
    void theDeepNetworkTrainsAndTheSummaryNamesItsSettings() throws Exception {
        assertEquals("MNIST CNN initialized!", deepRun.outLines()[0]);
        assertEquals("[Step 100] Past 100 steps:", deepRun.outLines()[2].substring(0, 26), deepRun.out());
        assertTrue(deepRun.line("Trained 100 images in ").endsWith(" engine, seed 1, net deep, lr 0.05, batch 10,"
                + " momentum 0.9."), deepRun.out());

        SavedModel saved = ModelFile.load(deep);
        assertEquals(NetworkSpec.deep(), saved.info().architecture().spec());
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias", "8.weight", "8.bias"),
                List.copyOf(saved.parameters().keySet()));
        assertEquals(saved.parameters().keySet(), saved.velocities().keySet(), "momentum keeps the velocities");
        assertEquals(10, saved.info().training().batchSize());
        assertEquals(0.9f, saved.info().training().momentum());
        assertEquals(0.05f, saved.info().training().learningRate());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theMetricsNameTheNetworkBatchAndMomentum() throws Exception {
        Map<String, Object> settings = (Map<String, Object>) JSON.std.mapFrom(Files.readString(deepMetrics))
                .get("settings");
        assertEquals(NetworkSpec.DEEP, settings.get("net"));
        assertEquals(10, settings.get("batch_size"));
        assertEquals(0.9, settings.get("momentum"));
        assertEquals(0.05, settings.get("learning_rate"));
    }

    @Test
    void theSeedNetworkNamedOrWrittenOutIsTheDefaultJob() {
        CliRun byDefault = CliRun.of("train", "--train-size", "100", "--test-size", "50", "--epochs", "1");
        assertEquals(0, byDefault.exitCode(), byDefault.err());
        for (String net : new String[] {"seed", NetworkSpec.SEED, " Conv3x3:8:NOBIAS , maxpool2,dense:10 "}) {
            CliRun named = CliRun.of("train", "--net", net, "--train-size", "100", "--test-size", "50",
                    "--epochs", "1", "--batch", "1", "--momentum", "0", "--lr", "0.005");
            assertEquals(0, named.exitCode(), named.err());
            List<String> a = Arrays.asList(byDefault.outLines());
            List<String> b = Arrays.asList(named.outLines());
            // everything but the time; the seed's settings are not mentioned
            assertEquals(a.subList(0, a.size() - 1), b.subList(0, b.size() - 1), net);
            assertTrue(b.getLast().endsWith(" engine, seed 1."), b.getLast());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            conv3x3:8,pool,dense:10   | --net conv3x3:8,pool,dense:10: unknown layer 'pool' (layer 2); the layers \
            are conv3x3:N, conv3x3:N:nobias, relu, maxpool2 and dense:N, and the presets seed and deep
            conv3x3:0,dense:10        | --net conv3x3:0,dense:10: 'conv3x3:0' (layer 1): N must be at least 1
            conv3x3:x,dense:10        | --net conv3x3:x,dense:10: 'conv3x3:x' (layer 1): N must be a whole number \
            from 1 to 2147483647, got 'x'
            dense:9999999999          | --net dense:9999999999: 'dense:9999999999' (layer 1): N must be a whole \
            number from 1 to 2147483647, got '9999999999'
            conv3x3:4:bias,dense:10   | --net conv3x3:4:bias,dense:10: 'conv3x3:4:bias' (layer 1): write conv3x3:N \
            or conv3x3:N:nobias, N filters
            relu:2,dense:10           | --net relu:2,dense:10: 'relu:2' (layer 1): relu takes no size
            dense:32,maxpool2,dense:10 | --net dense:32,maxpool2,dense:10: 'maxpool2' (layer 2) comes after a dense \
            layer; conv3x3 and maxpool2 work on planes, so they go before the first dense layer
            conv3x3:8,relu            | --net conv3x3:8,relu: the last layer must be dense:K, one score per class, \
            but it is 'relu' (layer 2)
            conv3x3:8,,dense:10       | --net conv3x3:8,,dense:10: layer 2 of the network spec is empty (two commas \
            in a row?); the layers are conv3x3:N, conv3x3:N:nobias, relu, maxpool2 and dense:N, and the presets \
            seed and deep
            dense:7                   | --net dense:7: the last layer is dense:7, but there are 10 classes (the \
            digits): end it with dense:10, or give --classes a file of 7 names
            dense:20                  | --net dense:20: the last layer is dense:20, but there are 10 classes (the \
            digits): end it with dense:10, or give --classes a file of 20 names
            conv3x3:4,maxpool2,conv3x3:4,maxpool2,conv3x3:4,maxpool2,conv3x3:4,dense:10 | --net \
            conv3x3:4,maxpool2,conv3x3:4,maxpool2,conv3x3:4,maxpool2,conv3x3:4,dense:10: 'conv3x3:4' (layer 7) gets \
            planes of 1x1 but needs at least 3x3 (1x28x28 -> conv3x3:4 -> 4x26x26 -> maxpool2 -> 4x13x13 -> \
            conv3x3:4 -> 4x11x11 -> maxpool2 -> 4x5x5 -> conv3x3:4 -> 4x3x3 -> maxpool2 -> 4x1x1)
            dense:100000000           | --net dense:100000000: 'dense:100000000' (layer 1) on 1x28x28 images takes \
            the network past the 1 GB vcnn allows for parameters (with their gradients and momentum) and buffers
            conv3x3:100000,conv3x3:100000,dense:10 | --net conv3x3:100000,conv3x3:100000,dense:10: \
            'conv3x3:100000' (layer 2) on 1x28x28 images takes the network past the 1 GB vcnn allows for \
            parameters (with their gradients and momentum) and buffers
            """)
    void aBadSpecIsAUsageErrorNamingTheTokenAndTheProblem(String net, String message) {
        CliRun run = CliRun.of("train", "--net", net, "--train-size", "100", "--test-size", "50", "--epochs", "1");
        assertUsageError(run, message);
    }

    @Test
    void theClassesAreAsManyAsTheNamesNotTheLabelsTheImagesHappenToUse(@TempDir Path tmp) throws Exception {
        // every label 0: dense:1 fitted the labels seen, trained, and only failed when saving
        Path data = MnistFolder.write(Files.createDirectory(tmp.resolve("zeros")), 20, 10);
        MnistFolder.put(data, MnistFolder.TRAIN_LABELS, ByteBuffer.allocate(8 + 20).putInt(0x801).putInt(20).array());
        MnistFolder.put(data, MnistFolder.TEST_LABELS, ByteBuffer.allocate(8 + 10).putInt(0x801).putInt(10).array());
        String[] sizes = {"--data", data.toString(), "--train-size", "20", "--test-size", "10", "--epochs", "1"};
        String net = "conv3x3:4,maxpool2,dense:1";
        assertUsageError(CliRun.of(concat(new String[] {"train", "--net", net}, sizes)), "--net " + net
                + ": the last layer is dense:1, but there are 10 classes (the digits): end it with dense:10");

        // --classes sets how many there are
        Path three = Files.writeString(tmp.resolve("three.txt"), "cat\ndog\nbird\n");
        assertUsageError(CliRun.of(concat(new String[] {"train", "--classes", three.toString()}, sizes)),
                "--classes " + three + " names 3 classes, but the seed network has 10: give a --net that ends in dense:3");
        Path model = tmp.resolve("three.npz");
        CliRun trained = CliRun.of(concat(new String[] {"train", "--classes", three.toString(), "--net",
                "conv3x3:4,maxpool2,dense:3", "--save", model.toString()}, sizes));
        assertEquals(0, trained.exitCode(), trained.err());
        assertEquals(List.of("cat", "dog", "bird"), ModelFile.load(model).info().classNames());

        // names that do not cover the labels the images use: the option is wrong, not the files
        CliRun fewNames = CliRun.of("train", "--classes", three.toString(), "--net", "conv3x3:4,maxpool2,dense:3",
                "--train-size", "20", "--test-size", "10", "--epochs", "1");
        assertUsageError(fewNames, "--classes " + three + " names 3 classes, but image 0 of bundled"
                + " train-images-idx3-ubyte.gz has label 5");
        assertUsageError(CliRun.of(concat(new String[] {"train", "--classes", three.toString(), "--net",
                "conv3x3:4,maxpool2,dense:4"}, sizes)), "--net conv3x3:4,maxpool2,dense:4: the last layer is dense:4,"
                + " but --classes " + three + " names 3: end it with dense:3");

        Path one = Files.writeString(tmp.resolve("one.txt"), "zero\n");
        CliRun oneClass = CliRun.of(concat(new String[] {"train", "--classes", one.toString(), "--net", net,
                "--save", tmp.resolve("one.npz").toString()}, sizes));
        assertEquals("vcnn: bad data: " + one + ": names 1 class, but a classifier needs at least 2",
                oneClass.oneLineFailure());
        assertTrue(oneClass.out().isEmpty(), oneClass.out());
    }

    @Test
    void batchAndMomentumOutsideTheirRangesAreUsageErrors() {
        assertUsageError(CliRun.of("train", "--batch", "0"), "--batch must be at least 1, got 0");
        assertUsageError(CliRun.of("train", "--batch", "-3"), "--batch must be at least 1, got -3");
        assertUsageError(CliRun.of("train", "--momentum", "1"),
                "--momentum must be at least 0 and below 1, got 1");
        assertUsageError(CliRun.of("train", "--momentum", "-0.5"),
                "--momentum must be at least 0 and below 1, got -0.5");
        assertUsageError(CliRun.of("train", "--momentum", "NaN"),
                "--momentum must be at least 0 and below 1, got NaN");
        // 0.99999999 rounds up to 1 as a float, which must not slip through as "below 1"
        assertUsageError(CliRun.of("train", "--momentum", "0.99999999"),
                "--momentum must be at least 0 and below 1, got 0.99999999, which is 1.0 as a float");
    }

    @Test
    void netCannotChangeTheNetworkOfTheInitModel() {
        CliRun run = CliRun.of("train", "--init", deep.toString(), "--net", "seed", "--epochs", "1");
        assertUsageError(run, "--net " + NetworkSpec.SEED + " is not the network of the --init model " + deep + " ("
                + NetworkSpec.DEEP + "); leave out --net to go on training it");
        // naming the model's own network is no change
        CliRun same = CliRun.of("train", "--init", deep.toString(), "--net", "deep", "--epochs", "0",
                "--test-size", "50", "--save", shared.resolve("same.npz").toString());
        assertEquals(0, same.exitCode(), same.err());
        assertEquals(deepRun.line("Test Loss: "), same.line("Test Loss: "));
    }

    @Test
    void resumingAMomentumRunGoesOnExactlyWithEverySettingFromTheModel(@TempDir Path tmp) throws Exception {
        String net = "conv3x3:4,relu,maxpool2,dense:16,relu,dense:10";
        Path a = tmp.resolve("a.npz");
        Path b = tmp.resolve("b.npz");
        Path c = tmp.resolve("c.npz");
        String[] settings = {"--net", net, "--batch", "4", "--momentum", "0.9", "--lr", "0.02", "--seed", "3"};
        CliRun unbroken = CliRun.of(concat(new String[] {"train", "--epochs", "2", "--save", a.toString()}, settings));
        assertEquals(0, unbroken.exitCode(), unbroken.err());
        CliRun first = CliRun.of(concat(new String[] {"train", "--epochs", "1", "--save", b.toString()}, settings));
        assertEquals(0, first.exitCode(), first.err());
        CliRun second = CliRun.of("train", "--init", b.toString(), "--epochs", "1", "--save", c.toString());
        assertEquals(0, second.exitCode(), second.err());

        assertEquals(unbroken.line("Test Loss: "), second.line("Test Loss: "));
        assertEquals(unbroken.line("Test Accuracy: "), second.line("Test Accuracy: "));
        assertTrue(second.line("Trained 1000 images in ").endsWith(", seed 3, net " + net
                + ", lr 0.02, batch 4, momentum 0.9."), second.out());
        List<String> unbrokenLog = Arrays.asList(unbroken.outLines());
        List<String> resumedLog = Arrays.asList(second.outLines());
        int from = unbrokenLog.indexOf("--- Epoch 2 ---");
        int to = unbrokenLog.indexOf("--- Testing the CNN ---");
        assertEquals(unbrokenLog.subList(from, to), resumedLog.subList(1, 1 + to - from));

        SavedModel unbrokenModel = ModelFile.load(a);
        SavedModel resumedModel = ModelFile.load(c);
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "5.weight", "5.bias"),
                List.copyOf(resumedModel.parameters().keySet()));
        assertEquals(resumedModel.parameters().keySet(), resumedModel.velocities().keySet());
        for (String name : unbrokenModel.parameters().keySet()) {
            assertArrayEquals(unbrokenModel.parameter(name), resumedModel.parameter(name), name);
            assertArrayEquals(unbrokenModel.velocities().get(name), resumedModel.velocities().get(name),
                    name + " velocity");
        }
        assertEquals(unbrokenModel.info().training(), resumedModel.info().training());
        // the velocity is really there: a resumed run that dropped it would have diverged from the unbroken one
        assertFalse(Arrays.equals(new float[16 * 4 * 13 * 13], resumedModel.velocities().get("3.weight")));
    }

    @Test
    void evalPredictAndFiltersWorkOnTheDeepNetwork(@TempDir Path tmp) throws Exception {
        CliRun eval = CliRun.of("eval", "--model", deep.toString(), "--test-size", "50");
        assertEquals(0, eval.exitCode(), eval.err());
        assertEquals(deepRun.line("Test Loss: "), eval.line("Test Loss: "));
        assertEquals(deepRun.line("Test Accuracy: "), eval.line("Test Accuracy: "));
        assertTrue(eval.line("Model: ").startsWith(deep + " (net deep, 1 epoch, lr 0.05, batch 10, momentum 0.9,"
                + " seed 1; saved with test accuracy " + deepRun.line("Test Accuracy: ") + " on 50 images)"),
                eval.out());

        assertPredictionsAgree(deep, tmp);

        Path png = tmp.resolve("filters.png");
        CliRun filters = CliRun.of("filters", "--model", deep.toString(), "--out", png.toString(), "--scale", "4");
        assertEquals(0, filters.exitCode(), filters.err());
        // 16 filters of 3 x 4 pixels, with 1-pixel gaps around and between them: 1 + 16 * 13 wide, 1 + 13 high
        assertEquals("Drew 16 filters of 3x3 (1 input channel) to " + png + ", 209x14 pixels.", filters.outLines()[0]);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(209, image.getWidth());
        assertEquals(14, image.getHeight());
        // the first filter's weights, drawn on one scale with the other filters' (the biases are not drawn)
        float[] weights = ModelFile.load(deep).parameter("0.weight");
        float limit = 0;
        for (float w : weights) {
            limit = Math.max(limit, Math.abs(w));
        }
        for (int k = 0; k < 9; k++) {
            assertEquals(FilterImage.color(weights[k] / limit).getRGB(),
                    image.getRGB(1 + (k % 3) * 4 + 2, 1 + (k / 3) * 4 + 2), "weight " + k);
        }
    }

    @Test
    void aNetworkThatDoesNotStartWithAConvHasNoFiltersButEvaluatesAndPredicts(@TempDir Path tmp) throws Exception {
        Path dense = tmp.resolve("dense.npz");
        String net = "dense:32,relu,dense:10";
        CliRun train = CliRun.of("train", "--net", net, "--train-size", "100", "--test-size", "50", "--epochs", "1",
                "--save", dense.toString());
        assertEquals(0, train.exitCode(), train.err());
        assertTrue(train.line("Trained 100 images in ").endsWith(", net " + net + ", lr 0.005, batch 1,"
                + " momentum 0.0."), train.out());

        Path png = tmp.resolve("filters.png");
        CliRun filters = CliRun.of("filters", "--model", dense.toString(), "--out", png.toString());
        assertEquals("vcnn: bad model: " + dense + ": its network (" + net + ") does not start with a conv3x3 layer,"
                + " so it has no filters to draw", filters.oneLineFailure());
        assertFalse(Files.exists(png));

        CliRun eval = CliRun.of("eval", "--model", dense.toString(), "--test-size", "50");
        assertEquals(0, eval.exitCode(), eval.err());
        assertEquals(train.line("Test Loss: "), eval.line("Test Loss: "));
        assertTrue(eval.line("Model: ").startsWith(dense + " (net " + net + ", 1 epoch, lr 0.005, seed 1;"), eval.out());
        assertPredictionsAgree(dense, tmp);
    }

    @Test
    void aFormatOneModelOfThePreviousReleaseStillWorks(@TempDir Path tmp) throws Exception {
        Path old = tmp.resolve("format1.npz");
        try (var in = NetOptionsTest.class.getResourceAsStream("format1-seed1.npz")) {
            Files.copy(in, old);
        }
        SavedModel saved = ModelFile.load(old);
        assertEquals(NetworkSpec.seed(), saved.info().architecture().spec());
        // its arrays are the pinned seed job's final parameters, under their new names
        assertEquals("73ef0e2d47ffcda33dcb239d819655b64c8deef2a936db61f3685e0bb67c97be",
                SeedJobPinTest.sha256(saved.parameter("0.weight"), saved.parameter("2.weight"),
                        saved.parameter("2.bias")));

        // the previous release's scalar run tested it at exactly this loss
        CliRun eval = CliRun.of("eval", "--model", old.toString(), "--engine", "scalar");
        assertEquals(0, eval.exitCode(), eval.err());
        assertEquals("0.5920116406142137", eval.line("Test Loss: "));
        assertEquals("0.794", eval.line("Test Accuracy: "));
        assertTrue(eval.line("Model: ").startsWith(old + " (net seed, 3 epochs, lr 0.005, seed 1; saved with test"
                + " accuracy 0.794 on 1,000 images)"), eval.out());

        assertPredictionsAgree(old, tmp);

        Path png = tmp.resolve("filters.png");
        CliRun filters = CliRun.of("filters", "--model", old.toString(), "--out", png.toString(), "--scale", "10");
        assertEquals(0, filters.exitCode(), filters.err());
        assertEquals("Drew 8 filters of 3x3 (1 input channel) to " + png + ", 258x34 pixels.", filters.outLines()[0]);

        // resuming it writes format 2 and goes on from its parameters
        Path resaved = tmp.resolve("format2.npz");
        CliRun zero = CliRun.of("train", "--init", old.toString(), "--epochs", "0", "--engine", "scalar",
                "--save", resaved.toString());
        assertEquals(0, zero.exitCode(), zero.err());
        assertEquals("0.5920116406142137", zero.line("Test Loss: "));
        SavedModel converted = ModelFile.load(resaved);
        for (String name : List.of("0.weight", "2.weight", "2.bias")) {
            assertArrayEquals(saved.parameter(name), converted.parameter(name), name);
        }
        assertEquals(3, converted.info().training().epochsDone());

        // a damaged format-1 file still says what is wrong in its own names
        Path bad = tmp.resolve("bad.npz");
        new NpzSurgery(old).remove("dense_biases").writeTo(bad);
        assertEquals("vcnn: bad model: " + bad + ": has no array dense_biases, which its metadata's architecture needs"
                + " with shape (10,)", CliRun.of("eval", "--model", bad.toString()).oneLineFailure());
        new NpzSurgery(old).header("conv_filters", "(8, 1, 3, 3)", "(9, 1, 3, 3)").writeTo(bad);
        assertEquals("vcnn: bad model: " + bad + ": the array conv_filters has shape (9, 1, 3, 3), but the"
                + " architecture in its metadata needs (8, 1, 3, 3)", CliRun.of("eval", "--model", bad.toString())
                .oneLineFailure());
    }

    // predict --index and predict on a picture of the same test image give the same answer
    private static void assertPredictionsAgree(Path model, Path tmp) throws Exception {
        for (int n : new int[] {0, 1, 2}) {
            Path png = tmp.resolve("digit-" + n + ".png");
            // a 28x28 8-bit gray PNG holds the very bytes of the IDX image
            BufferedImage gray = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int k = 0; k < 784; k++) {
                gray.getRaster().setSample(k % 28, k / 28, 0, testImages.pixels()[n * 784 + k] & 0xFF);
            }
            ImageIO.write(gray, "png", png.toFile());
            CliRun fromIndex = CliRun.of("predict", "--model", model.toString(), "--index", "" + n);
            CliRun fromPicture = CliRun.of("predict", "--model", model.toString(), png.toString());
            assertEquals(0, fromIndex.exitCode(), fromIndex.err());
            assertEquals(0, fromPicture.exitCode(), fromPicture.err());
            String index = fromIndex.outLines()[0];
            String picture = fromPicture.outLines()[0];
            assertTrue(index.matches("test image " + n + " \\(true class \\d\\): \\d {2}\\(\\d \\d+\\.\\d%, .*\\)"),
                    index);
            assertEquals(index.substring(index.indexOf("): ") + 3), picture.substring(picture.indexOf(": ") + 2),
                    "image " + n);
        }
    }

    private static void assertUsageError(CliRun run, String message) {
        assertEquals(2, run.exitCode(), run.err());
        List<String> lines = run.err().lines().toList();
        assertEquals(List.of("vcnn: " + message, "Try 'vcnn train --help' for the options."), lines, run.err());
        assertTrue(run.out().isEmpty(), run.out());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
