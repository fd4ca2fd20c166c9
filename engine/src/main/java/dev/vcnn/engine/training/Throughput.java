package dev.vcnn.engine.training;

import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A quick in-process measurement of training and inference speed for one set of kernels, for
 * people who want a number rather than a JMH report. It trains the seed's network on the given
 * images (cycling through them) so the work is the real job's, warms up until the JIT has had
 * its time (at least {@code warmupSeconds}, longer while rounds keep getting faster), then reports
 * the median of several short timed rounds.
 */
public final class Throughput {

    /** Images per second for one training step (forward, backward, update) and one inference. */
    public record Rates(double training, double inference) {
    }

    private Throughput() {
    }

    public static Rates measure(Kernels kernels, Dataset data, double warmupSeconds, int rounds, double roundSeconds) {
        return measure(kernels, data, warmupSeconds, rounds, roundSeconds, 1);
    }

    /**
     * As {@link #measure(Kernels, Dataset, double, int, double)}, with inference over batches of 100
     * images split across {@code threads} threads ({@link Trainer#forwardAll}); training stays the
     * seed's per-sample SGD, which is sequential by nature.
     */
    public static Rates measure(Kernels kernels, Dataset data, double warmupSeconds, int rounds, double roundSeconds,
                                int threads) {
        try (Trainer trainer = new Trainer(Network.build(kernels, NetworkSpec.seed(),
                new Shape(1, data.rows(), data.cols()), Network.SEED_CLASSES, new SplittableRandom(1)), threads)) {
            return measure(trainer, data, warmupSeconds, rounds, roundSeconds);
        }
    }

    private static Rates measure(Trainer trainer, Dataset data, double warmupSeconds, int rounds, double roundSeconds) {
        Network network = trainer.network();
        float[][] images = new float[data.count()][data.imageSize()];
        for (int k = 0; k < images.length; k++) {
            data.imageInto(k, images[k]);
        }
        Loop loop = new Loop(network, trainer, images, data);
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        while (System.nanoTime() < warmupEnd) {
            loop.train(200);
            loop.infer(200);
        }
        // C2 may still be compiling kernels after the minimum warm-up (on a busy machine it took 4 s):
        // go on until a training round is no longer clearly faster than the one before, or the cap
        long cap = System.nanoTime() + (long) (3 * warmupSeconds * 1e9);
        double previous = loop.rate(true, roundSeconds);
        while (System.nanoTime() < cap) {
            double current = loop.rate(true, roundSeconds);
            loop.infer(200);
            if (current < previous * 1.05) {
                break;
            }
            previous = current;
        }
        double[] training = new double[rounds];
        double[] inference = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            training[r] = loop.rate(true, roundSeconds);
            inference[r] = loop.rate(false, roundSeconds);
        }
        return new Rates(median(training), median(inference));
    }

    // cycles through the images; each rate() runs whole batches of 100 until the round's time is up
    private static final class Loop {
        private final Network network;
        private final Trainer trainer;
        private final float[][] images;
        private final float[][] batch = new float[100][];
        private final Dataset data;
        private int next;
        private double sink;

        Loop(Network network, Trainer trainer, float[][] images, Dataset data) {
            this.network = network;
            this.trainer = trainer;
            this.images = images;
            this.data = data;
        }

        void train(int steps) {
            for (int s = 0; s < steps; s++) {
                next = (next + 1) % images.length;
                sink += network.trainStep(images[next], data.label(next), 0.005f);
            }
        }

        void infer(int steps) {
            if (trainer.threads() == 1) {
                for (int s = 0; s < steps; s++) {
                    next = (next + 1) % images.length;
                    sink += network.forward(images[next])[0];
                }
                return;
            }
            for (int done = 0; done < steps; done += batch.length) {
                for (int s = 0; s < batch.length; s++) {
                    next = (next + 1) % images.length;
                    batch[s] = images[next];
                }
                sink += trainer.forwardAll(batch)[0][0];
            }
        }

        double rate(boolean training, double seconds) {
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long images = 0;
            do {
                if (training) {
                    train(100);
                } else {
                    infer(100);
                }
                images += 100;
            } while (System.nanoTime() < end);
            if (Double.isNaN(sink)) {
                throw new IllegalStateException("training diverged while measuring");
            }
            return images / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
