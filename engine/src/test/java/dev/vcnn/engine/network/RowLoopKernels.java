package dev.vcnn.engine.network;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.kernels.ScalarKernels;

/**
 * The scalar kernels, with {@link Kernels#denseForwardBatch} and {@link Kernels#denseBackwardBatch} as
 * the interface's placeholder defaults compute them (per-sample calls in sample order) but through row
 * buffers made once here instead of at each call. For {@link GroupAllocationTest} only, while the
 * placeholders are what {@link ScalarKernels} runs: once ScalarKernels has batch kernels of its own,
 * the test uses them and this class can go.
 */
final class RowLoopKernels implements Kernels {
    private final Kernels scalar = new ScalarKernels();
    private final float[] row;   // [most inputs]
    private final float[] dRow;  // [most inputs]
    private final float[] out;   // [most outputs]

    RowLoopKernels(int mostInputs, int mostOutputs) {
        row = new float[mostInputs];
        dRow = new float[mostInputs];
        out = new float[mostOutputs];
    }

    /** True while ScalarKernels inherits the allocating placeholders from the interface. */
    static boolean scalarUsesPlaceholders() {
        try {
            return ScalarKernels.class.getMethod("denseForwardBatch", float[].class, int.class, int.class, float[].class,
                    float[].class, int.class, float[].class).getDeclaringClass() == Kernels.class
                    || ScalarKernels.class.getMethod("denseBackwardBatch", float[].class, int.class, int.class,
                    float[].class, int.class, float[].class, float[].class, float[].class, float[].class)
                    .getDeclaringClass() == Kernels.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError("the batch kernels are gone from ScalarKernels", e);
        }
    }

    @Override
    public void denseForwardBatch(float[] x, int samples, int inputs, float[] weights, float[] biases, int outputs,
                                  float[] logits) {
        for (int s = 0; s < samples; s++) {
            System.arraycopy(x, s * inputs, row, 0, inputs);
            scalar.denseForward(row, inputs, weights, biases, outputs, out);
            System.arraycopy(out, 0, logits, s * outputs, outputs);
        }
    }

    @Override
    public void denseBackwardBatch(float[] x, int samples, int inputs, float[] weights, int outputs,
                                   float[] dLogits, float[] dx, float[] dWeights, float[] dBiases) {
        for (int s = 0; s < samples; s++) {
            System.arraycopy(x, s * inputs, row, 0, inputs);
            System.arraycopy(dLogits, s * outputs, out, 0, outputs);
            scalar.denseBackward(row, inputs, weights, outputs, out, dx == null ? null : dRow, dWeights, dBiases);
            if (dx != null) {
                System.arraycopy(dRow, 0, dx, s * inputs, inputs);
            }
        }
    }

    @Override
    public String name() {
        return "scalar with row buffers";
    }

    @Override
    public void conv3x3Forward(float[] in, int channels, int height, int width, float[] filters, int filterCount,
                               float[] out) {
        scalar.conv3x3Forward(in, channels, height, width, filters, filterCount, out);
    }

    @Override
    public void conv3x3FilterGradient(float[] in, int channels, int height, int width, float[] dOut, int filterCount,
                                      float[] dFilters) {
        scalar.conv3x3FilterGradient(in, channels, height, width, dOut, filterCount, dFilters);
    }

    @Override
    public void conv3x3FilterGradientFromPool(float[] in, int channels, int height, int width, float[] dPooled,
                                              int[] argmax, int filterCount, float[] dFilters) {
        scalar.conv3x3FilterGradientFromPool(in, channels, height, width, dPooled, argmax, filterCount, dFilters);
    }

    @Override
    public void conv3x3InputGradient(float[] dOut, int filterCount, int height, int width, float[] filters,
                                     int channels, float[] dIn) {
        scalar.conv3x3InputGradient(dOut, filterCount, height, width, filters, channels, dIn);
    }

    @Override
    public void maxPool2x2Forward(float[] in, int channels, int height, int width, float[] out, int[] argmax) {
        scalar.maxPool2x2Forward(in, channels, height, width, out, argmax);
    }

    @Override
    public void conv3x3MaxPool2x2Forward(float[] in, int channels, int height, int width, float[] filters,
                                         int filterCount, float[] pooled, int[] argmax) {
        scalar.conv3x3MaxPool2x2Forward(in, channels, height, width, filters, filterCount, pooled, argmax);
    }

    @Override
    public void maxPool2x2Backward(float[] dOut, int[] argmax, int pooledSize, float[] dIn, int inputSize) {
        scalar.maxPool2x2Backward(dOut, argmax, pooledSize, dIn, inputSize);
    }

    @Override
    public void denseForward(float[] x, int inputs, float[] weights, float[] biases, int outputs, float[] logits) {
        scalar.denseForward(x, inputs, weights, biases, outputs, logits);
    }

    @Override
    public void softmax(float[] logits, int n, float[] probs) {
        scalar.softmax(logits, n, probs);
    }

    @Override
    public void denseBackwardUpdate(float[] x, int inputs, float[] weights, float[] biases, int outputs,
                                    float[] dLogits, float lr, float[] dx) {
        scalar.denseBackwardUpdate(x, inputs, weights, biases, outputs, dLogits, lr, dx);
    }

    @Override
    public void sgdUpdate(float[] params, float[] grads, int n, float lr) {
        scalar.sgdUpdate(params, grads, n, lr);
    }

    @Override
    public void addChannelBias(float[] values, int channels, int planeSize, float[] bias) {
        scalar.addChannelBias(values, channels, planeSize, bias);
    }

    @Override
    public void addChannelSums(float[] dOut, int channels, int planeSize, float[] dBias) {
        scalar.addChannelSums(dOut, channels, planeSize, dBias);
    }

    @Override
    public void reluForward(float[] in, int n, float[] out) {
        scalar.reluForward(in, n, out);
    }

    @Override
    public void reluBackward(float[] dOut, float[] out, int n, float[] dIn) {
        scalar.reluBackward(dOut, out, n, dIn);
    }

    @Override
    public void denseBackward(float[] x, int inputs, float[] weights, int outputs, float[] dLogits, float[] dx,
                              float[] dWeights, float[] dBiases) {
        scalar.denseBackward(x, inputs, weights, outputs, dLogits, dx, dWeights, dBiases);
    }

    @Override
    public void addInto(float[] sums, float[] values, int n) {
        scalar.addInto(sums, values, n);
    }

    @Override
    public void sgdMomentumUpdate(float[] params, float[] velocity, float[] grads, int n, float lr, float momentum,
                                  float gradScale) {
        scalar.sgdMomentumUpdate(params, velocity, grads, n, lr, momentum, gradScale);
    }
}
