package dev.vcnn.engine.model;

/**
 * How a saved model was trained, for the record and for resuming: the run's seed, learning rate,
 * batch size and momentum, how many epochs its weights have seen in all (earlier runs it was resumed
 * from included), and the last run's data and engine.
 *
 * @param batchSize   samples per update; 1 is the seed's per-sample SGD
 * @param momentum    SGD momentum; above 0, the model file keeps each parameter's velocity
 * @param data        where the last run's training images came from, as the user named it
 * @param trainImages how many training images each of the last run's epochs stepped through
 * @param engine      the kernels the last run used, e.g. {@code vector (512-bit, 16 float lanes)}
 */
public record TrainingRecord(long seed, float learningRate, int batchSize, float momentum, int epochsDone,
                             int trainImages, String data, String engine) {

    public TrainingRecord {
        if (epochsDone < 0 || trainImages < 0) {
            throw new IllegalArgumentException("epochs done and training images must be >= 0, got "
                    + epochsDone + " and " + trainImages);
        }
        // the checks Sgd makes, so that a forged file is refused when it is read, naming it, and not
        // when a resumed run starts
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("the learning rate must be a positive finite number, got "
                    + learningRate);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("the batch size must be at least 1, got " + batchSize);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("the momentum must be at least 0 and below 1, got " + momentum);
        }
    }

    /** Whether the model file keeps momentum velocities beside the parameters. */
    public boolean keepsVelocity() {
        return momentum > 0;
    }
}
