package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;

import java.util.List;

/**
 * Fully connected layer with a bias: x [I] -> y [O], {@code y[o] = b[o] + sum_i W[o][i] * x[i]}. The
 * input is whatever the layer before gives, read flat: a [C][H][W] plane is flattened channel-major,
 * as PyTorch's {@code nn.Flatten} does with NCHW. Weights are stored output-major, [O][I], so each
 * output's weights are one contiguous row.
 */
public final class DenseLayer implements Layer {
    private final Kernels kernels;
    private final Shape input;
    private final int inputs;
    private final int outputs;
    private final Parameter weight;  // [O][I]
    private final Parameter bias;    // [O]
    private final float[] out;       // [O]
    private final float[] dIn;       // [I]
    private float[] lastInput;       // [I], the caller's array, kept for backward

    /** Layer {@code index} of its network; its parameters are named {@code index.weight} and {@code index.bias}. */
    public DenseLayer(Kernels kernels, int index, Shape input, int outputs) {
        if (outputs < 1) {
            throw new IllegalArgumentException("dense needs >= 1 output, got " + outputs);
        }
        this.kernels = kernels;
        this.input = input;
        this.inputs = Math.toIntExact(input.size());
        this.outputs = outputs;
        this.weight = new Parameter(index + ".weight", outputs, inputs);
        this.bias = new Parameter(index + ".bias", outputs);
        this.out = new float[outputs];
        this.dIn = new float[inputs];
    }

    @Override
    public float[] forward(float[] in, boolean training) {
        lastInput = in;
        kernels.denseForward(in, inputs, weight.values(), bias.values(), outputs, out);
        return out;
    }

    @Override
    public float[] backward(float[] dOut, boolean wantInputGradient) {
        float[] dx = wantInputGradient ? dIn : null;
        kernels.denseBackward(lastInput, inputs, weight.values(), outputs, dOut, dx, weight.gradient(),
                bias.gradient());
        return dx;
    }

    // one fused pass over the weights: dx from each weight block, then the block updated (the seed's step)
    @Override
    public float[] backwardAndUpdate(float[] dOut, boolean wantInputGradient, float lr) {
        float[] dx = wantInputGradient ? dIn : null;
        kernels.denseBackwardUpdate(lastInput, inputs, weight.values(), bias.values(), outputs, dOut, lr, dx);
        return dx;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    @Override
    public Shape inputShape() {
        return input;
    }

    @Override
    public Shape outputShape() {
        return Shape.flat(outputs);
    }

    @Override
    public String describe() {
        return "dense:" + outputs;
    }
}
