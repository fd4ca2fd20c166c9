package dev.vcnn.engine.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * The kernels on the Vector API. This class only chooses and checks the width and hands each call to
 * its operation family ({@code ConvVectorKernels}, {@code ConvPoolVectorKernels},
 * {@code PoolVectorKernels}, {@code DenseVectorKernels}, {@code DenseBatchVectorKernels},
 * {@code ElementwiseVectorKernels}); those and {@code VectorSupport} are the only classes that import
 * {@code jdk.incubator.vector}.
 *
 * <p>Lanes map to data like this: in pooling, and in the seed-shaped convolutions (one channel, rows
 * at least a vector wide), one vector holds consecutive columns (x, x+1, ...) of one output row;
 * other convolutions run on a "wide" plane that keeps the input's row stride, so one vector holds
 * consecutive flat positions across rows (two garbage columns per row, dropped), or, in their filter
 * gradient, consecutive filters; in the dense layer one vector holds consecutive inputs i of one
 * weight row. The fused conv + pool kernels, which a training step runs, work on pooled columns
 * instead: they first split the image into its even and odd columns, so that both conv columns of
 * L windows are plain vectors of the split (see {@code splitColumns}). Element-wise kernels take
 * consecutive elements, per channel plane where the channel matters (bias). Rows are rarely lane
 * multiples (26 and 13 never are), and a scalar tail would do up to 15/16 of a short row at scalar
 * speed. Masked loads and stores handled that first, but on rows this short they cost more than the
 * arithmetic, so the hot kernels avoid them: a row's last vector is shifted left to end where the
 * row ends (overlapping lanes are rewritten with the same values, or zeroed before they are summed),
 * or full vectors run on into the next row where that is harmless, or into a scratch copy with a
 * vector of slack. Each kernel says which. Sums are accumulated in a different order
 * (and with fused multiply-add) than in {@link ScalarKernels}, so they agree to rounding; max-pool
 * values and argmax indices agree exactly given the same sums.
 *
 * <p>C2 stops inlining a method's Vector API calls past a node budget, and from there on boxes every
 * vector: about 36 FMAs and 16 loads in one loop were too many. Check B/op after changing a kernel.
 *
 * <p>Keep each method small enough for C1: it bails out on big vector methods ("out of virtual
 * registers"), and a method it gave up on after compiling it once at tier 2 stayed there, boxing
 * every vector. Check {@code -XX:+PrintCompilation} for COMPILE SKIPPED after changing one.
 *
 * <p>Most 512-bit loads here straddle two cache lines, and such a load costs about two: a heap array is
 * only 8-byte aligned and its data starts 16 bytes in, so a kernel cannot pick line-aligned offsets.
 * Where it can (-XX:ObjectAlignmentInBytes=64, loops from element 12), a dot product over two arrays
 * in L1 took 105 ns with every load aligned against 193 ns with every load straddling, and the dense
 * forward 0.44 against 0.57 us. Not used: it needs that flag in every JVM that runs the kernels, since
 * without it the first aligned element, and so the order of the sums, would depend on where the
 * array happens to lie, and results would no longer repeat from run to run.
 */
final class VectorKernels implements Kernels {

    /** The widest vectors this CPU runs, in bits. */
    static int widestBits() {
        return FloatVector.SPECIES_MAX.vectorBitSize();
    }

    VectorKernels() {
        int widest = widestBits();
        if (VectorSupport.FLOAT.vectorBitSize() > widest) {
            throw new IllegalStateException("-D" + VectorWidth.PROPERTY + "=" + VectorSupport.FLOAT.vectorBitSize()
                    + " is wider than this CPU's " + widest + "-bit vectors");
        }
        if (VectorSupport.LANES < 4) {
            throw new IllegalStateException("this CPU's vectors hold only " + VectorSupport.LANES
                    + " floats, too few to pay off");
        }
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public String description() {
        return "vector (" + VectorSupport.FLOAT.vectorBitSize() + "-bit, " + VectorSupport.LANES + " float lanes)";
    }

    @Override
    public void conv3x3Forward(float[] in, int channels, int height, int width, float[] filters, int filterCount,
                               float[] out) {
        ConvVectorKernels.conv3x3Forward(in, channels, height, width, filters, filterCount, out);
    }

    @Override
    public void conv3x3FilterGradient(float[] in, int channels, int height, int width, float[] dOut, int filterCount,
                                      float[] dFilters) {
        ConvVectorKernels.conv3x3FilterGradient(in, channels, height, width, dOut, filterCount, dFilters);
    }

    @Override
    public void conv3x3InputGradient(float[] dOut, int filterCount, int height, int width, float[] filters,
                                     int channels, float[] dIn) {
        ConvVectorKernels.conv3x3InputGradient(dOut, filterCount, height, width, filters, channels, dIn);
    }

    @Override
    public void conv3x3FilterGradientFromPool(float[] in, int channels, int height, int width, float[] dPooled,
                                              int[] argmax, int filterCount, float[] dFilters) {
        ConvPoolVectorKernels.conv3x3FilterGradientFromPool(
                in, channels, height, width, dPooled, argmax, filterCount, dFilters);
    }

    @Override
    public void conv3x3MaxPool2x2Forward(float[] in, int channels, int height, int width, float[] filters,
                                         int filterCount, float[] pooled, int[] argmax) {
        ConvPoolVectorKernels.conv3x3MaxPool2x2Forward(
                in, channels, height, width, filters, filterCount, pooled, argmax);
    }

    @Override
    public void maxPool2x2Forward(float[] in, int channels, int height, int width, float[] out, int[] argmax) {
        PoolVectorKernels.maxPool2x2Forward(in, channels, height, width, out, argmax);
    }

    @Override
    public void maxPool2x2Backward(float[] dOut, int[] argmax, int pooledSize, float[] dIn, int inputSize) {
        PoolVectorKernels.maxPool2x2Backward(dOut, argmax, pooledSize, dIn, inputSize);
    }

    @Override
    public void denseForward(float[] x, int inputs, float[] weights, float[] biases, int outputs, float[] logits) {
        DenseVectorKernels.denseForward(x, inputs, weights, biases, outputs, logits);
    }

    @Override
    public void denseForwardBatch(float[] x, int samples, int inputs, float[] weights, float[] biases, int outputs,
                                  float[] logits) {
        DenseBatchVectorKernels.denseForwardBatch(x, samples, inputs, weights, biases, outputs, logits);
    }

    @Override
    public void softmax(float[] logits, int n, float[] probs) {
        DenseVectorKernels.softmax(logits, n, probs);
    }

    @Override
    public void denseBackwardUpdate(float[] x, int inputs, float[] weights, float[] biases, int outputs,
                                    float[] dLogits, float lr, float[] dx) {
        DenseVectorKernels.denseBackwardUpdate(x, inputs, weights, biases, outputs, dLogits, lr, dx);
    }

    @Override
    public void sgdUpdate(float[] params, float[] grads, int n, float lr) {
        DenseVectorKernels.sgdUpdate(params, grads, n, lr);
    }

    @Override
    public void addChannelBias(float[] values, int channels, int planeSize, float[] bias) {
        ElementwiseVectorKernels.addChannelBias(values, channels, planeSize, bias);
    }

    @Override
    public void addChannelSums(float[] dOut, int channels, int planeSize, float[] dBias) {
        ElementwiseVectorKernels.addChannelSums(dOut, channels, planeSize, dBias);
    }

    @Override
    public void reluForward(float[] in, int n, float[] out) {
        ElementwiseVectorKernels.reluForward(in, n, out);
    }

    @Override
    public void reluBackward(float[] dOut, float[] out, int n, float[] dIn) {
        ElementwiseVectorKernels.reluBackward(dOut, out, n, dIn);
    }

    @Override
    public void denseBackward(float[] x, int inputs, float[] weights, int outputs, float[] dLogits,
                              float[] dx, float[] dWeights, float[] dBiases) {
        DenseVectorKernels.denseBackward(x, inputs, weights, outputs, dLogits, dx, dWeights, dBiases);
    }

    @Override
    public void denseBackwardBatch(float[] x, int samples, int inputs, float[] weights, int outputs,
                                   float[] dLogits, float[] dx, float[] dWeights, float[] dBiases,
                                   boolean accumulate) {
        DenseBatchVectorKernels.denseBackwardBatch(x, samples, inputs, weights, outputs, dLogits, dx, dWeights, dBiases,
                accumulate);
    }

    @Override
    public void denseWeightGradientShards(float[] x, float[] dLogits, int samples, int shardSize, int inputs,
                                          int outputs, int fromRow, int toRow, float[] dWeights) {
        DenseBatchVectorKernels.denseWeightGradientShards(x, dLogits, samples, shardSize, inputs, outputs, fromRow,
                toRow, dWeights);
    }

    @Override
    public void addInto(float[] sums, float[] values, int from, int to) {
        ElementwiseVectorKernels.addInto(sums, values, from, to);
    }

    @Override
    public void sgdMomentumUpdate(float[] params, float[] velocity, float[] grads, int from, int to, float lr,
                                  float momentum, float gradScale) {
        ElementwiseVectorKernels.sgdMomentumUpdate(params, velocity, grads, from, to, lr, momentum, gradScale);
    }

    @Override
    public int firstNonFinite(float[] values, int from, int to) {
        return ElementwiseVectorKernels.firstNonFinite(values, from, to);
    }
}
