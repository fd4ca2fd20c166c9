package dev.vcnn.engine;

/**
 * What a {@link Trainer} reports while it works, so a command line can print it and tests can
 * inspect it. Epochs and steps count from 1; steps restart in every epoch, as in the post's log.
 */
public interface TrainingListener {

    default void epochStarted(int epoch, int epochs) {
    }

    /**
     * Called after every {@link Trainer#WINDOW} steps, and after the last step of an epoch if a
     * shorter window is left over; the averages are over the {@code windowSteps} steps just done.
     */
    default void windowFinished(int epoch, int step, int windowSteps, double averageLoss, double accuracy) {
    }

    default void epochFinished(int epoch, int epochs) {
    }
}
