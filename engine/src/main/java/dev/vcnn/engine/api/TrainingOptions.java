package dev.vcnn.engine.api;

import dev.vcnn.engine.training.Sgd;

/**
 * How {@link Classifier#train} trains: mini-batch SGD with momentum, as PyTorch's
 * {@code torch.optim.SGD} (the gradient averaged over the batch, {@code v = momentum * v + g},
 * {@code w -= learningRate * v}). A batch of 1 without momentum is per-sample SGD, vcnn's default.
 * Immutable; start from {@link #defaults()} and change what you need with the {@code with} methods.
 *
 * @param epochs       passes over the training images, at least 0
 * @param learningRate the step size, a positive finite number
 * @param batchSize    images per update, at least 1
 * @param momentum     from 0 (none) to just below 1
 * @param seed         fixes the order the images are visited in: each epoch's order is drawn from
 *                     (seed, epoch) alone, so training resumed after a save steps through exactly
 *                     what an unbroken run would
 */
public record TrainingOptions(int epochs, float learningRate, int batchSize, float momentum, long seed) {

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException with one sentence naming the value that is out of range
     */
    public TrainingOptions {
        if (epochs < 0) {
            throw new IllegalArgumentException("the number of epochs must be at least 0, got " + epochs);
        }
        new Sgd(learningRate, batchSize, momentum); // its checks and messages
    }

    /** vcnn's defaults, those of its command line: 1 epoch, learning rate 0.005, batch 1, no momentum, seed 1. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(1, 0.005f, 1, 0f, 1);
    }

    /** These options with {@code epochs} passes over the images. */
    public TrainingOptions withEpochs(int epochs) {
        return new TrainingOptions(epochs, learningRate, batchSize, momentum, seed);
    }

    /** These options with learning rate {@code learningRate}. */
    public TrainingOptions withLearningRate(float learningRate) {
        return new TrainingOptions(epochs, learningRate, batchSize, momentum, seed);
    }

    /** These options with {@code batchSize} images per update. */
    public TrainingOptions withBatchSize(int batchSize) {
        return new TrainingOptions(epochs, learningRate, batchSize, momentum, seed);
    }

    /** These options with SGD momentum {@code momentum}. */
    public TrainingOptions withMomentum(float momentum) {
        return new TrainingOptions(epochs, learningRate, batchSize, momentum, seed);
    }

    /** These options with shuffling seed {@code seed}. */
    public TrainingOptions withSeed(long seed) {
        return new TrainingOptions(epochs, learningRate, batchSize, momentum, seed);
    }

    Sgd sgd() {
        return new Sgd(learningRate, batchSize, momentum);
    }
}
