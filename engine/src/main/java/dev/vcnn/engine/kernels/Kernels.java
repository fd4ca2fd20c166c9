package dev.vcnn.engine.kernels;

/**
 * The numeric kernels every layer is built from. {@link ScalarKernels} is the readable reference;
 * a vector implementation must give the same results (pool values and argmax exactly, sums within
 * rounding) for every shape.
 *
 * <p>All arrays are flat and channel-major: a tensor of C channels of H rows of W columns is
 * {@code float[C * H * W]} with element (c, y, x) at {@code (c * H + y) * W + x}. Kernels never
 * allocate and never keep references to their arguments.
 */
public interface Kernels {

    /** Short name of the implementation, {@code scalar} or {@code vector}. */
    String name();

    /** The name with what matters about it, e.g. {@code vector (512-bit, 16 float lanes)}. */
    default String description() {
        return name();
    }

    /**
     * Valid 3x3 convolution, stride 1, no bias:
     * {@code out[f][y][x] = sum_c sum_i sum_j filters[f][c][i][j] * in[c][y+i][x+j]}.
     * in [C][H][W]; filters [F][C][3][3]; out [F][H-2][W-2] (overwritten).
     */
    void conv3x3Forward(float[] in, int channels, int height, int width,
                        float[] filters, int filterCount, float[] out);

    /**
     * Gradient of the loss with respect to the filters:
     * {@code dFilters[f][c][i][j] = sum_y sum_x dOut[f][y][x] * in[c][y+i][x+j]}.
     * in [C][H][W]; dOut [F][H-2][W-2]; dFilters [F][C][3][3] (overwritten).
     */
    void conv3x3FilterGradient(float[] in, int channels, int height, int width,
                               float[] dOut, int filterCount, float[] dFilters);

    /**
     * {@link #conv3x3FilterGradient} for the dOut that {@link #maxPool2x2Backward} would route from
     * the pooled gradient, without building it: only the conv position each window's max came from
     * has a gradient, so {@code dFilters[f][c][i][j] = sum_k dPooled[k] * in[c][Y+i][X+j]} over the
     * pooled elements k of filter f, where (f, Y, X) is the conv position {@code argmax[k]} indexes.
     * in [C][H][W]; dPooled and argmax [F][(H-2)/2][(W-2)/2], argmax as the conv + pool forward left
     * it; dFilters [F][C][3][3] (overwritten).
     */
    void conv3x3FilterGradientFromPool(float[] in, int channels, int height, int width,
                                       float[] dPooled, int[] argmax, int filterCount, float[] dFilters);

    /**
     * Gradient of the loss with respect to the input, a full correlation with the flipped filters:
     * {@code dIn[c][y][x] = sum_f sum_i sum_j dOut[f][y-i][x-j] * filters[f][c][i][j]}, where
     * terms whose (y-i, x-j) falls outside dOut are zero.
     * dOut [F][H-2][W-2]; filters [F][C][3][3]; dIn [C][H][W] (overwritten).
     */
    void conv3x3InputGradient(float[] dOut, int filterCount, int height, int width,
                              float[] filters, int channels, float[] dIn);

    /**
     * 2x2 max-pool, stride 2; odd sizes drop the last row or column (floor).
     * {@code out[c][y][x] = max of in[c][2y..2y+1][2x..2x+1]}, and {@code argmax[c][y][x]} is the
     * flat index into {@code in} of the first maximum in row-major order within the window.
     * in [C][H][W]; out and argmax [C][H/2][W/2] (overwritten).
     */
    void maxPool2x2Forward(float[] in, int channels, int height, int width, float[] out, int[] argmax);

    /**
     * {@link #conv3x3Forward} then {@link #maxPool2x2Forward} of its output in one pass, without
     * storing the [F][H-2][W-2] convolution: {@code pooled[f][y][x]} is the first maximum (row-major)
     * of the window conv[f][2y..2y+1][2x..2x+1], and {@code argmax} holds its flat index into that
     * conv tensor, exactly as the two calls would leave them. Pass a null argmax to skip it (inference).
     * in [C][H][W]; filters [F][C][3][3]; pooled and argmax [F][(H-2)/2][(W-2)/2] (overwritten).
     */
    void conv3x3MaxPool2x2Forward(float[] in, int channels, int height, int width,
                                  float[] filters, int filterCount, float[] pooled, int[] argmax);

    /**
     * Routes each pooled gradient to the input position its window's max came from; every other
     * position gets 0. dOut and argmax [pooledSize]; dIn [inputSize] (overwritten).
     */
    void maxPool2x2Backward(float[] dOut, int[] argmax, int pooledSize, float[] dIn, int inputSize);

    /**
     * Fully connected layer: {@code logits[o] = biases[o] + sum_i weights[o][i] * x[i]}.
     * x [I]; weights [O][I]; biases [O]; logits [O] (overwritten).
     */
    void denseForward(float[] x, int inputs, float[] weights, float[] biases, int outputs, float[] logits);

    /**
     * {@link #denseForward} for a group of samples at once, each row as that method computes it (bit
     * for bit): {@code logits[s][o] = biases[o] + sum_i weights[o][i] * x[s][i]}. Lets an
     * implementation read each weight row once per group instead of once per sample.
     * x [S][I]; weights [O][I]; biases [O]; logits [S][O] (overwritten).
     */
    void denseForwardBatch(float[] x, int samples, int inputs, float[] weights, float[] biases, int outputs,
                           float[] logits);

    /**
     * {@link #denseBackward} for a group of samples, the same numbers bit for bit as calling it for
     * s = 0, 1, ... in turn: {@code dx[s][i] = sum_o weights[o][i] * dLogits[s][o]} (overwritten; null
     * to skip), {@code dWeights[o][i] += dLogits[s][o] * x[s][i]} and {@code dBiases[o] += dLogits[s][o]}
     * added sample after sample. With {@code accumulate} false the weight and bias gradients start from
     * zero instead of from what the arrays hold, which is never read: the group's own sums, bit for bit
     * what zeroing the arrays and then adding gives, without that extra pass over memory. A null
     * dWeights skips the weight gradient (see {@link #denseWeightGradientShards}).
     * x and dx [S][I]; weights and dWeights [O][I]; dLogits [S][O]; dBiases [O].
     */
    void denseBackwardBatch(float[] x, int samples, int inputs, float[] weights, int outputs,
                            float[] dLogits, float[] dx, float[] dWeights, float[] dBiases, boolean accumulate);

    /**
     * A dense layer's weight gradient over a mini-batch cut into shards, rows [fromRow, toRow) only:
     * shard k holds samples [k * shardSize, min(samples, (k + 1) * shardSize)); its sum is
     * {@code sum_s dLogits[s][o] * x[s][i]} over its samples in order from zero (a product, then an
     * add), as {@link #denseBackwardBatch} onto zero sums it; the shards' sums then meet in the fixed
     * pairwise tree (at stride 1, 2, 4, ... shard k adds shard k + stride), as {@link #addInto} along
     * that tree adds them. dWeights rows [fromRow, toRow) are overwritten with the result, bit for bit
     * those steps' result; other rows are untouched. x [S][I]; dLogits [S][O]; dWeights [O][I].
     */
    void denseWeightGradientShards(float[] x, float[] dLogits, int samples, int shardSize, int inputs, int outputs,
                                   int fromRow, int toRow, float[] dWeights);

    /**
     * Numerically stable softmax: {@code probs[k] = exp(logits[k] - max) / sum_j exp(logits[j] - max)}.
     * logits and probs [N]; probs is overwritten.
     */
    void softmax(float[] logits, int n, float[] probs);

    /**
     * Dense backward fused with the SGD update, in this order:
     * {@code dx[i] = sum_o weights[o][i] * dLogits[o]} with the weights as they were before this
     * step, then {@code weights[o][i] -= lr * dLogits[o] * x[i]} and {@code biases[o] -= lr * dLogits[o]}.
     * x and dx [I]; weights [O][I]; biases and dLogits [O]. dx is overwritten; pass null to skip it.
     */
    void denseBackwardUpdate(float[] x, int inputs, float[] weights, float[] biases, int outputs,
                             float[] dLogits, float lr, float[] dx);

    /** Plain SGD step: {@code params[k] -= lr * grads[k]} for k in [0, n). */
    void sgdUpdate(float[] params, float[] grads, int n, float lr);

    /**
     * Adds one bias per channel: {@code values[c][p] += bias[c]}.
     * values [C][planeSize]; bias [C].
     */
    void addChannelBias(float[] values, int channels, int planeSize, float[] bias);

    /**
     * Accumulates each channel's sum, the gradient of a per-channel bias:
     * {@code dBias[c] += sum_p dOut[c][p]}.
     * dOut [C][planeSize]; dBias [C] (added to, not overwritten).
     */
    void addChannelSums(float[] dOut, int channels, int planeSize, float[] dBias);

    /** Rectified linear unit: {@code out[k] = max(in[k], 0)}. in and out [n]; out is overwritten. */
    void reluForward(float[] in, int n, float[] out);

    /**
     * ReLU backward from its output: {@code dIn[k] = out[k] > 0 ? dOut[k] : 0}.
     * dOut, out and dIn [n]; dIn is overwritten.
     */
    void reluBackward(float[] dOut, float[] out, int n, float[] dIn);

    /**
     * Dense backward without the update, for gradients summed over a batch:
     * {@code dx[i] = sum_o weights[o][i] * dLogits[o]} (overwritten; pass null to skip it), and
     * {@code dWeights[o][i] += dLogits[o] * x[i]}, {@code dBiases[o] += dLogits[o]} (added to).
     * x and dx [I]; weights and dWeights [O][I]; dLogits and dBiases [O].
     */
    void denseBackward(float[] x, int inputs, float[] weights, int outputs, float[] dLogits,
                       float[] dx, float[] dWeights, float[] dBiases);

    /**
     * Element-wise sum into the first array: {@code sums[k] += values[k]} for k in [from, to); each
     * element's sum depends on that element alone, so any cut into pieces gives the same bits.
     */
    void addInto(float[] sums, float[] values, int from, int to);

    /**
     * SGD with momentum, as PyTorch's {@code torch.optim.SGD} (dampening 0, no Nesterov), on a
     * gradient that is first scaled (by 1/B for a batch sum): {@code g = gradScale * grads[k]},
     * {@code velocity[k] = momentum * velocity[k] + g}, {@code params[k] -= lr * velocity[k]}, for k in
     * [from, to): the whole array, or one piece of it (threads update a large parameter piece by piece).
     * params, velocity and grads [n]; params and velocity are updated in [from, to) only.
     */
    void sgdMomentumUpdate(float[] params, float[] velocity, float[] grads, int from, int to, float lr,
                           float momentum, float gradScale);

    /**
     * The index of the first value in [from, to) that is NaN or infinite, or -1 when all are finite:
     * the divergence check's scan of the parameters.
     */
    int firstNonFinite(float[] values, int from, int to);
}
