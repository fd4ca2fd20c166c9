package dev.vcnn.cli;

import dev.vcnn.engine.training.TrainingListener;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;
import java.text.DecimalFormat;
import java.time.temporal.ChronoUnit;

/**
 * Training progress for a person at a terminal: one live bar per epoch with the steps done,
 * images per second, time left, and the epoch's running loss and accuracy, e.g.
 * <pre>Epoch 1/3  42% │████▌      │ 25200/60000 img (0:00:01 / 0:00:02) 18,000 img/s loss 0.312 acc 91.2%</pre>
 * A terminal narrower than that line (about 90 columns) loses its end. Output that is not a
 * terminal gets {@link StepLog}'s plain lines instead.
 */
final class ProgressBars implements TrainingListener {
    private static final int REFRESH_MILLIS = 200;

    private final PrintWriter out;
    private final int stepsPerEpoch;
    private final int columns;
    private ProgressBar bar;
    private double lossSum;      // sum over the epoch's steps so far
    private double correctSum;
    private int steps;

    /** {@code columns}: the terminal's width; frames are one narrower, so the cursor never wraps. */
    ProgressBars(PrintWriter out, int stepsPerEpoch, int columns) {
        this.out = out;
        this.stepsPerEpoch = stepsPerEpoch;
        this.columns = columns;
    }

    @Override
    public void epochStarted(int epoch, int lastEpoch) {
        lossSum = 0;
        correctSum = 0;
        steps = 0;
        bar = new ProgressBarBuilder()
                .setTaskName("Epoch " + epoch + "/" + lastEpoch)
                // no colour codes: then every character is one column, and a frame's length is its width
                .setStyle(ProgressBarStyle.UNICODE_BLOCK)
                .setInitialMax(stepsPerEpoch)
                .setUnit(" img", 1)
                .showSpeed(new DecimalFormat("#,##0"))
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setUpdateIntervalMillis(REFRESH_MILLIS)
                // given a width, progressbar never asks jline for one
                .setConsumer(new DelegatingProgressBarConsumer(this::draw, columns - 1))
                .build();
    }

    // each frame overwrites the last, so it is padded to the full width (a shorter frame would leave
    // the end of a longer one behind) and cut there (progressbar does not cut what it hands over)
    private void draw(String frame) {
        int width = columns - 1;
        String fitted = frame.length() > width ? frame.substring(0, width) : frame + " ".repeat(width - frame.length());
        out.print("\r" + fitted);
        out.flush();
    }

    @Override
    public void windowFinished(int epoch, int step, int windowSteps, double averageLoss, double accuracy) {
        lossSum += averageLoss * windowSteps;
        correctSum += accuracy * windowSteps;
        steps += windowSteps;
        bar.setExtraMessage(String.format(" loss %.3f acc %.1f%%", lossSum / steps, 100 * correctSum / steps));
        bar.stepTo(step);
    }

    @Override
    public void epochFinished(int epoch, int lastEpoch) {
        bar.close(); // draws the final frame before it returns
        bar = null;
        out.println();
        out.flush();
    }

    /** Training stopped inside an epoch: stops the bar where it is and ends its line. */
    void abandon() {
        if (bar != null) {
            epochFinished(0, 0);
        }
    }
}
