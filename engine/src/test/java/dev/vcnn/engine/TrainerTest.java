package dev.vcnn.engine;

import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.data.MnistFiles;
import dev.vcnn.engine.data.SharedData;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    private record Window(int epoch, int step, int steps) {
    }

    @Test
    void reportsEveryHundredStepsAndTheLeftoverWindowOfEachEpoch() {
        Dataset data = quadrants(1);
        SplittableRandom random = new SplittableRandom(5);
        Network network = new Network(new ScalarKernels(), 1, 6, 6, 4, 4, random);
        List<Window> windows = new ArrayList<>();
        List<Integer> epochs = new ArrayList<>();
        TrainingStats stats = new Trainer(network).train(data, 2, 0.05f, random, new TrainingListener() {
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
        float[] firstWeights = null;
        for (int run = 0; run < 2; run++) {
            SplittableRandom random = new SplittableRandom(11);
            Network network = new Network(new ScalarKernels(), 1, 6, 6, 4, 4, random);
            Trainer trainer = new Trainer(network);
            Dataset data = quadrants(2);
            double before = trainer.evaluate(data).loss();
            trainer.train(data, 5, 0.05f, random, new TrainingListener() { });
            Evaluation after = trainer.evaluate(data);
            assertTrue(after.loss() < before / 2, "loss " + before + " -> " + after.loss());
            assertTrue(after.accuracy() > 0.8, "accuracy " + after.accuracy());
            if (firstWeights == null) {
                firstWeights = network.dense().weights().clone();
            } else {
                assertArrayEquals(firstWeights, network.dense().weights());
            }
        }
    }

    @Test
    void oneEpochOnTheFullMnistReachesNinetyFivePercent() throws Exception {
        Path dir = SharedData.mnist().orElse(null);
        assumeTrue(dir != null, "../shared/data/mnist not found: the full-MNIST check needs the project's shared data folder");
        Dataset train = MnistFiles.train(dir, 60_000);
        Dataset test = MnistFiles.test(dir, 10_000);
        SplittableRandom random = new SplittableRandom(1);
        Network network = Network.seed(new ScalarKernels(), random);
        Trainer trainer = new Trainer(network);
        trainer.train(train, 1, 0.005f, random, new TrainingListener() { });
        Evaluation evaluation = trainer.evaluate(test);
        System.out.printf("full MNIST, 1 epoch, seed 1, scalar: test loss %.4f, accuracy %.4f%n",
                evaluation.loss(), evaluation.accuracy());
        assertTrue(evaluation.accuracy() >= 0.95, "test accuracy " + evaluation.accuracy());
    }
}
