package dev.vcnn.engine.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierTest {
    private static final String SPEC = "conv3x3:4,relu,maxpool2,dense:3";
    private static final int SIDE = 8;

    // three classes of 8x8 images: a horizontal bar, a vertical bar, a diagonal, each at a random
    // place, on noise
    private record Data(float[][] images, int[] labels) {
        static Data generate(int count, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            float[][] images = new float[count][SIDE * SIDE];
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = random.nextInt(3);
                int at = random.nextInt(SIDE);
                for (int k = 0; k < images[i].length; k++) {
                    images[i][k] = (float) random.nextDouble(-0.5, -0.3);
                }
                for (int k = 0; k < SIDE; k++) {
                    int pixel = switch (labels[i]) {
                        case 0 -> at * SIDE + k;
                        case 1 -> k * SIDE + at;
                        default -> k * SIDE + (k + at) % SIDE;
                    };
                    images[i][pixel] = 0.5f;
                }
            }
            return new Data(images, labels);
        }
    }

    private static Classifier untrained() {
        return Classifier.create(SPEC, 1, SIDE, SIDE, 3, 7);
    }

    @Test
    void trainingRaisesAccuracyAndReportsEveryEpoch() {
        Data train = Data.generate(600, 1);
        Data test = Data.generate(300, 2);
        Classifier classifier = untrained();
        double before = classifier.evaluate(test.images(), test.labels()).accuracy();
        List<String> epochs = new ArrayList<>();
        int[] windows = new int[1];
        classifier.train(train.images(), train.labels(), TrainingOptions.defaults().withEpochs(3).withLearningRate(0.01f),
                new TrainingProgress() {
                    @Override
                    public void epochFinished(int epoch, int lastEpoch, double loss, double accuracy) {
                        assertTrue(loss > 0 && accuracy >= 0 && accuracy <= 1, loss + " " + accuracy);
                        epochs.add(epoch + "/" + lastEpoch);
                    }

                    @Override
                    public void windowFinished(int epoch, int step, int steps, double loss, double accuracy) {
                        windows[0]++;
                    }
                });
        Score after = classifier.evaluate(test.images(), test.labels());
        assertEquals(List.of("1/3", "2/3", "3/3"), epochs);
        assertEquals(3 * 6, windows[0]);
        assertEquals(3, classifier.epochsDone());
        assertEquals(300, after.count());
        assertTrue(after.accuracy() > 0.9 && after.accuracy() > before + 0.3,
                "accuracy " + before + " -> " + after.accuracy());
    }

    @Test
    void savedAndLoadedPredictsBitForBitAndTrainsOnAsAnUnbrokenRun(@TempDir Path dir) throws IOException {
        Data train = Data.generate(200, 3);
        TrainingOptions options = TrainingOptions.defaults().withBatchSize(8).withMomentum(0.9f).withSeed(5);
        Classifier unbroken = untrained();
        unbroken.train(train.images(), train.labels(), options.withEpochs(2));

        Classifier first = untrained();
        first.train(train.images(), train.labels(), options);
        Path file = dir.resolve("model.npz");
        first.save(file);
        Classifier loaded = Classifier.load(file);
        for (float[] image : train.images()) {
            assertArrayEquals(bits(first.predict(image)), bits(loaded.predict(image)));
        }
        assertEquals(first.spec(), loaded.spec());
        assertEquals(List.of("0", "1", "2"), loaded.classNames());
        assertEquals(1, loaded.epochsDone());
        assertEquals(SIDE, loaded.height());

        loaded.train(train.images(), train.labels(), options);
        assertEquals(2, loaded.epochsDone());
        for (float[] image : train.images()) {
            assertArrayEquals(bits(unbroken.predict(image)), bits(loaded.predict(image)));
        }
    }

    @Test
    void theSameSeedBuildsTheSameClassifier() {
        float[] image = Data.generate(1, 4).images()[0];
        assertArrayEquals(bits(untrained().predict(image)), bits(untrained().predict(image)));
    }

    @Test
    void predictReturnsAFreshCopyOfProbabilities() {
        Classifier classifier = untrained();
        Data data = Data.generate(2, 6);
        float[] first = classifier.predict(data.images()[0]);
        float[] kept = first.clone();
        Arrays.fill(first, 42f);
        classifier.predict(data.images()[1]);
        float[] again = classifier.predict(data.images()[0]);
        assertNotSame(first, again);
        assertArrayEquals(kept, again);
        assertEquals(3, again.length);
        double sum = 0;
        int best = 0;
        for (int c = 0; c < again.length; c++) {
            sum += again[c];
            best = again[c] > again[best] ? c : best;
        }
        assertEquals(1, sum, 1e-5);
        assertEquals(best, classifier.predictClass(data.images()[0]));
    }

    @Test
    void pixelsScalesBytesAsTheMnistModelsSeeThem() {
        assertArrayEquals(new float[] {-0.5f, 0.5f, 128 / 255f - 0.5f}, Classifier.pixels(new byte[] {0, (byte) 255, (byte) 128}));
    }

    @Test
    void badArgumentsThrowIllegalArgumentExceptionWithOneSentence() {
        assertMessage("unknown layer 'conv5x5:8' (layer 1)", () -> Classifier.create("conv5x5:8,dense:3", 1, 8, 8, 3, 1));
        assertMessage("there are 3 classes: end the spec with dense:3",
                () -> Classifier.create("conv3x3:4,dense:10", 1, 8, 8, 3, 1));
        assertMessage("images need at least 1 channel", () -> Classifier.create(SPEC, 0, 8, 8, 3, 1));
        assertMessage("at least 2 classes", () -> Classifier.create("dense:1", 1, 8, 8, 1, 1));

        Classifier classifier = untrained();
        float[][] images = Data.generate(2, 8).images();
        assertMessage("the image holds 63 values, but the classifier takes 1x8x8 = 64",
                () -> classifier.predict(new float[63]));
        float[] nan = new float[64];
        nan[5] = Float.NaN;
        assertMessage("the image holds NaN at index 5", () -> classifier.predictClass(nan));
        assertMessage("there are 2 images but 1 labels",
                () -> classifier.train(images, new int[] {0}, TrainingOptions.defaults()));
        assertMessage("label 1 is 3, outside the classifier's 3 classes 0..2",
                () -> classifier.evaluate(images, new int[] {0, 3}));
        assertMessage("label 0 is -1", () -> classifier.evaluate(images, new int[] {-1, 0}));
        assertMessage("image 1 holds 128 values", () -> classifier.evaluate(new float[][] {new float[64], new float[64 * 2]},
                new int[] {0, 0}));
        assertMessage("there are no images", () -> classifier.evaluate(new float[0][], new int[0]));
        assertMessage("the learning rate must be a positive finite number",
                () -> TrainingOptions.defaults().withLearningRate(-1));
        assertMessage("the batch size must be at least 1", () -> TrainingOptions.defaults().withBatchSize(0));
        assertMessage("the momentum must be at least 0 and below 1", () -> TrainingOptions.defaults().withMomentum(1));
        assertMessage("the number of epochs must be at least 0", () -> TrainingOptions.defaults().withEpochs(-1));
        assertThrows(NullPointerException.class, () -> classifier.predict(null));
        assertEquals(0, classifier.epochsDone(), "a refused call trains nothing");
    }

    @Test
    void fileProblemsThrowIOExceptionNamingTheFile(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.npz");
        IOException absent = assertThrows(IOException.class, () -> Classifier.load(missing));
        assertTrue(absent.getMessage().startsWith(missing.toString()), absent.getMessage());
        Path text = Files.writeString(dir.resolve("text.npz"), "not a model");
        IOException notModel = assertThrows(IOException.class, () -> Classifier.load(text));
        assertTrue(notModel.getMessage().startsWith(text.toString()), notModel.getMessage());
        Path intoFile = text.resolve("model.npz");
        IOException unwritable = assertThrows(IOException.class, () -> untrained().save(intoFile));
        assertTrue(unwritable.getMessage().startsWith(intoFile.toString()), unwritable.getMessage());
    }

    @Test
    void divergingTrainingThrowsArithmeticException() {
        Data data = Data.generate(300, 9);
        Classifier classifier = untrained();
        assertThrows(ArithmeticException.class, () -> classifier.train(data.images(), data.labels(),
                TrainingOptions.defaults().withLearningRate(1e30f)));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int k = 0; k < values.length; k++) {
            bits[k] = Float.floatToRawIntBits(values[k]);
        }
        return bits;
    }
}
