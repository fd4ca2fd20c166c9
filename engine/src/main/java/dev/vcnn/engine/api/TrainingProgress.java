package dev.vcnn.engine.api;

/**
 * Hears how {@link Classifier#train} is going, on the calling thread. Only
 * {@link #epochFinished} must be written, so a lambda will do:
 * {@code (epoch, lastEpoch, loss, accuracy) -> System.out.println(epoch + ": " + loss)}.
 * Epochs count from 1 over the classifier's whole life: a classifier loaded after 3 epochs starts
 * its next training at epoch 4. Steps count from 1 within each epoch.
 */
@FunctionalInterface
public interface TrainingProgress {

    /** Hears nothing. */
    TrainingProgress NONE = (epoch, lastEpoch, loss, accuracy) -> { };

    /**
     * Called after each epoch.
     *
     * @param epoch     the epoch just finished
     * @param lastEpoch the epoch this training ends with
     * @param loss      the mean cross-entropy loss over the epoch's steps, each measured before its update
     * @param accuracy  the fraction of the epoch's images the network got right, each before its update
     */
    void epochFinished(int epoch, int lastEpoch, double loss, double accuracy);

    /** Called before each epoch; does nothing unless overridden. */
    default void epochStarted(int epoch, int lastEpoch) {
    }

    /**
     * Called after every 100 steps, and after an epoch's last step for a shorter window left over;
     * does nothing unless overridden.
     *
     * @param step     the step just done, from 1 in each epoch
     * @param steps    the steps in this window
     * @param loss     the mean loss over the window's steps
     * @param accuracy the fraction of the window's images the network got right
     */
    default void windowFinished(int epoch, int step, int steps, double loss, double accuracy) {
    }
}
