package dev.vcnn.engine.model;

/**
 * How a saved model was trained, for the record and for resuming: the run's seed and learning rate,
 * how many epochs its weights have seen in all (earlier runs it was resumed from included), and the
 * last run's data and engine.
 *
 * @param data        where the last run's training images came from, as the user named it
 * @param trainImages how many training images each of the last run's epochs stepped through
 * @param engine      the kernels the last run used, e.g. {@code vector (512-bit, 16 float lanes)}
 */
public record TrainingRecord(long seed, float learningRate, int epochsDone, int trainImages, String data,
                             String engine) {

    public TrainingRecord {
        if (epochsDone < 0 || trainImages < 0) {
            throw new IllegalArgumentException("epochs done and training images must be >= 0, got "
                    + epochsDone + " and " + trainImages);
        }
    }
}
