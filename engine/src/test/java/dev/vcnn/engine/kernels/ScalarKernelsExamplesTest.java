package dev.vcnn.engine.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Small cases worked out by hand, most of them the post's own examples. */
class ScalarKernelsExamplesTest {
    private final Kernels kernels = new ScalarKernels();

    // the post's max-pool example: a 4x4 input becomes 2x2
    private static final float[] POOL_INPUT = {
            0, 50, 0, 29,
            0, 80, 31, 2,
            33, 90, 0, 75,
            0, 9, 0, 95,
    };

    @Test
    void maxPoolForwardTakesTheMaxOfEachWindowAndRemembersWhere() {
        float[] out = new float[4];
        int[] argmax = new int[4];
        kernels.maxPool2x2Forward(POOL_INPUT, 1, 4, 4, out, argmax);
        assertArrayEquals(new float[] {80, 31, 90, 95}, out);
        assertArrayEquals(new int[] {5, 6, 9, 15}, argmax);
    }

    @Test
    void maxPoolBackwardSendsEachGradientToItsWindowsMaxAndZeroElsewhere() {
        float[] out = new float[4];
        int[] argmax = new int[4];
        kernels.maxPool2x2Forward(POOL_INPUT, 1, 4, 4, out, argmax);
        float[] dIn = new float[16];
        java.util.Arrays.fill(dIn, 7f); // stale values must be overwritten
        kernels.maxPool2x2Backward(new float[] {1, 2, 3, 4}, argmax, 4, dIn, 16);
        assertArrayEquals(new float[] {
                0, 0, 0, 0,
                0, 1, 2, 0,
                0, 3, 0, 0,
                0, 0, 0, 4,
        }, dIn);
    }

    @Test
    void maxPoolTiesGoToTheFirstMaximumInRowMajorOrder() {
        // window 1: all equal; window 2: the two bottom cells tie; odd 3x5 input floors to 1x2
        float[] in = {
                5, 5, 1, 2, 9,
                5, 5, 7, 7, 9,
                9, 9, 9, 9, 9,
        };
        float[] out = new float[2];
        int[] argmax = new int[2];
        kernels.maxPool2x2Forward(in, 1, 3, 5, out, argmax);
        assertArrayEquals(new float[] {5, 7}, out);
        assertArrayEquals(new int[] {0, 7}, argmax);
    }

    @Test
    void maxPoolHandlesEveryChannelSeparately() {
        float[] in = new float[2 * 2 * 2];
        in[3] = 1;      // channel 0, bottom right
        in[4 + 1] = -1; // channel 1, top right, but -1 loses to the zeros
        float[] out = new float[2];
        int[] argmax = new int[2];
        kernels.maxPool2x2Forward(in, 2, 2, 2, out, argmax);
        assertArrayEquals(new float[] {1, 0}, out);
        assertArrayEquals(new int[] {3, 4}, argmax);
    }

    // the post's 3x3 image; with all-zero filters the 1x1 output is 0, and raising any filter
    // weight by 1 raises the output by the pixel under it: dOut/dFilter is the image itself
    private static final float[] POST_IMAGE = {
            0, 50, 0,
            0, 80, 31,
            33, 90, 0,
    };

    @Test
    void convOfTheImageWithAZeroFilterIsZeroAndTheCentreWeightSeesEighty() {
        float[] out = new float[1];
        kernels.conv3x3Forward(POST_IMAGE, 1, 3, 3, new float[9], 1, out);
        assertEquals(0f, out[0]);

        float[] centre = new float[9];
        centre[4] = 1;
        kernels.conv3x3Forward(POST_IMAGE, 1, 3, 3, centre, 1, out);
        assertEquals(80f, out[0]);
    }

    @Test
    void filterGradientOfASingleOutputIsTheImageUnderIt() {
        float[] dFilters = new float[9];
        kernels.conv3x3FilterGradient(POST_IMAGE, 1, 3, 3, new float[] {1}, 1, dFilters);
        assertArrayEquals(POST_IMAGE, dFilters);

        kernels.conv3x3FilterGradient(POST_IMAGE, 1, 3, 3, new float[] {-2}, 1, dFilters);
        for (int k = 0; k < 9; k++) {
            assertEquals(-2 * POST_IMAGE[k], dFilters[k], 0f);
        }
    }

    @Test
    void convForwardSlidesAVerticalEdgeFilterOverA4x4Image() {
        float[] image = {
                1, 2, 3, 4,
                5, 6, 7, 8,
                9, 10, 11, 12,
                13, 14, 15, 16,
        };
        // left column minus right column: every window of this image gives 3 * (-2) = -6
        float[] sobel = {
                1, 0, -1,
                1, 0, -1,
                1, 0, -1,
        };
        float[] identityTopLeft = new float[9];
        identityTopLeft[0] = 1;
        float[] filters = new float[18];
        System.arraycopy(sobel, 0, filters, 0, 9);
        System.arraycopy(identityTopLeft, 0, filters, 9, 9);
        float[] out = new float[2 * 2 * 2];
        kernels.conv3x3Forward(image, 1, 4, 4, filters, 2, out);
        assertArrayEquals(new float[] {-6, -6, -6, -6, 1, 2, 5, 6}, out);
    }

    @Test
    void convInputGradientSpreadsEachOutputGradientOverItsWindow() {
        // one 1x1 output on a 3x3 input: dIn is the filter scaled by dOut
        float[] filter = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] dIn = new float[9];
        kernels.conv3x3InputGradient(new float[] {2}, 1, 3, 3, filter, 1, dIn);
        assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12, 14, 16, 18}, dIn);

        // a 2x2 output of ones on a 4x4 input: each input cell counts the windows covering it
        float[] ones = new float[9];
        java.util.Arrays.fill(ones, 1);
        float[] dIn4 = new float[16];
        kernels.conv3x3InputGradient(new float[] {1, 1, 1, 1}, 1, 4, 4, ones, 1, dIn4);
        assertArrayEquals(new float[] {
                1, 2, 2, 1,
                2, 4, 4, 2,
                2, 4, 4, 2,
                1, 2, 2, 1,
        }, dIn4);
    }

    @Test
    void denseForwardIsWeightsTimesInputPlusBias() {
        float[] x = {1, 2, 3};
        float[] weights = {
                1, 0, 0,
                0.5f, 0.5f, 0.5f,
        };
        float[] logits = new float[2];
        kernels.denseForward(x, 3, weights, new float[] {10, -1}, 2, logits);
        assertArrayEquals(new float[] {11, 2}, logits);
    }

    @Test
    void softmaxIsStableForHugeLogitsAndSumsToOne() {
        float[] probs = new float[3];
        kernels.softmax(new float[] {1000, 1000, 1000 - (float) Math.log(2)}, 3, probs);
        // 1000 - ln 2 rounds to a float 3e-5 away, hence the loose tolerance; the point is no overflow
        assertArrayEquals(new float[] {0.4f, 0.4f, 0.2f}, probs, 1e-4f);

        kernels.softmax(new float[] {0, 0}, 2, probs);
        assertEquals(0.5f, probs[0]);
        assertEquals(0.5f, probs[1]);
    }

    @Test
    void denseBackwardUsesTheWeightsBeforeTheUpdate() {
        float[] x = {1, 2};
        float[] weights = {
                1, 2,
                3, 4,
        };
        float[] biases = {0, 0};
        float[] dLogits = {1, -1};
        float[] dx = new float[2];
        kernels.denseBackwardUpdate(x, 2, weights, biases, 2, dLogits, 0.5f, dx);
        // dx = W^T dLogits with the old weights: (1 - 3, 2 - 4)
        assertArrayEquals(new float[] {-2, -2}, dx);
        // W -= 0.5 * outer(dLogits, x); b -= 0.5 * dLogits
        assertArrayEquals(new float[] {0.5f, 1, 3.5f, 5}, weights);
        assertArrayEquals(new float[] {-0.5f, 0.5f}, biases);
    }
}
