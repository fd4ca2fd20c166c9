package dev.vcnn.engine.kernels;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Arrays a kernel writes, made longer than its shape. Past the end sits a sentinel that must
 * survive the call, which catches a store with a wrong tail mask; outputs start as NaN (float) or
 * -1 (argmax), so an element the kernel forgot to write is caught too. Arrays a kernel only reads
 * are not padded: the layers pass them at their exact size, and a read past the end must throw
 * there rather than find harmless padding.
 */
final class Padded {
    /** A full 512-bit vector of floats: a store that ignores its mask lands in the padding, not off the array. */
    static final int PAD = 16;
    static final float SENTINEL = -8888.25f;
    static final int INT_SENTINEL = -8888;
    static final int UNWRITTEN_INDEX = -1;

    private Padded() {
    }

    /** A copy of {@code values} followed by the sentinel, for arrays a kernel updates in place. */
    static float[] inOut(float[] values) {
        float[] padded = Arrays.copyOf(values, values.length + PAD);
        Arrays.fill(padded, values.length, padded.length, SENTINEL);
        return padded;
    }

    /** n NaNs the kernel must overwrite, then the sentinel. */
    static float[] output(int n) {
        float[] padded = new float[n + PAD];
        Arrays.fill(padded, 0, n, Float.NaN);
        Arrays.fill(padded, n, padded.length, SENTINEL);
        return padded;
    }

    /** n unwritten indices the kernel must overwrite, then the int sentinel. */
    static int[] indexOutput(int n) {
        int[] padded = new int[n + PAD];
        Arrays.fill(padded, 0, n, UNWRITTEN_INDEX);
        Arrays.fill(padded, n, padded.length, INT_SENTINEL);
        return padded;
    }

    /** Fails naming the first element past {@code n} that the kernel wrote. */
    static void assertUntouchedPast(String context, String array, float[] values, int n) {
        for (int k = n; k < values.length; k++) {
            if (Float.floatToRawIntBits(values[k]) != Float.floatToRawIntBits(SENTINEL)) {
                fail(context + ": wrote " + array + "[" + k + "] = " + values[k] + ", " + (k - n + 1)
                        + " past the end of its " + n + " elements");
            }
        }
    }

    /** Fails naming the first element past {@code n} that the kernel wrote. */
    static void assertUntouchedPast(String context, String array, int[] values, int n) {
        for (int k = n; k < values.length; k++) {
            if (values[k] != INT_SENTINEL) {
                fail(context + ": wrote " + array + "[" + k + "] = " + values[k] + ", " + (k - n + 1)
                        + " past the end of its " + n + " elements");
            }
        }
    }
}
