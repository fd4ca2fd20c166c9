package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;

import java.util.List;

/** ReLU, max(x, 0) element-wise, any shape; backward lets the gradient through where the output is positive. */
public final class ReluLayer implements Layer {
    private final Kernels kernels;
    private final Shape shape;
    private final float[] out;  // [shape]
    private final float[] dIn;  // [shape]

    public ReluLayer(Kernels kernels, Shape shape) {
        this.kernels = kernels;
        this.shape = shape;
        this.out = new float[Math.toIntExact(shape.size())];
        this.dIn = new float[out.length];
    }

    @Override
    public float[] forward(float[] in, boolean training) {
        kernels.reluForward(in, out.length, out);
        return out;
    }

    @Override
    public float[] backward(float[] dOut, boolean wantInputGradient) {
        if (!wantInputGradient) {
            return null;
        }
        kernels.reluBackward(dOut, out, out.length, dIn);
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
        return shape;
    }

    @Override
    public Shape outputShape() {
        return shape;
    }

    @Override
    public String describe() {
        return "relu";
    }
}
