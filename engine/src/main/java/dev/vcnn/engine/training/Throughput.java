package dev.vcnn.engine.training;

import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * A quick in-process measurement of training and inference speed for one set of kernels, for
 * people who want a number rather than a JMH report. It trains a network (the seed's unless told
 * otherwise) on the given images (cycling through them) so the work is the real job's, warms up until the JIT has had
 * its time (at least {@code warmupSeconds}, longer while rounds keep getting faster), then reports
 * the median of several short timed rounds.
 */
public final class Throughput {

    /**
     * Images per second for one training step (forward, backward, update) and one inference, and for
     * training at a mini-batch through {@link Trainer#step} ({@code NaN} when not measured).
     */
    public record Rates(double training, double inference, double batchTraining) {
        public Rates(double training, double inference) {
            this(training, inference, Double.NaN);
        }
    }

    /** The learning rate of the batch figure: small, so thousands of steps on repeated images stay finite. */
    static final float BATCH_LEARNING_RATE = 0.001f;
    /** The momentum of the batch figure, as the deep preset trains. */
    static final float BATCH_MOMENTUM = 0.9f;
    /** The longest warm-up and round {@link #measure} takes: an hour. */
    public static final double MAX_SECONDS = 3600;

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
        return measure(kernels, data, NetworkSpec.seed(), 0, warmupSeconds, rounds, roundSeconds, threads);
    }

    /**
     * As {@link #measure(Kernels, Dataset, double, int, double, int)} for the network {@code spec}
     * (10 classes, seed 1), and, if {@code batch} is at least 2, training at mini-batches of
     * {@code batch} images through {@link Trainer#step} on the same {@code threads} (SGD, momentum
     * {@value #BATCH_MOMENTUM}, learning rate {@value #BATCH_LEARNING_RATE}), on a network of its own
     * so the per-sample figure trains the same weights whether or not the batch one is asked for.
     */
    public static Rates measure(Kernels kernels, Dataset data, NetworkSpec spec, int batch, double warmupSeconds,
                                int rounds, double roundSeconds, int threads) {
        if (batch == 1 || batch < 0) {
            throw new IllegalArgumentException("the batch figure takes at least 2 images a step, got " + batch);
        }
        if (!(warmupSeconds >= 0 && warmupSeconds <= MAX_SECONDS) || !(roundSeconds > 0 && roundSeconds <= MAX_SECONDS)
                || rounds < 1) {
            throw new IllegalArgumentException("a measurement takes 0 to " + MAX_SECONDS + " s of warm-up and at least"
                    + " one round of up to " + MAX_SECONDS + " s, got " + warmupSeconds + " s and " + rounds + " of "
                    + roundSeconds + " s");
        }
        Shape input = new Shape(1, data.rows(), data.cols());
        try (Trainer trainer = new Trainer(Network.build(kernels, spec, input, Network.SEED_CLASSES,
                new SplittableRandom(1)), threads);
             Trainer batchTrainer = batch == 0 ? null : new Trainer(Network.build(kernels, spec, input,
                     Network.SEED_CLASSES, new SplittableRandom(1)), threads)) {
            Rates rates = measure(trainer, data, warmupSeconds, rounds, roundSeconds);
            if (batchTrainer == null) {
                return rates;
            }
            double batchRate = measureBatches(batchTrainer, data, batch, warmupSeconds, rounds, roundSeconds);
            return new Rates(rates.training(), rates.inference(), batchRate);
        }
    }

    // mini-batch steps of consecutive images (cycling), warmed up the same way as the per-sample loop
    private static double measureBatches(Trainer trainer, Dataset data, int batch, double warmupSeconds, int rounds,
                                         double roundSeconds) {
        Sgd sgd = new Sgd(BATCH_LEARNING_RATE, batch, BATCH_MOMENTUM);
        int[] examples = new int[batch];
        int[] next = {0};
        double[] sink = {0};
        DoubleSupplier round = () -> {
            long start = System.nanoTime();
            long images = 0;
            do {
                for (int j = 0; j < batch; j++) {
                    examples[j] = next[0];
                    next[0] = (next[0] + 1) % data.count();
                }
                sink[0] += trainer.step(data, examples, sgd);
                images += batch;
            } while (System.nanoTime() - start < nanos(roundSeconds));
            if (!Double.isFinite(sink[0])) {
                throw new IllegalStateException("batch training diverged while measuring");
            }
            return images / ((System.nanoTime() - start) / 1e9);
        };
        long warmupStart = System.nanoTime();
        while (System.nanoTime() - warmupStart < nanos(warmupSeconds)) {
            round.getAsDouble();
        }
        long capStart = System.nanoTime();
        double previous = round.getAsDouble();
        while (System.nanoTime() - capStart < nanos(3 * warmupSeconds)) {
            double current = round.getAsDouble();
            if (current < previous * 1.05) {
                break;
            }
            previous = current;
        }
        double[] rates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            rates[r] = round.getAsDouble();
        }
        return median(rates);
    }

    private static Rates measure(Trainer trainer, Dataset data, double warmupSeconds, int rounds, double roundSeconds) {
        Network network = trainer.network();
        float[][] images = new float[data.count()][data.imageSize()];
        for (int k = 0; k < images.length; k++) {
            data.imageInto(k, images[k]);
        }
        Loop loop = new Loop(network, trainer, images, data);
        long warmupStart = System.nanoTime();
        while (System.nanoTime() - warmupStart < nanos(warmupSeconds)) {
            loop.train(200);
            loop.infer(200);
        }
        // C2 may still be compiling kernels after the minimum warm-up (on a busy machine it took 4 s):
        // go on until a training round is no longer clearly faster than the one before, or the cap
        long capStart = System.nanoTime();
        double previous = loop.rate(true, roundSeconds);
        while (System.nanoTime() - capStart < nanos(3 * warmupSeconds)) {
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
            long images = 0;
            do {
                if (training) {
                    train(100);
                } else {
                    infer(100);
                }
                images += 100;
            } while (System.nanoTime() - start < nanos(seconds));
            if (Double.isNaN(sink)) {
                throw new IllegalStateException("training diverged while measuring");
            }
            return images / ((System.nanoTime() - start) / 1e9);
        }
    }

    // times are compared as elapsed nanoseconds, never as a deadline start + nanos: nanoTime may be near
    // Long.MAX_VALUE, and a sum overflows where a difference does not (System.nanoTime's own advice)
    private static long nanos(double seconds) {
        return (long) (seconds * 1e9);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
