package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;

import java.util.List;

/**
 * ReLU then 2x2 max-pool, stride 2, as one layer: [C][H][W] -> [C][H/2][W/2], odd sizes floored.
 * Both are monotone, so relu(max(window)) = max(relu(window)): forward pools the raw input (a
 * {@link MaxPool2x2Layer}) and takes the relu of the quarter-size result, and backward masks the
 * pooled gradient where the output is not positive before the pool routes it to each window's max,
 * saving the two full-size relu passes. The numbers are the unfused pair's bit for bit: where a
 * window's max is positive, its first maximum is the same position in both; where it is not, both
 * give output 0 and send 0 everywhere in the window (the unfused pair routes the gradient to the
 * window's first zero, which relu then masks).
 */
public final class ReluMaxPool2x2Layer implements Layer {
    private final Kernels kernels;
    private final MaxPool2x2Layer pool;
    private final float[] out;      // [C][H/2][W/2]
    private final float[] dPooled;  // [C][H/2][W/2]

    public ReluMaxPool2x2Layer(Kernels kernels, Shape input) {
        this.kernels = kernels;
        this.pool = new MaxPool2x2Layer(kernels, input);
        this.out = new float[Math.toIntExact(pool.outputShape().size())];
        this.dPooled = new float[out.length];
    }

    @Override
    public float[] forward(float[] in, boolean training) {
        kernels.reluForward(pool.forward(in, training), out.length, out);
        return out;
    }

    @Override
    public float[] backward(float[] dOut, boolean wantInputGradient) {
        if (!wantInputGradient) {
            return null;
        }
        kernels.reluBackward(dOut, out, out.length, dPooled);
        return pool.backward(dPooled, true);
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
        return pool.inputShape();
    }

    @Override
    public Shape outputShape() {
        return pool.outputShape();
    }

    @Override
    public String describe() {
        return "relu,maxpool2";
    }
}
