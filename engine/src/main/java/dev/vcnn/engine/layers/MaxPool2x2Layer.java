package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;

import java.util.List;

/**
 * 2x2 max-pool, stride 2: [C][H][W] -> [C][H/2][W/2], odd sizes floored. Forward records which
 * input won each window (the first maximum in row-major order, so on ties exactly one position
 * gets the gradient); backward sends each gradient there and zero everywhere else.
 */
public final class MaxPool2x2Layer implements Layer {
    private final Kernels kernels;
    private final Shape input;
    private final Shape output;
    private final float[] out;    // [C][H/2][W/2]
    private final int[] argmax;   // [C][H/2][W/2], flat indices into the input
    private final float[] dIn;    // [C][H][W]

    public MaxPool2x2Layer(Kernels kernels, Shape input) {
        if (input.height() < 2 || input.width() < 2) {
            throw new IllegalArgumentException("maxpool2 needs planes of at least 2x2, got " + input);
        }
        this.kernels = kernels;
        this.input = input;
        this.output = new Shape(input.channels(), input.height() / 2, input.width() / 2);
        this.out = new float[Math.toIntExact(output.size())];
        this.argmax = new int[out.length];
        this.dIn = new float[Math.toIntExact(input.size())];
    }

    @Override
    public float[] forward(float[] in, boolean training) {
        kernels.maxPool2x2Forward(in, input.channels(), input.height(), input.width(), out, argmax);
        return out;
    }

    @Override
    public float[] backward(float[] dOut, boolean wantInputGradient) {
        if (!wantInputGradient) {
            return null;
        }
        kernels.maxPool2x2Backward(dOut, argmax, out.length, dIn, dIn.length);
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
        return "maxpool2";
    }
}
