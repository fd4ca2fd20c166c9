package dev.vcnn.engine.kernels;

import java.util.Arrays;

/**
 * The readable reference: plain loops that follow the formulas on {@link Kernels} line by line.
 * Every faster implementation is tested against this one, so clarity wins over speed here.
 */
public final class ScalarKernels implements Kernels {

    @Override
    public String name() {
        return "scalar";
    }

    // in [C][H][W]; filters [F][C][3][3]; out [F][H-2][W-2]
    @Override
    public void conv3x3Forward(float[] in, int channels, int height, int width,
                               float[] filters, int filterCount, float[] out) {
        int outHeight = height - 2;
        int outWidth = width - 2;
        for (int f = 0; f < filterCount; f++) {
            for (int y = 0; y < outHeight; y++) {
                for (int x = 0; x < outWidth; x++) {
                    out[(f * outHeight + y) * outWidth + x] = convolveAt(in, channels, height, width, filters, f, y, x);
                }
            }
        }
    }

    // conv[f][y][x] = sum_c sum_i sum_j filters[f][c][i][j] * in[c][y+i][x+j]
    private static float convolveAt(float[] in, int channels, int height, int width, float[] filters,
                                    int f, int y, int x) {
        float sum = 0f;
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    sum += filters[((f * channels + c) * 3 + i) * 3 + j] * in[(c * height + y + i) * width + x + j];
                }
            }
        }
        return sum;
    }

    // in [C][H][W]; filters [F][C][3][3]; pooled, argmax [F][(H-2)/2][(W-2)/2]
    @Override
    public void conv3x3MaxPool2x2Forward(float[] in, int channels, int height, int width,
                                         float[] filters, int filterCount, float[] pooled, int[] argmax) {
        int convHeight = height - 2;
        int convWidth = width - 2;
        int outHeight = convHeight / 2;
        int outWidth = convWidth / 2;
        for (int f = 0; f < filterCount; f++) {
            for (int y = 0; y < outHeight; y++) {
                for (int x = 0; x < outWidth; x++) {
                    // visit the window in row-major order; a strict '>' keeps the first maximum on ties
                    float best = 0f;
                    int bestAt = -1;
                    for (int i = 0; i < 2; i++) {
                        for (int j = 0; j < 2; j++) {
                            float value = convolveAt(in, channels, height, width, filters, f, 2 * y + i, 2 * x + j);
                            if (bestAt < 0 || value > best) {
                                best = value;
                                bestAt = (f * convHeight + 2 * y + i) * convWidth + 2 * x + j;
                            }
                        }
                    }
                    int o = (f * outHeight + y) * outWidth + x;
                    pooled[o] = best;
                    if (argmax != null) {
                        argmax[o] = bestAt;
                    }
                }
            }
        }
    }

    // in [C][H][W]; dOut [F][H-2][W-2]; dFilters [F][C][3][3]
    @Override
    public void conv3x3FilterGradient(float[] in, int channels, int height, int width,
                                      float[] dOut, int filterCount, float[] dFilters) {
        int outHeight = height - 2;
        int outWidth = width - 2;
        for (int f = 0; f < filterCount; f++) {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        float sum = 0f;
                        for (int y = 0; y < outHeight; y++) {
                            for (int x = 0; x < outWidth; x++) {
                                sum += dOut[(f * outHeight + y) * outWidth + x]
                                        * in[(c * height + y + i) * width + x + j];
                            }
                        }
                        dFilters[((f * channels + c) * 3 + i) * 3 + j] = sum;
                    }
                }
            }
        }
    }

    // in [C][H][W]; dPooled, argmax [F][(H-2)/2][(W-2)/2]; dFilters [F][C][3][3]
    @Override
    public void conv3x3FilterGradientFromPool(float[] in, int channels, int height, int width,
                                              float[] dPooled, int[] argmax, int filterCount, float[] dFilters) {
        int convHeight = height - 2;
        int convWidth = width - 2;
        int pooledPerFilter = (convHeight / 2) * (convWidth / 2);
        Arrays.fill(dFilters, 0, filterCount * channels * 9, 0f);
        for (int k = 0; k < filterCount * pooledPerFilter; k++) {
            // the conv position (f, y, x) this window's max came from
            int f = argmax[k] / (convHeight * convWidth);
            int y = argmax[k] / convWidth % convHeight;
            int x = argmax[k] % convWidth;
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        dFilters[((f * channels + c) * 3 + i) * 3 + j] += dPooled[k] * in[(c * height + y + i) * width + x + j];
                    }
                }
            }
        }
    }

    // dOut [F][H-2][W-2]; filters [F][C][3][3]; dIn [C][H][W]
    @Override
    public void conv3x3InputGradient(float[] dOut, int filterCount, int height, int width,
                                     float[] filters, int channels, float[] dIn) {
        int outHeight = height - 2;
        int outWidth = width - 2;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    float sum = 0f;
                    for (int f = 0; f < filterCount; f++) {
                        for (int i = 0; i < 3; i++) {
                            int outY = y - i;
                            if (outY < 0 || outY >= outHeight) {
                                continue;
                            }
                            for (int j = 0; j < 3; j++) {
                                int outX = x - j;
                                if (outX < 0 || outX >= outWidth) {
                                    continue;
                                }
                                sum += dOut[(f * outHeight + outY) * outWidth + outX]
                                        * filters[((f * channels + c) * 3 + i) * 3 + j];
                            }
                        }
                    }
                    dIn[(c * height + y) * width + x] = sum;
                }
            }
        }
    }

    // in [C][H][W]; out, argmax [C][H/2][W/2]
    @Override
    public void maxPool2x2Forward(float[] in, int channels, int height, int width, float[] out, int[] argmax) {
        maxPool2x2Rows(in, height, width, out, argmax, 0, channels * (height / 2));
    }

    // Pooled rows [fromRow, toRow) of all channels in order: row r is row r % (H/2) of channel
    // r / (H/2), and starts at out[r * (W/2)]. The vector kernel leaves its last rows to this.
    static void maxPool2x2Rows(float[] in, int height, int width, float[] out, int[] argmax, int fromRow, int toRow) {
        int outHeight = height / 2;
        int outWidth = width / 2;
        for (int r = fromRow; r < toRow; r++) {
            int c = r / outHeight;
            int y = r % outHeight;
            for (int x = 0; x < outWidth; x++) {
                // visit the window in row-major order; a strict '>' keeps the first maximum on ties
                int best = (c * height + 2 * y) * width + 2 * x;
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 2; j++) {
                        int k = (c * height + 2 * y + i) * width + 2 * x + j;
                        if (in[k] > in[best]) {
                            best = k;
                        }
                    }
                }
                int o = r * outWidth + x;
                out[o] = in[best];
                argmax[o] = best;
            }
        }
    }

    @Override
    public void maxPool2x2Backward(float[] dOut, int[] argmax, int pooledSize, float[] dIn, int inputSize) {
        Arrays.fill(dIn, 0, inputSize, 0f);
        for (int o = 0; o < pooledSize; o++) {
            dIn[argmax[o]] = dOut[o];
        }
    }

    // x [I]; weights [O][I]; biases, logits [O]
    @Override
    public void denseForward(float[] x, int inputs, float[] weights, float[] biases, int outputs, float[] logits) {
        for (int o = 0; o < outputs; o++) {
            float sum = 0f;
            for (int i = 0; i < inputs; i++) {
                sum += weights[o * inputs + i] * x[i];
            }
            logits[o] = biases[o] + sum;
        }
    }

    // x [S][I]; weights [O][I]; biases [O]; logits [S][O]. Each row is summed exactly as denseForward
    // sums it (i in order from 0f, then the bias), so the rows are bit for bit its results
    @Override
    public void denseForwardBatch(float[] x, int samples, int inputs, float[] weights, float[] biases, int outputs,
                                  float[] logits) {
        for (int s = 0; s < samples; s++) {
            int xRow = s * inputs;
            for (int o = 0; o < outputs; o++) {
                float sum = 0f;
                for (int i = 0; i < inputs; i++) {
                    sum += weights[o * inputs + i] * x[xRow + i];
                }
                logits[s * outputs + o] = biases[o] + sum;
            }
        }
    }

    @Override
    public void softmax(float[] logits, int n, float[] probs) {
        // subtracting the max changes nothing mathematically and keeps exp() from overflowing
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            max = Math.max(max, logits[k]);
        }
        float total = 0f;
        for (int k = 0; k < n; k++) {
            probs[k] = (float) Math.exp(logits[k] - max);
            total += probs[k];
        }
        for (int k = 0; k < n; k++) {
            probs[k] /= total;
        }
    }

    // x, dx [I]; weights [O][I]; biases, dLogits [O]
    @Override
    public void denseBackwardUpdate(float[] x, int inputs, float[] weights, float[] biases, int outputs,
                                    float[] dLogits, float lr, float[] dx) {
        if (dx != null) {
            // the input gradient needs the weights before this step's update, so it comes first
            denseInputGradient(inputs, weights, outputs, dLogits, dx);
        }
        for (int o = 0; o < outputs; o++) {
            for (int i = 0; i < inputs; i++) {
                weights[o * inputs + i] -= lr * dLogits[o] * x[i];
            }
            biases[o] -= lr * dLogits[o];
        }
    }

    @Override
    public void sgdUpdate(float[] params, float[] grads, int n, float lr) {
        for (int k = 0; k < n; k++) {
            params[k] -= lr * grads[k];
        }
    }

    // values [C][planeSize]; bias [C]
    @Override
    public void addChannelBias(float[] values, int channels, int planeSize, float[] bias) {
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < planeSize; p++) {
                values[c * planeSize + p] += bias[c];
            }
        }
    }

    // dOut [C][planeSize]; dBias [C]
    @Override
    public void addChannelSums(float[] dOut, int channels, int planeSize, float[] dBias) {
        for (int c = 0; c < channels; c++) {
            float sum = 0f;
            for (int p = 0; p < planeSize; p++) {
                sum += dOut[c * planeSize + p];
            }
            dBias[c] += sum;
        }
    }

    @Override
    public void reluForward(float[] in, int n, float[] out) {
        for (int k = 0; k < n; k++) {
            out[k] = Math.max(in[k], 0f);
        }
    }

    // the derivative of max(x, 0) is 1 where the output is positive and 0 elsewhere (0 at x = 0, as PyTorch)
    @Override
    public void reluBackward(float[] dOut, float[] out, int n, float[] dIn) {
        for (int k = 0; k < n; k++) {
            dIn[k] = out[k] > 0f ? dOut[k] : 0f;
        }
    }

    // dx[i] = sum_o weights[o][i] * dLogits[o]; weights [O][I]; dLogits [O]; dx [I]
    private static void denseInputGradient(int inputs, float[] weights, int outputs, float[] dLogits, float[] dx) {
        for (int i = 0; i < inputs; i++) {
            float sum = 0f;
            for (int o = 0; o < outputs; o++) {
                sum += weights[o * inputs + i] * dLogits[o];
            }
            dx[i] = sum;
        }
    }

    // x, dx [I]; weights, dWeights [O][I]; dLogits, dBiases [O]
    @Override
    public void denseBackward(float[] x, int inputs, float[] weights, int outputs, float[] dLogits,
                              float[] dx, float[] dWeights, float[] dBiases) {
        if (dx != null) {
            denseInputGradient(inputs, weights, outputs, dLogits, dx);
        }
        for (int o = 0; o < outputs; o++) {
            for (int i = 0; i < inputs; i++) {
                dWeights[o * inputs + i] += dLogits[o] * x[i];
            }
            dBiases[o] += dLogits[o];
        }
    }

    // x, dx [S][I]; weights, dWeights [O][I]; dLogits [S][O]; dBiases [O]. dx rows are summed as
    // denseInputGradient sums them, and every gradient element gets the samples' terms added one by
    // one for s = 0, 1, ...: bit for bit what denseBackward called for each sample in turn leaves, on
    // the arrays as they were (accumulate) or on zeros
    @Override
    public void denseBackwardBatch(float[] x, int samples, int inputs, float[] weights, int outputs,
                                   float[] dLogits, float[] dx, float[] dWeights, float[] dBiases,
                                   boolean accumulate) {
        if (dx != null) {
            for (int s = 0; s < samples; s++) {
                for (int i = 0; i < inputs; i++) {
                    float sum = 0f;
                    for (int o = 0; o < outputs; o++) {
                        sum += weights[o * inputs + i] * dLogits[s * outputs + o];
                    }
                    dx[s * inputs + i] = sum;
                }
            }
        }
        for (int o = 0; o < outputs; o++) {
            if (dWeights != null) {
                for (int i = 0; i < inputs; i++) {
                    float sum = accumulate ? dWeights[o * inputs + i] : 0f;
                    for (int s = 0; s < samples; s++) {
                        sum += dLogits[s * outputs + o] * x[s * inputs + i];
                    }
                    dWeights[o * inputs + i] = sum;
                }
            }
            float sum = accumulate ? dBiases[o] : 0f;
            for (int s = 0; s < samples; s++) {
                sum += dLogits[s * outputs + o];
            }
            dBiases[o] = sum;
        }
    }

    @Override
    public void denseWeightGradientShards(float[] x, float[] dLogits, int samples, int shardSize, int inputs,
                                          int outputs, int fromRow, int toRow, float[] dWeights) {
        int shards = (samples + shardSize - 1) / shardSize;
        for (int o = fromRow; o < toRow; o++) {
            for (int i = 0; i < inputs; i++) {
                dWeights[o * inputs + i] = shardTree(x, dLogits, samples, shardSize, inputs, outputs, o, i, 0,
                        Integer.highestOneBit(Math.max(1, 2 * shards - 1)), shards);
            }
        }
    }

    // the tree's node over shards [first, first + span) for element (o, i): its left half, plus its
    // right half when that holds a shard
    private static float shardTree(float[] x, float[] dLogits, int samples, int shardSize, int inputs, int outputs,
                                   int o, int i, int first, int span, int shards) {
        if (span == 1) {
            float sum = 0f;
            for (int s = first * shardSize; s < Math.min(samples, (first + 1) * shardSize); s++) {
                sum += dLogits[s * outputs + o] * x[s * inputs + i];
            }
            return sum;
        }
        int half = span / 2;
        float left = shardTree(x, dLogits, samples, shardSize, inputs, outputs, o, i, first, half, shards);
        if (first + half >= shards) {
            return left;
        }
        return left + shardTree(x, dLogits, samples, shardSize, inputs, outputs, o, i, first + half, half, shards);
    }

    @Override
    public void addInto(float[] sums, float[] values, int from, int to) {
        for (int k = from; k < to; k++) {
            sums[k] += values[k];
        }
    }

    @Override
    public void sgdMomentumUpdate(float[] params, float[] velocity, float[] grads, int from, int to, float lr,
                                  float momentum, float gradScale) {
        for (int k = from; k < to; k++) {
            float g = gradScale * grads[k];
            velocity[k] = momentum * velocity[k] + g;
            params[k] -= lr * velocity[k];
        }
    }

    @Override
    public int firstNonFinite(float[] values, int from, int to) {
        for (int k = from; k < to; k++) {
            if (!Float.isFinite(values[k])) {
                return k;
            }
        }
        return -1;
    }
}
