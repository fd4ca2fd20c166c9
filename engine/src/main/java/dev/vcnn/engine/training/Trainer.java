package dev.vcnn.engine.training;

import dev.vcnn.engine.data.Examples;
import dev.vcnn.engine.network.Network;

import java.util.SplittableRandom;

/**
 * SGD over a data set for a number of epochs, per sample or in mini-batches, shuffling the examples
 * afresh before every epoch, and evaluation on held-out data (forward only, with a confusion matrix).
 */
public final class Trainer {
    /** Steps per progress report, as in the post. */
    public static final int WINDOW = 100;

    private final Network network;
    private final float[] image;

    public Trainer(Network network) {
        this.network = network;
        this.image = new float[network.imageSize()];
    }

    /** {@link #train(Examples, int, int, Sgd, long, TrainingListener)} with the seed's per-sample SGD. */
    public TrainingStats train(Examples data, int epochsDone, int epochs, float lr, long seed,
                               TrainingListener listener) {
        return train(data, epochsDone, epochs, Sgd.perSample(lr), seed, listener);
    }

    /**
     * Trains epochs {@code epochsDone + 1} to {@code epochsDone + epochs} with {@code sgd}. Batches are
     * consecutive runs of the epoch's order; an epoch's last batch may be short and counts as a batch.
     * Each epoch visits the examples in an order drawn from {@code (seed, epoch)} alone, so a run
     * resumed after epoch k from a saved model steps through exactly what an unbroken run would.
     *
     * @throws TrainingDivergedException at once when a step's loss is not finite, or at the end of a
     *         window when a parameter is not: the listener hears of no window past a finite one
     */
    public TrainingStats train(Examples data, int epochsDone, int epochs, Sgd sgd, long seed,
                               TrainingListener listener) {
        if (epochsDone < 0 || epochs < 0) {
            throw new IllegalArgumentException("epochs done and epochs must be >= 0, got " + epochsDone
                    + " and " + epochs);
        }
        checkShape(data);
        int[] order = new int[data.count()];
        int lastEpoch = epochsDone + epochs;
        long start = System.nanoTime();
        for (int epoch = epochsDone + 1; epoch <= lastEpoch; epoch++) {
            listener.epochStarted(epoch, lastEpoch);
            shuffle(order, seed, epoch);
            double windowLoss = 0;
            int windowCorrect = 0;
            int windowSteps = 0;
            int inBatch = 0;
            for (int step = 1; step <= order.length; step++) {
                int example = order[step - 1];
                data.imageInto(example, image);
                int label = data.label(example);
                double loss;
                if (sgd.perSample()) {
                    loss = network.trainStep(image, label, sgd.learningRate());
                } else {
                    loss = network.addGradient(image, label);
                    inBatch++;
                    if (inBatch == sgd.batchSize() || step == order.length) {
                        sgd.update(network, inBatch);
                        inBatch = 0;
                    }
                }
                // Divergence shows in the loss within a step: a weight that turns NaN or infinite makes
                // every logit it reaches NaN or infinite at the next forward pass (0 * Inf is NaN too),
                // softmax turns that into NaN, and -ln(NaN) is NaN; a loss of +Infinity means the true
                // class's probability underflowed to 0, which only a model gone wild gets to.
                if (!Double.isFinite(loss)) {
                    throw new TrainingDivergedException(epoch, step, "the loss is " + loss);
                }
                windowLoss += loss;
                windowCorrect += network.lastPredicted() == label ? 1 : 0;
                windowSteps++;
                if (windowSteps == WINDOW || step == order.length) {
                    // the one hole in that argument: a class's bias or weights at -Infinity give it
                    // probability 0 and a finite loss, so the weights are scanned too, once a window
                    // (one compare per parameter per 100 steps: for the seed, far below 1% of their time)
                    String bad = network.nonFiniteParameter();
                    if (bad != null) {
                        throw new TrainingDivergedException(epoch, step, bad);
                    }
                    listener.windowFinished(epoch, step, windowSteps, windowLoss / windowSteps,
                            (double) windowCorrect / windowSteps);
                    windowLoss = 0;
                    windowCorrect = 0;
                    windowSteps = 0;
                }
            }
            listener.epochFinished(epoch, lastEpoch);
        }
        return new TrainingStats((long) epochs * order.length, System.nanoTime() - start);
    }

    /** Mean loss and accuracy over the whole data set, forward passes only. */
    public Evaluation evaluate(Examples data) {
        return evaluateByClass(data).evaluation();
    }

    /** Loss, accuracy and which class each image was taken for, forward passes only. */
    public ConfusionMatrix evaluateByClass(Examples data) {
        checkShape(data);
        int classes = network.classes();
        int[] counts = new int[classes * classes];
        double totalLoss = 0;
        for (int k = 0; k < data.count(); k++) {
            data.imageInto(k, image);
            int label = data.label(k);
            float[] probs = network.forward(image);
            totalLoss += -Math.log(probs[label]);
            counts[label * classes + network.lastPredicted()]++;
        }
        return new ConfusionMatrix(classes, counts, totalLoss);
    }

    /**
     * Epoch {@code epoch}'s order: the identity shuffled (Fisher-Yates, every permutation equally
     * likely) by a generator seeded from (seed, epoch) only. The seeds are hashed so that they share
     * no numbers with {@code new SplittableRandom(seed)}, which callers use for the initial weights.
     */
    static void shuffle(int[] order, long seed, int epoch) {
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        SplittableRandom random = new SplittableRandom(mix64(mix64(seed) + epoch));
        for (int k = order.length - 1; k > 0; k--) {
            int other = random.nextInt(k + 1);
            int held = order[k];
            order[k] = order[other];
            order[other] = held;
        }
    }

    // Stafford's variant 13 of the MurmurHash3 finaliser: nearby inputs give unrelated outputs
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private void checkShape(Examples data) {
        if (data.imageSize() != network.imageSize()) {
            throw new IllegalArgumentException(data.source() + ": images of " + data.imageShape()
                    + " do not fit a network that takes " + network.imageSize() + " values");
        }
        for (int k = 0; k < data.count(); k++) {
            if (data.label(k) >= network.classes()) {
                throw new IllegalArgumentException(data.source() + ": label " + data.label(k) + " at index " + k
                        + " is outside the network's " + network.classes() + " classes");
            }
        }
    }
}
