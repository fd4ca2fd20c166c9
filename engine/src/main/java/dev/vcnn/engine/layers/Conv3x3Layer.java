package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;

import java.util.Arrays;
import java.util.List;

/**
 * 3x3 convolution, valid padding, stride 1, with or without a bias per filter, no activation:
 * [C][H][W] -> [F][H-2][W-2].
 */
public final class Conv3x3Layer implements Layer {
    private final Kernels kernels;
    private final Shape input;
    private final Shape output;
    private final Parameter weight;       // [F][C][3][3]
    private final Parameter bias;         // [F], or null
    private final float[] out;            // [F][H-2][W-2]
    private final float[] dIn;            // [C][H][W]
    private final float[] sampleWeights;  // [F][C][3][3], this sample's filter gradient
    private final float[] sampleBias;     // [F], this sample's bias gradient
    private float[] lastInput;            // [C][H][W], the caller's array, kept for backward

    /** Layer {@code index} of its network; its parameters are named {@code index.weight} and {@code index.bias}. */
    public Conv3x3Layer(Kernels kernels, int index, Shape input, int filters, boolean withBias) {
        if (filters < 1 || input.height() < 3 || input.width() < 3) {
            throw new IllegalArgumentException("conv3x3 needs >= 1 filter and planes of at least 3x3, got "
                    + input + " with " + filters + " filters");
        }
        this.kernels = kernels;
        this.input = input;
        this.output = new Shape(filters, input.height() - 2, input.width() - 2);
        this.weight = new Parameter(index + ".weight", filters, input.channels(), 3, 3);
        this.bias = withBias ? new Parameter(index + ".bias", filters) : null;
        this.out = new float[Math.toIntExact(output.size())];
        this.dIn = new float[Math.toIntExact(input.size())];
        this.sampleWeights = new float[weight.size()];
        this.sampleBias = new float[filters];
    }

    @Override
    public float[] forward(float[] in, boolean training) {
        lastInput = in;
        kernels.conv3x3Forward(in, input.channels(), input.height(), input.width(), weight.values(),
                output.channels(), out);
        if (bias != null) {
            kernels.addChannelBias(out, output.channels(), output.height() * output.width(), bias.values());
        }
        return out;
    }

    @Override
    public float[] backward(float[] dOut, boolean wantInputGradient) {
        float[] result = gradients(dOut, wantInputGradient);
        kernels.addInto(weight.gradient(), sampleWeights, 0, sampleWeights.length);
        if (bias != null) {
            kernels.addInto(bias.gradient(), sampleBias, 0, sampleBias.length);
        }
        return result;
    }

    @Override
    public float[] backwardAndUpdate(float[] dOut, boolean wantInputGradient, float lr) {
        float[] result = gradients(dOut, wantInputGradient);
        kernels.sgdUpdate(weight.values(), sampleWeights, sampleWeights.length, lr);
        if (bias != null) {
            kernels.sgdUpdate(bias.values(), sampleBias, sampleBias.length, lr);
        }
        return result;
    }

    // this sample's filter and bias gradients into the sample arrays, and dIn from the filters as they are
    private float[] gradients(float[] dOut, boolean wantInputGradient) {
        int filters = output.channels();
        kernels.conv3x3FilterGradient(lastInput, input.channels(), input.height(), input.width(), dOut, filters,
                sampleWeights);
        if (bias != null) {
            Arrays.fill(sampleBias, 0f);
            kernels.addChannelSums(dOut, filters, output.height() * output.width(), sampleBias);
        }
        if (!wantInputGradient) {
            return null;
        }
        kernels.conv3x3InputGradient(dOut, filters, input.height(), input.width(), weight.values(),
                input.channels(), dIn);
        return dIn;
    }

    @Override
    public List<Parameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
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
        return "conv3x3:" + output.channels() + (bias == null ? ":nobias" : "");
    }
}
