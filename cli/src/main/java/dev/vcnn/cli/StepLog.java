package dev.vcnn.cli;

import dev.vcnn.engine.training.TrainingListener;

import java.io.PrintWriter;

/** Prints training progress in the post's log shape: epoch headers and one line per 100 steps. */
final class StepLog implements TrainingListener {
    private final PrintWriter out;

    StepLog(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void epochStarted(int epoch, int epochs) {
        out.println("--- Epoch " + epoch + " ---");
        out.flush();
    }

    @Override
    public void windowFinished(int epoch, int step, int windowSteps, double averageLoss, double accuracy) {
        out.printf("[Step %d] Past %d steps: Average Loss %.3f | Accuracy: %d%%%n",
                step, windowSteps, averageLoss, Math.round(accuracy * 100));
        out.flush();
    }
}
