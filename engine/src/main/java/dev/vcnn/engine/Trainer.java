package dev.vcnn.engine;

import dev.vcnn.engine.data.Dataset;

import java.util.random.RandomGenerator;

/**
 * Per-sample SGD over a data set for a number of epochs, shuffling the examples afresh before
 * every epoch, and evaluation on held-out data (forward only).
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

    /**
     * Trains for {@code epochs} epochs at learning rate {@code lr}. {@code random} draws each epoch's
     * permutation; pass the generator that initialised the network so one seed fixes the whole run.
     */
    public TrainingStats train(Dataset data, int epochs, float lr, RandomGenerator random, TrainingListener listener) {
        checkShape(data);
        int[] order = new int[data.count()];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        long start = System.nanoTime();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            listener.epochStarted(epoch, epochs);
            shuffle(order, random);
            double windowLoss = 0;
            int windowCorrect = 0;
            int windowSteps = 0;
            for (int step = 1; step <= order.length; step++) {
                int example = order[step - 1];
                data.imageInto(example, image);
                int label = data.label(example);
                windowLoss += network.trainStep(image, label, lr);
                windowCorrect += network.lastPredicted() == label ? 1 : 0;
                windowSteps++;
                if (windowSteps == WINDOW || step == order.length) {
                    listener.windowFinished(epoch, step, windowSteps, windowLoss / windowSteps,
                            (double) windowCorrect / windowSteps);
                    windowLoss = 0;
                    windowCorrect = 0;
                    windowSteps = 0;
                }
            }
            listener.epochFinished(epoch, epochs);
        }
        return new TrainingStats((long) epochs * order.length, System.nanoTime() - start);
    }

    /** Mean loss and accuracy over the whole data set, forward passes only. */
    public Evaluation evaluate(Dataset data) {
        checkShape(data);
        double totalLoss = 0;
        int correct = 0;
        for (int k = 0; k < data.count(); k++) {
            data.imageInto(k, image);
            int label = data.label(k);
            float[] probs = network.forward(image);
            totalLoss += -Math.log(probs[label]);
            correct += network.lastPredicted() == label ? 1 : 0;
        }
        return new Evaluation(totalLoss / data.count(), correct, data.count());
    }

    // Fisher-Yates: every permutation equally likely, and the same one for the same generator state
    private static void shuffle(int[] order, RandomGenerator random) {
        for (int k = order.length - 1; k > 0; k--) {
            int other = random.nextInt(k + 1);
            int held = order[k];
            order[k] = order[other];
            order[other] = held;
        }
    }

    private void checkShape(Dataset data) {
        if (data.imageSize() != network.imageSize()) {
            throw new IllegalArgumentException(data.source() + ": images of " + data.rows() + "x" + data.cols()
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
