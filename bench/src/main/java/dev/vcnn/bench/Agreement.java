package dev.vcnn.bench;

import dev.vcnn.engine.kernels.Kernels;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs every kernel on both implementations with the same inputs and throws if any output
 * differs by more than float rounding of a reordered sum allows (relative 1e-4 of the largest
 * magnitude; the engine's property tests hold a much finer, per-element bound).
 */
final class Agreement {
    private static final double RELATIVE = 1e-4;

    private Agreement() {
    }

    static void check(KernelInputs in) {
        Shapes s = in.s;
        compare("conv3x3Forward", in, k -> k.conv3x3Forward(in.image, s.channels, s.height, s.width,
                in.filters, s.filters, in.conv), () -> in.conv);
        compare("conv3x3FilterGradient", in, k -> k.conv3x3FilterGradient(in.image, s.channels, s.height, s.width,
                in.dConv, s.filters, in.dFilters), () -> in.dFilters);
        compare("conv3x3InputGradient", in, k -> k.conv3x3InputGradient(in.dConv, s.filters, s.height, s.width,
                in.filters, s.channels, in.dImage), () -> in.dImage);
        compare("conv3x3MaxPool2x2Forward", in, k -> k.conv3x3MaxPool2x2Forward(in.image, s.channels, s.height,
                s.width, in.filters, s.filters, in.pooled, in.argmax), () -> in.pooled);
        compare("maxPool2x2Forward", in, k -> k.maxPool2x2Forward(in.conv, s.filters, s.convHeight(), s.convWidth(),
                in.pooled, in.argmax), () -> in.pooled);
        compare("conv3x3FilterGradientFromPool", in, k -> k.conv3x3FilterGradientFromPool(in.image, s.channels,
                s.height, s.width, in.dPooled, in.argmax, s.filters, in.dFilters), () -> in.dFilters);
        compare("maxPool2x2Backward", in, k -> k.maxPool2x2Backward(in.dPooled, in.argmax, s.pooledSize(),
                in.dConv, s.convSize()), () -> in.dConv);
        compare("denseForward", in, k -> k.denseForward(in.pooled, s.pooledSize(), in.weights, in.biases, s.classes,
                in.logits), () -> in.logits);
        float[] weights = in.weights.clone();
        float[] biases = in.biases.clone();
        compare("denseBackwardUpdate", in, k -> {
            System.arraycopy(weights, 0, in.weights, 0, weights.length);
            System.arraycopy(biases, 0, in.biases, 0, biases.length);
            k.denseBackwardUpdate(in.pooled, s.pooledSize(), in.weights, in.biases, s.classes, in.dLogits, 0.01f, in.dx);
        }, () -> concat(in.dx, in.weights));
        System.arraycopy(weights, 0, in.weights, 0, weights.length);
        System.arraycopy(biases, 0, in.biases, 0, biases.length);
    }

    /** The deep preset's conv and dense kernels at its layers' shapes, as {@link #check(KernelInputs)}. */
    static void check(DeepInputs in) {
        for (DeepInputs.ConvData c : new DeepInputs.ConvData[] {in.conv1, in.conv2}) {
            DeepShapes.Conv s = c.shape;
            String where = in.shape + " " + s;
            compare("conv3x3Forward", where, in.scalar, in.vector, k -> k.conv3x3Forward(c.image, s.channels(),
                    s.height(), s.width(), c.filters, s.filters(), c.conv), () -> c.conv);
            compare("conv3x3FilterGradient", where, in.scalar, in.vector, k -> k.conv3x3FilterGradient(c.image,
                    s.channels(), s.height(), s.width(), c.dConv, s.filters(), c.dFilters), () -> c.dFilters);
            compare("conv3x3InputGradient", where, in.scalar, in.vector, k -> k.conv3x3InputGradient(c.dConv,
                    s.filters(), s.height(), s.width(), c.filters, s.channels(), c.dImage), () -> c.dImage);
        }
        for (DeepInputs.DenseData d : new DeepInputs.DenseData[] {in.dense1, in.dense2}) {
            DeepShapes.Dense s = d.shape;
            String where = in.shape + " " + s;
            compare("denseForward", where, in.scalar, in.vector, k -> k.denseForward(d.x, s.inputs(), d.weights,
                    d.biases, s.outputs(), d.out), () -> d.out);
            float[] weights = d.weights.clone();
            float[] biases = d.biases.clone();
            compare("denseBackwardUpdate", where, in.scalar, in.vector, k -> {
                System.arraycopy(weights, 0, d.weights, 0, weights.length);
                System.arraycopy(biases, 0, d.biases, 0, biases.length);
                k.denseBackwardUpdate(d.x, s.inputs(), d.weights, d.biases, s.outputs(), d.dOut, 0.01f, d.dx);
            }, () -> concat(d.dx, d.weights));
            System.arraycopy(weights, 0, d.weights, 0, weights.length);
            System.arraycopy(biases, 0, d.biases, 0, biases.length);
        }
        // the batch rows: the conv ones call the per-image kernels checked above
        for (DeepInputs.DenseBatch d : new DeepInputs.DenseBatch[] {in.dense1Batch, in.dense2Batch}) {
            DeepShapes.Dense s = d.shape;
            String where = in.shape + " " + s + " x " + DeepShapes.BATCH;
            compare("denseForwardBatch", where, in.scalar, in.vector, k -> k.denseForwardBatch(d.x, DeepShapes.BATCH,
                    s.inputs(), d.weights, d.biases, s.outputs(), d.out), () -> d.out);
            compare("denseBackwardBatch", where, in.scalar, in.vector, k -> k.denseBackwardBatch(d.x,
                    DeepShapes.BATCH, s.inputs(), d.weights, s.outputs(), d.dOut, d.dx, d.dWeights, d.dBiases, false),
                    () -> concat(d.dx, concat(d.dWeights, d.dBiases)));
        }
    }

    private static void compare(String kernel, KernelInputs in, Consumer<Kernels> run,
                                Supplier<float[]> output) {
        compare(kernel, in.shape, in.scalar, in.vector, run, output);
    }

    private static void compare(String kernel, String shape, Kernels scalar, Kernels vector, Consumer<Kernels> run,
                                Supplier<float[]> output) {
        run.accept(scalar);
        float[] expected = output.get().clone();
        run.accept(vector);
        float[] actual = output.get();
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int k = 0; k < expected.length; k++) {
            if (!(Math.abs(expected[k] - actual[k]) <= RELATIVE * scale)) {
                throw new IllegalStateException(kernel + " at shape " + shape + ": vector " + actual[k]
                        + " but scalar " + expected[k] + " at index " + k + " (" + vector.description() + ")");
            }
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
