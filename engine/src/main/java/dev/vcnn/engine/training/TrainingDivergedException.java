package dev.vcnn.engine.training;

import java.io.Serial;

/**
 * Training stopped because the loss or the weights stopped being finite numbers, usually from too
 * large a learning rate. The network it leaves behind is unusable and must not be saved. Unchecked,
 * like the arithmetic failure it is, so that a caller stepping a network need not declare it.
 */
public final class TrainingDivergedException extends ArithmeticException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int step;

    /** {@code what}: what stopped being finite, e.g. "the loss is NaN". */
    public TrainingDivergedException(int epoch, int step, String what) {
        super("training diverged at epoch " + epoch + ", step " + step + ": " + what);
        this.epoch = epoch;
        this.step = step;
    }

    public int epoch() {
        return epoch;
    }

    /** The step, counting from 1 in each epoch, at which it was noticed. */
    public int step() {
        return step;
    }
}
