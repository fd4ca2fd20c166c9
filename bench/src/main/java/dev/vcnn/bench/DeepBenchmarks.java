package dev.vcnn.bench;

import dev.vcnn.engine.kernels.Kernels;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The kernels of the deep preset's layers at their own shapes ({@link DeepShapes}), scalar against
 * vector, on the inputs of {@link DeepInputs} (checked to agree before timing): conv1 1->16 on 28x28
 * and conv2 16->32 on 13x13 forward, filter gradient and input gradient; dense 800->128 and 128->10
 * forward and backward (fused with the update, as a per-sample step runs it). The whole deep step and
 * inference are {@link NetworkBenchmarks} at shape {@code deep}.
 */
public class DeepBenchmarks extends KernelBenchmark {
    // small enough that the dense weights barely move over millions of calls: every call does the same work
    private static final float LR = 1e-9f;

    @Benchmark
    public Object conv1ForwardScalar(DeepInputs in) {
        return convForward(in.scalar, in.conv1);
    }

    @Benchmark
    public Object conv1ForwardVector(DeepInputs in) {
        return convForward(in.vector, in.conv1);
    }

    @Benchmark
    public Object conv1FilterGradientScalar(DeepInputs in) {
        return convFilterGradient(in.scalar, in.conv1);
    }

    @Benchmark
    public Object conv1FilterGradientVector(DeepInputs in) {
        return convFilterGradient(in.vector, in.conv1);
    }

    @Benchmark
    public Object conv1InputGradientScalar(DeepInputs in) {
        return convInputGradient(in.scalar, in.conv1);
    }

    @Benchmark
    public Object conv1InputGradientVector(DeepInputs in) {
        return convInputGradient(in.vector, in.conv1);
    }

    @Benchmark
    public Object conv2ForwardScalar(DeepInputs in) {
        return convForward(in.scalar, in.conv2);
    }

    @Benchmark
    public Object conv2ForwardVector(DeepInputs in) {
        return convForward(in.vector, in.conv2);
    }

    @Benchmark
    public Object conv2FilterGradientScalar(DeepInputs in) {
        return convFilterGradient(in.scalar, in.conv2);
    }

    @Benchmark
    public Object conv2FilterGradientVector(DeepInputs in) {
        return convFilterGradient(in.vector, in.conv2);
    }

    @Benchmark
    public Object conv2InputGradientScalar(DeepInputs in) {
        return convInputGradient(in.scalar, in.conv2);
    }

    @Benchmark
    public Object conv2InputGradientVector(DeepInputs in) {
        return convInputGradient(in.vector, in.conv2);
    }

    @Benchmark
    public Object dense1ForwardScalar(DeepInputs in) {
        return denseForward(in.scalar, in.dense1);
    }

    @Benchmark
    public Object dense1ForwardVector(DeepInputs in) {
        return denseForward(in.vector, in.dense1);
    }

    @Benchmark
    public Object dense1BackwardScalar(DeepInputs in) {
        return denseBackward(in.scalar, in.dense1);
    }

    @Benchmark
    public Object dense1BackwardVector(DeepInputs in) {
        return denseBackward(in.vector, in.dense1);
    }

    @Benchmark
    public Object dense2ForwardScalar(DeepInputs in) {
        return denseForward(in.scalar, in.dense2);
    }

    @Benchmark
    public Object dense2ForwardVector(DeepInputs in) {
        return denseForward(in.vector, in.dense2);
    }

    @Benchmark
    public Object dense2BackwardScalar(DeepInputs in) {
        return denseBackward(in.scalar, in.dense2);
    }

    @Benchmark
    public Object dense2BackwardVector(DeepInputs in) {
        return denseBackward(in.vector, in.dense2);
    }

    private static Object convForward(Kernels k, DeepInputs.ConvData c) {
        DeepShapes.Conv s = c.shape;
        k.conv3x3Forward(c.image, s.channels(), s.height(), s.width(), c.filters, s.filters(), c.conv);
        return c.conv;
    }

    private static Object convFilterGradient(Kernels k, DeepInputs.ConvData c) {
        DeepShapes.Conv s = c.shape;
        k.conv3x3FilterGradient(c.image, s.channels(), s.height(), s.width(), c.dConv, s.filters(), c.dFilters);
        return c.dFilters;
    }

    private static Object convInputGradient(Kernels k, DeepInputs.ConvData c) {
        DeepShapes.Conv s = c.shape;
        k.conv3x3InputGradient(c.dConv, s.filters(), s.height(), s.width(), c.filters, s.channels(), c.dImage);
        return c.dImage;
    }

    private static Object denseForward(Kernels k, DeepInputs.DenseData d) {
        DeepShapes.Dense s = d.shape;
        k.denseForward(d.x, s.inputs(), d.weights, d.biases, s.outputs(), d.out);
        return d.out;
    }

    private static Object denseBackward(Kernels k, DeepInputs.DenseData d) {
        DeepShapes.Dense s = d.shape;
        k.denseBackwardUpdate(d.x, s.inputs(), d.weights, d.biases, s.outputs(), d.dOut, LR, d.dx);
        return d.dx;
    }
}
