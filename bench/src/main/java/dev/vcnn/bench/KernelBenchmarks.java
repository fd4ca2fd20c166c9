package dev.vcnn.bench;

import dev.vcnn.engine.kernels.Kernels;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * Every kernel, scalar against vector, on the inputs of {@link KernelInputs} (checked to agree
 * before timing). Each method returns the array it wrote so JMH keeps the work alive.
 */
public class KernelBenchmarks extends KernelBenchmark {
    // small enough that the dense weights barely move over millions of calls: every call does the same work
    private static final float LR = 1e-9f;

    @Benchmark
    public Object convForwardScalar(KernelInputs in) {
        return convForward(in.scalar, in);
    }

    @Benchmark
    public Object convForwardVector(KernelInputs in) {
        return convForward(in.vector, in);
    }

    private static Object convForward(Kernels k, KernelInputs in) {
        Shapes s = in.s;
        k.conv3x3Forward(in.image, s.channels, s.height, s.width, in.filters, s.filters, in.conv);
        return in.conv;
    }

    @Benchmark
    public Object convFilterGradientScalar(KernelInputs in) {
        return convFilterGradient(in.scalar, in);
    }

    @Benchmark
    public Object convFilterGradientVector(KernelInputs in) {
        return convFilterGradient(in.vector, in);
    }

    private static Object convFilterGradient(Kernels k, KernelInputs in) {
        Shapes s = in.s;
        k.conv3x3FilterGradient(in.image, s.channels, s.height, s.width, in.dConv, s.filters, in.dFilters);
        return in.dFilters;
    }

    @Benchmark
    public Object convFilterGradientFromPoolScalar(KernelInputs in) {
        return convFilterGradientFromPool(in.scalar, in);
    }

    @Benchmark
    public Object convFilterGradientFromPoolVector(KernelInputs in) {
        return convFilterGradientFromPool(in.vector, in);
    }

    // pool backward and filter gradient fused, as a training step runs them
    private static Object convFilterGradientFromPool(Kernels k, KernelInputs in) {
        Shapes s = in.s;
        k.conv3x3FilterGradientFromPool(in.image, s.channels, s.height, s.width, in.dPooled, in.argmax, s.filters,
                in.dFilters);
        return in.dFilters;
    }

    @Benchmark
    public Object convInputGradientScalar(KernelInputs in) {
        return convInputGradient(in.scalar, in);
    }

    @Benchmark
    public Object convInputGradientVector(KernelInputs in) {
        return convInputGradient(in.vector, in);
    }

    private static Object convInputGradient(Kernels k, KernelInputs in) {
        Shapes s = in.s;
        k.conv3x3InputGradient(in.dConv, s.filters, s.height, s.width, in.filters, s.channels, in.dImage);
        return in.dImage;
    }

    @Benchmark
    public Object poolForwardScalar(KernelInputs in) {
        return poolForward(in.scalar, in);
    }

    @Benchmark
    public Object poolForwardVector(KernelInputs in) {
        return poolForward(in.vector, in);
    }

    private static Object poolForward(Kernels k, KernelInputs in) {
        Shapes s = in.s;
        k.maxPool2x2Forward(in.conv, s.filters, s.convHeight(), s.convWidth(), in.pooled, in.argmax);
        return in.argmax;
    }

    @Benchmark
    public Object convPoolForwardScalar(KernelInputs in) {
        return convPoolForward(in.scalar, in);
    }

    @Benchmark
    public Object convPoolForwardVector(KernelInputs in) {
        return convPoolForward(in.vector, in);
    }

    // conv forward and pool forward fused, as a training step runs them
    private static Object convPoolForward(Kernels k, KernelInputs in) {
        Shapes s = in.s;
        k.conv3x3MaxPool2x2Forward(in.image, s.channels, s.height, s.width, in.filters, s.filters, in.pooled, in.argmax);
        return in.argmax;
    }

    @Benchmark
    public Object poolBackwardScalar(KernelInputs in) {
        return poolBackward(in.scalar, in);
    }

    @Benchmark
    public Object poolBackwardVector(KernelInputs in) {
        return poolBackward(in.vector, in);
    }

    private static Object poolBackward(Kernels k, KernelInputs in) {
        Shapes s = in.s;
        k.maxPool2x2Backward(in.dPooled, in.argmax, s.pooledSize(), in.dConv, s.convSize());
        return in.dConv;
    }

    @Benchmark
    public Object denseForwardScalar(KernelInputs in) {
        return denseForward(in.scalar, in);
    }

    @Benchmark
    public Object denseForwardVector(KernelInputs in) {
        return denseForward(in.vector, in);
    }

    private static Object denseForward(Kernels k, KernelInputs in) {
        Shapes s = in.s;
        k.denseForward(in.pooled, s.pooledSize(), in.weights, in.biases, s.classes, in.logits);
        return in.logits;
    }

    @Benchmark
    public Object denseBackwardScalar(KernelInputs in) {
        return denseBackward(in.scalar, in);
    }

    @Benchmark
    public Object denseBackwardVector(KernelInputs in) {
        return denseBackward(in.vector, in);
    }

    private static Object denseBackward(Kernels k, KernelInputs in) {
        Shapes s = in.s;
        k.denseBackwardUpdate(in.pooled, s.pooledSize(), in.weights, in.biases, s.classes, in.dLogits, LR, in.dx);
        return in.dx;
    }
}
