package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;

import java.util.List;

/**
 * ReLU then 2x2 max-pool, stride 2, as one layer: [C][H][W] -> [C][H/2][W/2], odd sizes floored.
 * Both are monotone, so relu(max(window)) = max(relu(window)): forward pools the raw input and takes
 * the relu of the quarter-size result, and backward masks the pooled gradient where the output is not
 * positive before routing it to each window's max, saving the two full-size relu passes. The numbers
 * are the unfused pair's bit for bit: where a window's max is positive, its first maximum is the same
 * position in both; where it is not, both give output 0 and send 0 everywhere in the window (the
 * unfused pair routes the gradient to the window's first zero, which relu then masks).
 */
public final class ReluMaxPool2x2Layer implements Layer {
    private final Kernels kernels;
    private final Shape input;
    private final Shape output;
    private final float[] pooled;   // [C][H/2][W/2], before the relu
    private final float[] out;      // [C][H/2][W/2]
    private final int[] argmax;     // [C][H/2][W/2], flat indices into the input
    private final float[] dPooled;  // [C][H/2][W/2]
    private final float[] dIn;      // [C][H][W]

    public ReluMaxPool2x2Layer(Kernels kernels, Shape input) {
        if (input.height() < 2 || input.width() < 2) {
            throw new IllegalArgumentException("maxpool2 needs planes of at least 2x2, got " + input);
        }
        this.kernels = kernels;
        this.input = input;
        this.output = new Shape(input.channels(), input.height() / 2, input.width() / 2);
        this.pooled = new float[Math.toIntExact(output.size())];
        this.out = new float[pooled.length];
        this.argmax = new int[pooled.length];
        this.dPooled = new float[pooled.length];
        this.dIn = new float[Math.toIntExact(input.size())];
    }

    @Override
    public float[] forward(float[] in, boolean training) {
        kernels.maxPool2x2Forward(in, input.channels(), input.height(), input.width(), pooled, argmax);
        kernels.reluForward(pooled, pooled.length, out);
        return out;
    }

    @Override
    public float[] backward(float[] dOut, boolean wantInputGradient) {
        if (!wantInputGradient) {
            return null;
        }
        kernels.reluBackward(dOut, out, out.length, dPooled);
        kernels.maxPool2x2Backward(dPooled, argmax, out.length, dIn, dIn.length);
        return dIn;
    }

    @Override
    public float[] backwardAndUpdate(float[] dOut, boolean wantInputGradient, float lr) {
        return backward(dOut, wantInputGradient);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
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
        return "relu,maxpool2";
    }
}
