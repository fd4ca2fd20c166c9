package dev.vcnn.engine.kernels;

/**
 * How far a vector kernel's sum may stray from the scalar reference's: {@link #EPS} per term,
 * times the sum of the terms' magnitudes. The one place the tests' rounding allowance is chosen.
 */
final class Tolerance {
    /**
     * Twice the float unit roundoff, 2^-24. A float sum of n products, in any order and with or
     * without fused multiply-add, is off from the exact sum by at most about n * 2^-24 * sum|terms|
     * (Higham's gamma_n: one rounding per product and per add, each at most half an ulp of a
     * partial sum no larger than sum|terms|). The two implementations may err on opposite sides,
     * hence 2 * 2^-24 per term. This is the worst case, not a guess: it stays honest for constant
     * regions, where every rounding can lean the same way, and it is scaled to the terms, so a
     * wrong or dropped term in a short sum (a tail bug) is still far outside it.
     */
    static final double EPS = 0x1p-23;

    /** Absorbs underflow: results made of subnormal pieces have no relative precision left. */
    static final double TINY = Float.MIN_NORMAL;

    private Tolerance() {
    }

    /** The largest |vector - scalar| allowed for a sum of {@code terms} terms whose magnitudes add up to the given. */
    static double forSum(int terms, double sumOfAbsTerms) {
        return EPS * terms * sumOfAbsTerms + TINY;
    }

    /**
     * The largest |vector - scalar| allowed for softmax over n logits with reference result
     * {@code expected}: exp may round (by up to an ulp in a vector form), the normalising total is a
     * sum of n positive terms in any order, and the division rounds once more: about n + 3 roundings
     * relative to the result on each side.
     */
    static double forSoftmax(int n, float expected) {
        return EPS * (n + 3) * Math.abs(expected) + TINY;
    }

    /** |values|, elementwise: run through the reference kernel, they give each output's sum|terms|. */
    static float[] magnitudes(float[] values) {
        float[] magnitudes = new float[values.length];
        for (int k = 0; k < values.length; k++) {
            magnitudes[k] = Math.abs(values[k]);
        }
        return magnitudes;
    }
}
