package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;

import java.util.List;

/**
 * Fully connected layer with a bias: x [I] -> y [O], {@code y[o] = b[o] + sum_i W[o][i] * x[i]}. The
 * input is whatever the layer before gives, read flat: a [C][H][W] plane is flattened channel-major,
 * as PyTorch's {@code nn.Flatten} does with NCHW. Weights are stored output-major, [O][I], so each
 * output's weights are one contiguous row. Built with a group size, it also runs over groups of
 * samples ({@link GroupLayer}) through the batch kernels, which read each weight row once per group.
 */
public final class DenseLayer implements GroupLayer {
    private final Kernels kernels;
    private final Shape input;
    private final int inputs;
    private final int outputs;
    private final Parameter weight;  // [O][I]
    private final Parameter bias;    // [O]
    private final float[] out;       // [O]
    private final float[] dIn;       // [I]
    private final int group;
    private final float[] groupOut;  // [group][O]
    private final float[] groupDIn;  // [group][I]
    private float[] lastInput;       // [I], the caller's array, kept for backward
    private float[] lastGroupInput;  // [group][I], the caller's array, kept for backwardGroup
    private float[] rowsX;           // [B][I] and [B][O] after keepRows: where backwardGroup leaves its
    private float[] rowsD;           // rows instead of adding the weight gradient
    private int rowsFrom;            // the batch row of the group's first sample

    /** Layer {@code index} of its network; its parameters are named {@code index.weight} and {@code index.bias}. */
    public DenseLayer(Kernels kernels, int index, Shape input, int outputs) {
        this(kernels, index, input, outputs, 0);
    }

    /** As {@link #DenseLayer(Kernels, int, Shape, int)}, with buffers for groups of up to {@code group} samples. */
    public DenseLayer(Kernels kernels, int index, Shape input, int outputs, int group) {
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
        this.group = group;
        this.groupOut = GroupRows.of(group, outputs);
        this.groupDIn = GroupRows.of(group, inputs);
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
    public int groupCapacity() {
        return group;
    }

    // x [count][I] -> logits [group][O]: each row as forward gives it, the weights read once per group
    @Override
    public float[] forwardGroup(float[] in, int count) {
        GroupRows.check(count, group, this);
        lastGroupInput = in;
        kernels.denseForwardBatch(in, count, inputs, weight.values(), bias.values(), outputs, groupOut);
        return groupOut;
    }

    // dLogits [count][O] -> dx [group][I]; the weight and bias gradients added for s = 0, 1, ... in turn,
    // or, after keepRows, the bias gradient added and the group's input and dLogits rows kept instead
    // of the weight gradient
    @Override
    public float[] backwardGroup(float[] dOut, int count, boolean wantInputGradient, boolean accumulate) {
        GroupRows.check(count, group, this);
        float[] dx = wantInputGradient ? groupDIn : null;
        kernels.denseBackwardBatch(lastGroupInput, count, inputs, weight.values(), outputs, dOut, dx,
                rowsX == null ? weight.gradient() : null, bias.gradient(), accumulate);
        if (rowsX != null) {
            System.arraycopy(lastGroupInput, 0, rowsX, rowsFrom * inputs, count * inputs);
            System.arraycopy(dOut, 0, rowsD, rowsFrom * outputs, count * outputs);
        }
        return dx;
    }

    /**
     * From now on, backwardGroup adds no weight gradient: it copies its group's input rows to x [B][I]
     * and its output-gradient rows to d [B][O], from row {@link #keepRowsFrom} on, for the weight
     * gradient to be taken over the whole batch afterwards. Both null: back to adding it.
     */
    public void keepRows(float[] x, float[] d) {
        rowsX = x;
        rowsD = d;
    }

    /** The batch row of the next group's first sample, for {@link #keepRows}. */
    public void keepRowsFrom(int row) {
        rowsFrom = row;
    }

    /** The weight, [O][I]. */
    public Parameter weight() {
        return weight;
    }

    /** I, values in. */
    public int inputCount() {
        return inputs;
    }

    /** O, values out. */
    public int outputCount() {
        return outputs;
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
