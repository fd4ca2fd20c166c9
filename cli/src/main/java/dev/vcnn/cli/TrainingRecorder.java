package dev.vcnn.cli;

import dev.vcnn.engine.training.TrainingListener;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps what a training run reports, for {@code --metrics} and {@code --plot}: every window's
 * averages, and each epoch's averages over all its steps and its wall time.
 */
final class TrainingRecorder implements TrainingListener {

    /** The average loss and accuracy of the {@code steps} steps that ended at {@code step} of {@code epoch}. */
    record Window(int epoch, int step, int steps, double loss, double accuracy) {
    }

    /** One epoch: averages over its {@code images} steps, and how long it took. */
    record Epoch(int epoch, int images, double loss, double accuracy, double seconds) {
    }

    private final int imagesPerEpoch;
    private final List<Window> windows = new ArrayList<>();
    private final List<Epoch> epochs = new ArrayList<>();
    private long epochStart;
    private double epochLossSum;      // sum over steps, i.e. window average * window steps
    private double epochCorrectSum;

    TrainingRecorder(int imagesPerEpoch) {
        this.imagesPerEpoch = imagesPerEpoch;
    }

    @Override
    public void epochStarted(int epoch, int lastEpoch) {
        epochStart = System.nanoTime();
        epochLossSum = 0;
        epochCorrectSum = 0;
    }

    @Override
    public void windowFinished(int epoch, int step, int windowSteps, double averageLoss, double accuracy) {
        windows.add(new Window(epoch, step, windowSteps, averageLoss, accuracy));
        epochLossSum += averageLoss * windowSteps;
        epochCorrectSum += accuracy * windowSteps;
    }

    @Override
    public void epochFinished(int epoch, int lastEpoch) {
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        epochs.add(new Epoch(epoch, imagesPerEpoch, epochLossSum / imagesPerEpoch,
                epochCorrectSum / imagesPerEpoch, seconds));
    }

    int imagesPerEpoch() {
        return imagesPerEpoch;
    }

    List<Window> windows() {
        return windows;
    }

    List<Epoch> epochs() {
        return epochs;
    }
}
