package dev.vcnn.cli;

import dev.vcnn.engine.training.TrainingListener;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;
import java.text.DecimalFormat;

/**
 * Training progress for a person at a terminal: one live bar per epoch with the steps done,
 * images per second, time left, and the epoch's running loss and accuracy, e.g.
 * <pre>Epoch 1/3  42% │████▌      │ 25200/60000 img (0:00:01 / 0:00:02) 18,000 img/s loss 0.312 acc 91.2%</pre>
 * Below 100 columns the time left is not shown; a terminal narrower than what remains (about 80
 * columns with full MNIST's counts) loses the line's end. Output that is not a
 * terminal gets {@link StepLog}'s plain lines instead.
 */
final class ProgressBars implements TrainingListener {
    private static final int REFRESH_MILLIS = 200;
    // narrower terminals get no time left: the frame below without it is about 80 columns at full MNIST
    private static final int WIDE = 100;
    private static final DecimalFormat IMAGES_PER_SECOND = new DecimalFormat("#,##0");

    private final PrintWriter out;
    private final int stepsPerEpoch;
    private final int columns;
    private ProgressBar bar;
    private double lossSum;      // sum over the epoch's steps so far
    private double correctSum;
    private int steps;
    private long epochStart;     // System.nanoTime()

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
        epochStart = System.nanoTime();
        ProgressBarBuilder builder = new ProgressBarBuilder()
                .setTaskName("Epoch " + epoch + "/" + lastEpoch)
                // no colour codes: then every character is one column, and a frame's length is its width
                .setStyle(ProgressBarStyle.UNICODE_BLOCK)
                .setInitialMax(stepsPerEpoch)
                .setUnit(" img", 1)
                .setUpdateIntervalMillis(REFRESH_MILLIS)
                // given a width, progressbar never asks jline for one
                .setConsumer(new DelegatingProgressBarConsumer(this::draw, columns - 1));
        if (columns < WIDE) {
            builder.hideEta(); // keeps the loss and accuracy on an 80-column line
        }
        bar = builder.build();
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
        // progressbar's own speed divides by whole seconds: "?" for the first, then up to twice the truth
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        bar.setExtraMessage(String.format("%s img/s loss %.3f acc %.1f%%", IMAGES_PER_SECOND.format(step / seconds),
                lossSum / steps, 100 * correctSum / steps));
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
