package dev.vcnn.bench;

import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.training.KernelWarmup;
import dev.vcnn.engine.training.Trainer;
import dev.vcnn.engine.training.TrainingListener;

import java.util.SplittableRandom;

/**
 * The seed job's arithmetic with nothing else in the process: no command line, no files, no output
 * until the end. It trains the seed network for 3 epochs on 1,000 images and tests it on 1,000 more,
 * with the vector kernels and the kernel warm-up that {@code vcnn train} runs while it reads its data,
 * and prints how long each part took. Started with {@code ./vcnn}'s JVM flags ({@code bench/seed-floor}
 * does that), its time is what {@code ./vcnn train} would take if parsing options, reading files and
 * printing the log were free: the JVM's start and the JIT's warm-up.
 *
 * <p>The images are random bytes rather than MNIST: the kernels have no data-dependent branches, so
 * they do the same work on any pixels, and no file is read.
 */
public final class SeedJobFloor {
    private static final int IMAGES = 1_000;
    private static final int EPOCHS = 3;
    private static final float LEARNING_RATE = 0.005f;

    private SeedJobFloor() {
    }

    public static void main(String[] args) {
        long start = System.nanoTime();
        Kernels kernels;
        try {
            kernels = KernelSelection.vector();
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // the floor is the vector engine's; without it there is nothing to measure
            System.err.println("seed-floor: the vector kernels cannot run here: " + e.getMessage());
            System.exit(2);
            return;
        }
        Dataset train;
        Dataset test;
        // as in vcnn train: the JIT compiles the kernels on the warm-up's steps while the data is made
        KernelWarmup warmup = KernelWarmup.start(kernels);
        try {
            SplittableRandom random = new SplittableRandom(7);
            train = randomImages(random);
            test = randomImages(random);
        } finally {
            warmup.close();
        }
        long dataEnd = System.nanoTime();
        Network network = Network.seed(kernels, new SplittableRandom(1));
        Trainer trainer = new Trainer(network);
        trainer.train(train, 0, EPOCHS, LEARNING_RATE, 1, new TrainingListener() { });
        long trainEnd = System.nanoTime();
        double accuracy = trainer.evaluate(test).accuracy();
        long end = System.nanoTime();
        System.out.printf("main %.3f s = data and the warm-up's last step %.3f + training %.3f (%d steps)"
                        + " + test %.3f (%d images; accuracy %.3f, random labels), %s engine%n",
                (end - start) / 1e9, (dataEnd - start) / 1e9, (trainEnd - dataEnd) / 1e9, EPOCHS * IMAGES,
                (end - trainEnd) / 1e9, IMAGES, accuracy, kernels.description());
    }

    // IMAGES 28x28 images of random pixels with random labels
    private static Dataset randomImages(SplittableRandom random) {
        byte[] pixels = new byte[IMAGES * 28 * 28];
        random.nextBytes(pixels);
        byte[] labels = new byte[IMAGES];
        for (int k = 0; k < IMAGES; k++) {
            labels[k] = (byte) random.nextInt(Dataset.CLASSES);
        }
        return new Dataset("random", IMAGES, 28, 28, pixels, labels);
    }
}
