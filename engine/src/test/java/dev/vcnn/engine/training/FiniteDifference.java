package dev.vcnn.engine.training;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.kernels.ScalarKernels;

import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Central differences of a double-precision loss, and the band a float analytic gradient must fall in.
 * <p>
 * Tolerance: relative {@value #RELATIVE} of the larger magnitude plus absolute {@value #ABSOLUTE}.
 * The numeric side is computed in double with h = {@value #H} on a loss of order 1: its truncation
 * error is about h^2 (1e-10) and its rounding error about 1e-16 / h (1e-11), both negligible; on a
 * linear piece (the checks prove they stay on one) the only curvature is the softmax's. The analytic
 * side is float: sums of at most a few thousand products carry relative errors near 1e-6, and where
 * such a sum cancels to near zero its error is absolute, about 1e-7 times the terms' size (order 1
 * here), hence the absolute part. A wrong index, sign, missing term or factor lands far outside.
 */
public final class FiniteDifference {
    public static final double RELATIVE = 1e-3;
    public static final double ABSOLUTE = 1e-5;
    public static final double H = 1e-5;
    /**
     * The least distance from a relu's or a pool's kink the unperturbed double forward pass may come:
     * far more than the float forward pass's error (about 1e-6 here), so the float layers take the same
     * branch as the reference, and their gradient is the reference's derivative.
     */
    public static final double KINK_MARGIN = 2e-5;

    private FiniteDifference() {
    }

    /**
     * d loss / d values[k] by central differences. Fails when the two ends of the difference took
     * different branches at any relu or max-pool, since then it straddles a kink and means nothing.
     */
    public static double derivative(double[] values, int k, ToDoubleFunction<DoubleReference.Kinks> loss) {
        double saved = values[k];
        DoubleReference.Kinks upKinks = new DoubleReference.Kinks();
        DoubleReference.Kinks downKinks = new DoubleReference.Kinks();
        values[k] = saved + H;
        double up = loss.applyAsDouble(upKinks);
        values[k] = saved - H;
        double down = loss.applyAsDouble(downKinks);
        values[k] = saved;
        assertTrue(upKinks.pattern() == downKinks.pattern(),
                () -> "perturbing index " + k + " by " + H + " crosses a relu or max-pool kink; choose another seed");
        return (up - down) / (2 * H);
    }

    /** Fails unless the unperturbed pass keeps {@link #KINK_MARGIN} from every kink. */
    public static void assertAwayFromKinks(String what, ToDoubleFunction<DoubleReference.Kinks> loss) {
        DoubleReference.Kinks kinks = new DoubleReference.Kinks();
        loss.applyAsDouble(kinks);
        assertTrue(kinks.margin() > KINK_MARGIN, () -> what + ": a relu input or pool gap is only " + kinks.margin()
                + " from its kink, where float and double may branch differently; choose another seed");
    }

    public static boolean close(double analytic, double numeric) {
        return Math.abs(analytic - numeric) <= RELATIVE * Math.max(Math.abs(analytic), Math.abs(numeric)) + ABSOLUTE;
    }

    public static void assertClose(String what, int index, double analytic, double numeric) {
        assertTrue(close(analytic, numeric),
                () -> what + "[" + index + "]: analytic " + analytic + " vs numeric " + numeric);
    }

    /** The kernels named {@code scalar} or {@code vector}; vector is skipped where this JVM cannot run it. */
    public static Kernels kernels(String name) {
        if (name.equals("scalar")) {
            return new ScalarKernels();
        }
        assertEquals("vector", name);
        try {
            return KernelSelection.vector();
        } catch (UnsupportedOperationException e) {
            // a run started to test vectors must not skip them silently
            if ("vector".equals(System.getProperty("vcnn.expectImpl"))) {
                fail("this run expects vector kernels, but they cannot run: " + e.getMessage());
            }
            assumeTrue(false, "no vector kernels here: " + e.getMessage());
            throw e;
        }
    }
}
