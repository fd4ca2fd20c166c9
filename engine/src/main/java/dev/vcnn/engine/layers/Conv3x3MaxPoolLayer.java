package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;

import java.util.List;

/**
 * {@code conv3x3:N:nobias} directly followed by {@code maxpool2}, run as one fused kernel each way, as
 * the seed network always has: [C][H][W] -> [F][(H-2)/2][(W-2)/2], without storing the
 * [F][H-2][W-2] convolution. Forward gives exactly what the two layers give; backward goes from the
 * pooled gradient and the argmax to the filter gradient without building the conv gradient, unless
 * the input gradient is wanted too. Only the conv has a parameter, named {@code index.weight}.
 */
public final class Conv3x3MaxPoolLayer implements Layer {
    private final Kernels kernels;
    private final Shape input;
    private final Shape conv;             // [F][H-2][W-2], never stored unless dIn is wanted
    private final Shape output;
    private final Parameter weight;       // [F][C][3][3]
    private final float[] pooled;         // [F][(H-2)/2][(W-2)/2]
    private final int[] argmax;           // [F][(H-2)/2][(W-2)/2], flat indices into the conv output
    private final float[] sampleWeights;  // [F][C][3][3], this sample's filter gradient
    private final float[] dConv;          // [F][H-2][W-2], for the input gradient only
    private final float[] dIn;            // [C][H][W]
    private float[] lastInput;            // [C][H][W], the caller's array, kept for backward

    /** {@code index}: the conv's position in the spec; the pool is at index + 1. */
    public Conv3x3MaxPoolLayer(Kernels kernels, int index, Shape input, int filters) {
        if (filters < 1 || input.height() < 4 || input.width() < 4) {
            throw new IllegalArgumentException("conv3x3 + maxpool2 needs >= 1 filter and planes of at least 4x4, got "
                    + input + " with " + filters + " filters");
        }
        this.kernels = kernels;
        this.input = input;
        this.conv = new Shape(filters, input.height() - 2, input.width() - 2);
        this.output = new Shape(filters, conv.height() / 2, conv.width() / 2);
        this.weight = new Parameter(index + ".weight", filters, input.channels(), 3, 3);
        this.pooled = new float[Math.toIntExact(output.size())];
        this.argmax = new int[pooled.length];
        this.sampleWeights = new float[weight.size()];
        this.dConv = new float[Math.toIntExact(conv.size())];
        this.dIn = new float[Math.toIntExact(input.size())];
    }

    // the argmax is recorded only for training: inference skips it
    @Override
    public float[] forward(float[] in, boolean training) {
        lastInput = in;
        kernels.conv3x3MaxPool2x2Forward(in, input.channels(), input.height(), input.width(), weight.values(),
                conv.channels(), pooled, training ? argmax : null);
        return pooled;
    }

    @Override
    public float[] backward(float[] dOut, boolean wantInputGradient) {
        float[] result = gradients(dOut, wantInputGradient);
        kernels.addInto(weight.gradient(), sampleWeights, 0, sampleWeights.length);
        return result;
    }

    @Override
    public float[] backwardAndUpdate(float[] dOut, boolean wantInputGradient, float lr) {
        float[] result = gradients(dOut, wantInputGradient);
        kernels.sgdUpdate(weight.values(), sampleWeights, sampleWeights.length, lr);
        return result;
    }

    private float[] gradients(float[] dPooled, boolean wantInputGradient) {
        int channels = input.channels();
        int filters = conv.channels();
        if (!wantInputGradient) {
            kernels.conv3x3FilterGradientFromPool(lastInput, channels, input.height(), input.width(), dPooled, argmax,
                    filters, sampleWeights);
            return null;
        }
        kernels.maxPool2x2Backward(dPooled, argmax, pooled.length, dConv, dConv.length);
        kernels.conv3x3FilterGradient(lastInput, channels, input.height(), input.width(), dConv, filters,
                sampleWeights);
        kernels.conv3x3InputGradient(dConv, filters, input.height(), input.width(), weight.values(), channels, dIn);
        return dIn;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight);
    }

    @Override
    public Shape inputShape() {
        return input;
    }

    @Override
    public Shape outputShape() {
        return output;
    }

    @Override
    public String describe() {
        return "conv3x3:" + conv.channels() + ":nobias,maxpool2";
    }
}
