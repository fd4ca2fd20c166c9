package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;

import java.util.List;

/**
 * ReLU, max(x, 0) element-wise, any shape; backward lets the gradient through where the output is
 * positive. Built with a group size, it also runs over groups of samples ({@link GroupLayer}): being
 * element-wise, one kernel call covers all the group's rows.
 */
public final class ReluLayer implements GroupLayer {
    private final Kernels kernels;
    private final Shape shape;
    private final float[] out;       // [shape]
    private final float[] dIn;       // [shape]
    private final int group;
    private final float[] groupOut;  // [group][shape]
    private final float[] groupDIn;  // [group][shape]

    public ReluLayer(Kernels kernels, Shape shape) {
        this(kernels, shape, 0);
    }

    /** As {@link #ReluLayer(Kernels, Shape)}, with buffers for groups of up to {@code group} samples. */
    public ReluLayer(Kernels kernels, Shape shape, int group) {
        this.kernels = kernels;
        this.shape = shape;
        this.out = new float[Math.toIntExact(shape.size())];
        this.dIn = new float[out.length];
        this.group = group;
        this.groupOut = GroupRows.of(group, out.length);
        this.groupDIn = GroupRows.of(group, out.length);
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
    public int groupCapacity() {
        return group;
    }

    // in [count][size] -> out [group][size], one call over count * size values
    @Override
    public float[] forwardGroup(float[] in, int count) {
        GroupRows.check(count, group, this);
        kernels.reluForward(in, count * out.length, groupOut);
        return groupOut;
    }

    @Override
    public float[] backwardGroup(float[] dOut, int count, boolean wantInputGradient, boolean accumulate) {
        GroupRows.check(count, group, this);
        if (!wantInputGradient) {
            return null;
        }
        kernels.reluBackward(dOut, groupOut, count * out.length, groupDIn);
        return groupDIn;
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
