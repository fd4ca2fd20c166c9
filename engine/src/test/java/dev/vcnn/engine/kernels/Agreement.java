package dev.vcnn.engine.kernels;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The two ways vector results must agree with the reference: sums within {@link Tolerance}, and
 * everything that is chosen or copied rather than added (pool values, argmax indices, routed
 * gradients) bit for bit. Each failure names the array, the index with its coordinates, both values
 * and the allowance, after a context naming the kernel, shape and vector width.
 */
final class Agreement {
    private Agreement() {
    }

    /**
     * Every element of {@code layout} was written and lies within {@link Tolerance#forSum} of the
     * reference, where element k is a sum of {@code terms} terms whose magnitudes add to {@code absSums[k]}.
     */
    static void sums(String context, String array, Layout layout, float[] vector, float[] scalar,
                     float[] absSums, int terms) {
        for (int k = 0; k < layout.size(); k++) {
            double allowed = Tolerance.forSum(terms, absSums[k]);
            check(context, array, layout, k, vector[k], scalar[k], allowed, "sum|terms| " + absSums[k]);
        }
    }

    /** Like {@link #sums}, for softmax probabilities, within {@link Tolerance#forSoftmax}. */
    static void probabilities(String context, Layout layout, float[] vector, float[] scalar) {
        for (int k = 0; k < layout.size(); k++) {
            double allowed = Tolerance.forSoftmax(layout.size(), scalar[k]);
            check(context, "probs", layout, k, vector[k], scalar[k], allowed, "relative");
        }
    }

    /** Every element of {@code layout} is bit for bit the reference's (so 0 and -0 differ). */
    static void exactly(String context, String array, Layout layout, float[] vector, float[] scalar) {
        exactly(context, array, layout, "vector", vector, "scalar", scalar);
    }

    /**
     * As {@link #exactly(String, String, Layout, float[], float[])} for two results that are not
     * vector against scalar, each named in a failure: e.g. a batch kernel's against the per-sample
     * kernel's called for each sample.
     */
    static void exactly(String context, String array, Layout layout, String name, float[] values,
                        String referenceName, float[] reference) {
        for (int k = 0; k < layout.size(); k++) {
            if (Float.floatToRawIntBits(values[k]) != Float.floatToRawIntBits(reference[k])) {
                fail(context + ": " + array + layout.at(k) + " of " + layout + ": " + name + " " + describe(values[k])
                        + " but " + referenceName + " " + reference[k] + ", must be equal");
            }
        }
    }

    /**
     * Like {@link #exactly(String, String, Layout, float[], float[])}, except that any NaN matches
     * any NaN: Java leaves a NaN result's sign and payload open, and they vary with the hardware's
     * operand order (C2 may swap the operands of a commutative add), so only bits of non-NaN values
     * are compared. Where the reference gives a number, the vector must give the same bits.
     */
    static void exactlyUpToNaNBits(String context, String array, Layout layout, float[] vector, float[] scalar) {
        for (int k = 0; k < layout.size(); k++) {
            boolean bothNaN = Float.isNaN(vector[k]) && Float.isNaN(scalar[k]);
            if (!bothNaN && Float.floatToRawIntBits(vector[k]) != Float.floatToRawIntBits(scalar[k])) {
                fail(context + ": " + array + layout.at(k) + " of " + layout + ": vector " + describe(vector[k])
                        + " but scalar " + scalar[k] + ", must be equal");
            }
        }
    }

    /** Every index in {@code layout} equals the reference's. */
    static void exactly(String context, String array, Layout layout, int[] vector, int[] scalar) {
        for (int k = 0; k < layout.size(); k++) {
            if (vector[k] != scalar[k]) {
                String got = vector[k] == Padded.UNWRITTEN_INDEX ? "never written" : Integer.toString(vector[k]);
                fail(context + ": " + array + layout.at(k) + " of " + layout + ": vector " + got
                        + " but scalar " + scalar[k] + ", must be equal");
            }
        }
    }

    private static void check(String context, String array, Layout layout, int k, float vector, float scalar,
                              double allowed, String scale) {
        if (Float.isNaN(vector) || Math.abs((double) vector - scalar) > allowed) {
            fail(context + ": " + array + layout.at(k) + " of " + layout + ": vector " + describe(vector)
                    + " but scalar " + scalar + ", off by " + Math.abs((double) vector - scalar)
                    + " > allowed " + allowed + " (" + scale + ")");
        }
    }

    // outputs start as NaN, so a NaN is either left over (never written) or computed from finite inputs
    private static String describe(float value) {
        return Float.isNaN(value) ? "NaN (unwritten, or computed)" : Float.toString(value);
    }
}
