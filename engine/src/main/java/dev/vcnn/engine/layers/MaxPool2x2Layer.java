package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;

/**
 * 2x2 max-pool, stride 2: [C][H][W] -> [C][H/2][W/2], odd sizes floored. Forward records which
 * input won each window (the first maximum in row-major order, so on ties exactly one position
 * gets the gradient); backward sends each gradient there and zero everywhere else.
 */
public final class MaxPool2x2Layer {
    private final Kernels kernels;
    private final int channels;
    private final int height;
    private final int width;

    private final float[] out;    // [C][H/2][W/2]
    private final int[] argmax;   // [C][H/2][W/2], flat indices into the input
    private final float[] dIn;    // [C][H][W]

    public MaxPool2x2Layer(Kernels kernels, int channels, int height, int width) {
        if (channels < 1 || height < 2 || width < 2) {
            throw new IllegalArgumentException("maxpool2x2 needs >= 1 channel and planes of at least 2x2, got "
                    + channels + "x" + height + "x" + width);
        }
        this.kernels = kernels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.out = new float[channels * (height / 2) * (width / 2)];
        this.argmax = new int[out.length];
        this.dIn = new float[channels * height * width];
    }

    /** in [C][H][W] -> [C][H/2][W/2]; the returned array is this layer's and is reused. */
    public float[] forward(float[] in) {
        kernels.maxPool2x2Forward(in, channels, height, width, out, argmax);
        return out;
    }

    /**
     * {@code conv}'s output for {@code in}, pooled: [C'][H'][W'] -> [C][H/2][W/2] (this layer's array,
     * reused), where conv turns C'xH'xW' images into this layer's CxHxW input. One fused kernel does
     * both, so the conv output is never stored. The argmax is recorded only {@code forBackward}.
     */
    public float[] forward(Conv3x3Layer conv, float[] in, boolean forBackward) {
        conv.forwardPooled(in, out, forBackward ? argmax : null);
        return out;
    }

    /** dOut [C][H/2][W/2] -> dIn [C][H][W]. */
    public float[] backward(float[] dOut) {
        kernels.maxPool2x2Backward(dOut, argmax, out.length, dIn, dIn.length);
        return dIn;
    }

    /** The argmax mask of the last forward pass, [C][H/2][W/2]. */
    public int[] argmax() {
        return argmax;
    }

    public int outputHeight() {
        return height / 2;
    }

    public int outputWidth() {
        return width / 2;
    }
}
