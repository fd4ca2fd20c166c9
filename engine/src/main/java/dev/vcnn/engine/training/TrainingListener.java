package dev.vcnn.engine.training;

/**
 * What a {@link Trainer} reports while it works, so a command line can print it and tests can
 * inspect it. Epochs and steps count from 1; steps restart in every epoch, as in the post's log.
 * {@code epochs} is the number of the run's last epoch: a run resumed from a model that has seen k
 * epochs counts from k + 1.
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

    /** Tells {@code first}, then {@code second}, of everything. */
    static TrainingListener both(TrainingListener first, TrainingListener second) {
        return new TrainingListener() {
            @Override
            public void epochStarted(int epoch, int epochs) {
                first.epochStarted(epoch, epochs);
                second.epochStarted(epoch, epochs);
            }

            @Override
            public void windowFinished(int epoch, int step, int windowSteps, double averageLoss, double accuracy) {
                first.windowFinished(epoch, step, windowSteps, averageLoss, accuracy);
                second.windowFinished(epoch, step, windowSteps, averageLoss, accuracy);
            }

            @Override
            public void epochFinished(int epoch, int epochs) {
                first.epochFinished(epoch, epochs);
                second.epochFinished(epoch, epochs);
            }
        };
    }
}
