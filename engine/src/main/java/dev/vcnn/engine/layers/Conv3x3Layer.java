package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;

import java.util.random.RandomGenerator;

/**
 * 3x3 convolution, valid padding, stride 1, no bias, no activation: [C][H][W] -> [F][H-2][W-2].
 * Filters start as standard normal / 9, as in the seed.
 */
public final class Conv3x3Layer {
    private final Kernels kernels;
    private final int channels;
    private final int height;
    private final int width;
    private final int filterCount;

    private final float[] filters;   // [F][C][3][3]
    private final float[] dFilters;  // [F][C][3][3], this step's gradient
    private final float[] out;       // [F][H-2][W-2]
    private final float[] dIn;       // [C][H][W]
    private float[] lastInput;       // [C][H][W], the caller's array, kept for backward

    public Conv3x3Layer(Kernels kernels, int channels, int height, int width, int filterCount,
                        RandomGenerator random) {
        if (channels < 1 || filterCount < 1 || height < 3 || width < 3) {
            throw new IllegalArgumentException("conv3x3 needs >= 1 channel and filter and planes of at least 3x3, got "
                    + channels + "x" + height + "x" + width + " with " + filterCount + " filters");
        }
        this.kernels = kernels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.filterCount = filterCount;
        this.filters = new float[filterCount * channels * 9];
        this.dFilters = new float[filters.length];
        this.out = new float[filterCount * (height - 2) * (width - 2)];
        this.dIn = new float[channels * height * width];
        for (int k = 0; k < filters.length; k++) {
            filters[k] = (float) (random.nextGaussian() / 9.0);
        }
    }

    /** in [C][H][W] -> [F][H-2][W-2]; the returned array is this layer's and is reused. */
    public float[] forward(float[] in) {
        lastInput = in;
        kernels.conv3x3Forward(in, channels, height, width, filters, filterCount, out);
        return out;
    }

    /**
     * in [C][H][W] -> pooled [F][(H-2)/2][(W-2)/2]: this layer's output max-pooled 2x2 by one fused
     * kernel, which never stores the conv output; argmax [F][(H-2)/2][(W-2)/2] indexes that output
     * (null to skip it). {@link MaxPool2x2Layer#forward(Conv3x3Layer, float[], boolean)} calls this.
     */
    void forwardPooled(float[] in, float[] pooled, int[] argmax) {
        lastInput = in;
        kernels.conv3x3MaxPool2x2Forward(in, channels, height, width, filters, filterCount, pooled, argmax);
    }

    /**
     * dOut [F][H-2][W-2]: computes the filter gradient (and, if asked, the input gradient with the
     * filters before the update), then takes the SGD step. Returns dIn [C][H][W], or null when
     * {@code wantInputGradient} is false, as for the network's first layer.
     */
    public float[] backward(float[] dOut, float lr, boolean wantInputGradient) {
        kernels.conv3x3FilterGradient(lastInput, channels, height, width, dOut, filterCount, dFilters);
        float[] result = null;
        if (wantInputGradient) {
            kernels.conv3x3InputGradient(dOut, filterCount, height, width, filters, channels, dIn);
            result = dIn;
        }
        kernels.sgdUpdate(filters, dFilters, filters.length, lr);
        return result;
    }

    /**
     * {@link #backward} without the input gradient, for the dOut that {@code pool}'s backward would
     * give from dPooled [F][(H-2)/2][(W-2)/2]: one fused kernel goes from dPooled and the pool's
     * argmax to the filter gradient without building that dOut, then the SGD step. The pool must
     * have been run on this layer's output by {@link MaxPool2x2Layer#forward(Conv3x3Layer, float[], boolean)}.
     */
    public void backwardThroughPool(float[] dPooled, MaxPool2x2Layer pool, float lr) {
        kernels.conv3x3FilterGradientFromPool(lastInput, channels, height, width, dPooled, pool.argmax(),
                filterCount, dFilters);
        kernels.sgdUpdate(filters, dFilters, filters.length, lr);
    }

    /** The live filters [F][C][3][3]; changes to the array change the layer. */
    public float[] filters() {
        return filters;
    }

    /** The filter gradient of the last backward pass, [F][C][3][3]. */
    public float[] filterGradient() {
        return dFilters;
    }

    public int outputHeight() {
        return height - 2;
    }

    public int outputWidth() {
        return width - 2;
    }

    public int filterCount() {
        return filterCount;
    }
}
