package dev.vcnn.engine.training;

import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.data.MnistFiles;
import dev.vcnn.engine.data.SharedData;
import dev.vcnn.engine.kernels.ScalarKernels;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.model.Architecture;
import dev.vcnn.engine.model.ModelFile;
import dev.vcnn.engine.model.ModelInfo;
import dev.vcnn.engine.model.SavedModel;
import dev.vcnn.engine.model.TrainingRecord;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TrainerTest {

    /** 250 random 6x6 images whose label is the quadrant holding the brightest pixel: learnable, tiny. */
    private static Dataset quadrants(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int count = 250;
        byte[] pixels = new byte[count * 36];
        byte[] labels = new byte[count];
        for (int n = 0; n < count; n++) {
            int label = random.nextInt(4);
            for (int k = 0; k < 36; k++) {
                pixels[n * 36 + k] = (byte) random.nextInt(60);
            }
            int y = (label / 2) * 3 + random.nextInt(3);
            int x = (label % 2) * 3 + random.nextInt(3);
            pixels[n * 36 + y * 6 + x] = (byte) 255;
            labels[n] = (byte) label;
        }
        return new Dataset("quadrants", count, 6, 6, pixels, labels);
    }

    /** The seed's stack with 4 filters for 6x6 images and {@code classes} classes, as vcnn 0.1 built it. */
    private static Network smallSeedLike(int classes, long seed) {
        return Network.build(new ScalarKernels(), NetworkSpec.parse("conv3x3:4:nobias,maxpool2,dense:" + classes),
                new Shape(1, 6, 6), classes, new SplittableRandom(seed));
    }

    private static void assertSameParameters(Network expected, Network actual) {
        assertEquals(expected.parameters().size(), actual.parameters().size());
        for (Parameter parameter : expected.parameters()) {
            assertArrayEquals(parameter.values(), actual.parameter(parameter.name()).values(), parameter.name());
        }
    }

    /** {@code count} random 12x12 images of 10 classes, the label marked by a bright row: for the deep preset. */
    private static Dataset rows(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[count * 144];
        byte[] labels = new byte[count];
        for (int n = 0; n < count; n++) {
            int label = random.nextInt(10);
            for (int k = 0; k < 144; k++) {
                pixels[n * 144 + k] = (byte) random.nextInt(80);
            }
            for (int x = 0; x < 12; x++) {
                pixels[n * 144 + (label + 1) * 12 + x] = (byte) 250;
            }
            labels[n] = (byte) label;
        }
        return new Dataset("rows", count, 12, 12, pixels, labels);
    }

    private record Window(int epoch, int step, int steps) {
    }

    @Test
    void reportsEveryHundredStepsAndTheLeftoverWindowOfEachEpoch() {
        Dataset data = quadrants(1);
        Network network = smallSeedLike(4, 5);
        List<Window> windows = new ArrayList<>();
        List<Integer> epochs = new ArrayList<>();
        TrainingStats stats = new Trainer(network).train(data, 0, 2, 0.05f, 5, new TrainingListener() {
            @Override
            public void epochStarted(int epoch, int total) {
                epochs.add(epoch);
            }

            @Override
            public void windowFinished(int epoch, int step, int windowSteps, double loss, double accuracy) {
                windows.add(new Window(epoch, step, windowSteps));
                assertTrue(loss > 0 && accuracy >= 0 && accuracy <= 1);
            }
        });
        assertEquals(List.of(1, 2), epochs);
        assertEquals(List.of(new Window(1, 100, 100), new Window(1, 200, 100), new Window(1, 250, 50),
                new Window(2, 100, 100), new Window(2, 200, 100), new Window(2, 250, 50)), windows);
        assertEquals(500, stats.images());
    }

    @Test
    void trainingLearnsATaskAndTheSameSeedRepeatsItExactly() {
        Network first = null;
        for (int run = 0; run < 2; run++) {
            Network network = smallSeedLike(4, 11);
            Trainer trainer = new Trainer(network);
            Dataset data = quadrants(2);
            double before = trainer.evaluate(data).loss();
            trainer.train(data, 0, 5, 0.05f, 11, new TrainingListener() { });
            Evaluation after = trainer.evaluate(data);
            assertTrue(after.loss() < before / 2, "loss " + before + " -> " + after.loss());
            assertTrue(after.accuracy() > 0.8, "accuracy " + after.accuracy());
            if (first == null) {
                first = network;
            } else {
                assertSameParameters(first, network);
            }
        }
    }

    @Test
    void eachEpochsOrderIsAPermutationDrawnFromTheSeedAndTheEpochAlone() {
        int[] order = new int[1000];
        Trainer.shuffle(order, 3, 2);
        int[] again = new int[1000];
        Arrays.fill(again, 7); // whatever the array held before must not matter
        Trainer.shuffle(again, 3, 2);
        assertArrayEquals(order, again);
        assertArrayEquals(IntStream.range(0, 1000).toArray(), IntStream.of(order).sorted().toArray());

        int[] nextEpoch = new int[1000];
        Trainer.shuffle(nextEpoch, 3, 3);
        int[] otherSeed = new int[1000];
        Trainer.shuffle(otherSeed, 4, 2);
        assertFalse(Arrays.equals(order, nextEpoch), "two epochs of one run should be shuffled differently");
        assertFalse(Arrays.equals(order, otherSeed), "two seeds should shuffle the same epoch differently");
    }

    @Test
    void resumingAfterAnEpochGivesTheWeightsOfAnUnbrokenRun() {
        Dataset data = quadrants(3);
        Network unbroken = smallSeedLike(4, 9);
        new Trainer(unbroken).train(data, 0, 2, 0.05f, 9, new TrainingListener() { });

        Network resumed = smallSeedLike(4, 9);
        new Trainer(resumed).train(data, 0, 1, 0.05f, 9, new TrainingListener() { });
        List<Integer> epochs = new ArrayList<>();
        new Trainer(resumed).train(data, 1, 1, 0.05f, 9, new TrainingListener() {
            @Override
            public void epochStarted(int epoch, int lastEpoch) {
                epochs.add(epoch);
                assertEquals(2, lastEpoch);
            }
        });
        assertEquals(List.of(2), epochs, "a resumed run goes on counting epochs");
        assertSameParameters(unbroken, resumed);
    }

    @Test
    void theConfusionMatrixCountsEveryImageOnceInTheRowOfItsLabel() {
        Dataset data = quadrants(4);
        Network network = smallSeedLike(4, 2);
        Trainer trainer = new Trainer(network);
        trainer.train(data, 0, 1, 0.05f, 2, new TrainingListener() { });
        ConfusionMatrix confusion = trainer.evaluateByClass(data);
        int[] perLabel = new int[4];
        for (int k = 0; k < data.count(); k++) {
            perLabel[data.label(k)]++;
        }
        int diagonal = 0;
        for (int label = 0; label < 4; label++) {
            assertEquals(perLabel[label], confusion.total(label));
            diagonal += confusion.count(label, label);
        }
        Evaluation evaluation = trainer.evaluate(data);
        assertEquals(evaluation, confusion.evaluation());
        assertEquals(diagonal, evaluation.correct());
        assertTrue(evaluation.accuracy() > 0.5, "one epoch should already beat chance (0.25): " + evaluation);
    }

    @Test
    void aHugeLearningRateStopsTrainingAtTheStepWhoseLossIsNotFinite() {
        Dataset data = quadrants(4);
        Network network = smallSeedLike(4, 2);
        List<Double> reported = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void windowFinished(int epoch, int step, int windowSteps, double loss, double accuracy) {
                reported.add(loss);
            }
        };
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new Trainer(network).train(data, 0, 3, 1e6f, 2, listener));
        assertEquals(1, e.epoch());
        // the step is the first whose loss is not finite: those before it were all finite
        assertTrue(e.step() >= 1 && e.step() <= 100, "noticed only at step " + e.step());
        assertTrue(e.getMessage().matches("training diverged at epoch 1, step " + e.step()
                + ": the loss is (NaN|Infinity)"), e.getMessage());
        assertEquals(List.of(), reported, "no window may be reported with a loss that is not finite");
    }

    @Test
    void weightsThatAreNotFiniteStopTrainingAtTheEndOfTheirWindowEvenWhenTheLossLooksFine() {
        // a fifth class that no label uses, with a bias of -Infinity: its probability is 0, every loss stays
        // finite, and its gradient is 0, so the bias stays -Infinity; only the weight scan can see it
        Dataset data = quadrants(5);
        Network network = smallSeedLike(5, 3);
        network.parameter("2.bias").values()[4] = Float.NEGATIVE_INFINITY;
        List<Integer> windows = new ArrayList<>();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new Trainer(network).train(data, 0, 1, 0.05f, 3, new TrainingListener() {
                    @Override
                    public void windowFinished(int epoch, int step, int windowSteps, double loss, double accuracy) {
                        windows.add(step);
                    }
                }));
        assertEquals("training diverged at epoch 1, step 100: 2.bias holds -Infinity at index 4",
                e.getMessage());
        assertEquals(List.of(), windows);
    }

    @Test
    void oneEpochOnTheFullMnistReachesNinetyFivePercent() throws Exception {
        Path dir = SharedData.mnist().orElse(null);
        assumeTrue(dir != null, "../shared/data/mnist not found: the full-MNIST check needs the project's shared data folder");
        Dataset train = MnistFiles.train(dir, 60_000);
        Dataset test = MnistFiles.test(dir, 10_000);
        Network network = Network.seed(new ScalarKernels(), new SplittableRandom(1));
        Trainer trainer = new Trainer(network);
        trainer.train(train, 0, 1, 0.005f, 1, new TrainingListener() { });
        Evaluation evaluation = trainer.evaluate(test);
        System.out.printf("full MNIST, 1 epoch, seed 1, scalar: test loss %.4f, accuracy %.4f%n",
                evaluation.loss(), evaluation.accuracy());
        assertTrue(evaluation.accuracy() >= 0.95, "test accuracy " + evaluation.accuracy());
    }

    @Test
    void theDeepPresetInMomentumBatchesRepeatsItselfBitForBit() {
        Dataset data = rows(6, 41);
        Sgd sgd = new Sgd(0.02f, 4, 0.9f);
        Network first = null;
        for (int run = 0; run < 2; run++) {
            Network network = Network.build(new ScalarKernels(), NetworkSpec.deep(), new Shape(1, 12, 12), 10,
                    new SplittableRandom(21));
            Trainer trainer = new Trainer(network);
            double before = trainer.evaluate(data).loss();
            trainer.train(data, 0, 3, sgd, 21, new TrainingListener() { });
            assertTrue(trainer.evaluate(data).loss() < before, "three epochs should lower the loss");
            if (first == null) {
                first = network;
            } else {
                assertSameParameters(first, network);
                for (Parameter parameter : first.parameters()) {
                    assertArrayEquals(parameter.velocity(), network.parameter(parameter.name()).velocity(),
                            parameter.name() + " velocity");
                }
            }
        }
        boolean moving = false;
        for (Parameter parameter : first.parameters()) {
            for (float v : parameter.velocity()) {
                moving |= v != 0;
            }
        }
        assertTrue(moving, "with momentum 0.9 the velocities should be in use");
    }

    @Test
    void resumingFromASavedModelWithMomentumGivesTheParametersOfAnUnbrokenRun(@TempDir Path tmp) throws Exception {
        // 250 images in batches of 3: each epoch ends with a batch of 1
        Dataset data = quadrants(7);
        NetworkSpec spec = NetworkSpec.parse("conv3x3:3,relu,maxpool2,dense:6,relu,dense:4");
        Shape input = new Shape(1, 6, 6);
        Sgd sgd = new Sgd(0.05f, 3, 0.5f);
        Network unbroken = Network.build(new ScalarKernels(), spec, input, 4, new SplittableRandom(13));
        new Trainer(unbroken).train(data, 0, 2, sgd, 13, new TrainingListener() { });

        Network firstHalf = Network.build(new ScalarKernels(), spec, input, 4, new SplittableRandom(13));
        new Trainer(firstHalf).train(data, 0, 1, sgd, 13, new TrainingListener() { });
        Path file = tmp.resolve("epoch1.npz");
        ModelFile.save(file, firstHalf, new ModelInfo(Architecture.of(firstHalf), List.of("a", "b", "c", "d"),
                new TrainingRecord(13, sgd.learningRate(), sgd.batchSize(), sgd.momentum(), 1, data.count(),
                        "quadrants", "scalar"), null));

        SavedModel saved = ModelFile.load(file);
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "5.weight", "5.bias"),
                List.copyOf(saved.velocities().keySet()));
        // a fresh network drawn from another seed: everything it trains from must come from the file
        Network resumed = Network.build(new ScalarKernels(), spec, input, 4, new SplittableRandom(99));
        saved.copyInto(resumed);
        new Trainer(resumed).train(data, 1, 1, sgd, 13, new TrainingListener() { });
        assertSameParameters(unbroken, resumed);

        // and the velocities are what makes it so: without them the run goes elsewhere
        Network withoutVelocity = Network.build(new ScalarKernels(), spec, input, 4, new SplittableRandom(99));
        for (Parameter parameter : withoutVelocity.parameters()) {
            float[] values = saved.parameter(parameter.name());
            System.arraycopy(values, 0, parameter.values(), 0, values.length);
        }
        new Trainer(withoutVelocity).train(data, 1, 1, sgd, 13, new TrainingListener() { });
        assertFalse(Arrays.equals(unbroken.parameter("0.weight").values(),
                withoutVelocity.parameter("0.weight").values()), "the saved velocities should matter");
    }
}
