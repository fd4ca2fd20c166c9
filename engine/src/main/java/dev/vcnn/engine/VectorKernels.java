package dev.vcnn.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The kernels on the Vector API; the only class that imports {@code jdk.incubator.vector}.
 *
 * <p>Lanes map to data like this: in convolution and pooling one vector holds consecutive columns
 * (x, x+1, ...) of one output row; in the dense layer one vector holds consecutive inputs i of one
 * weight row. Rows are rarely lane multiples (26 and 13 never are), and a scalar tail would do up to
 * 15/16 of a short row at scalar speed, so the last piece of every row is a masked vector: masked
 * lanes are neither loaded nor stored. Sums are accumulated in a different order (and with fused
 * multiply-add) than in {@link ScalarKernels}, so they agree to rounding; max-pool values and argmax
 * indices agree exactly.
 */
final class VectorKernels implements Kernels {
    // species are static final so the JIT sees constants; never pass them around as values
    static final VectorSpecies<Float> FLOAT = chooseSpecies();
    static final VectorSpecies<Integer> INT = FLOAT.withLanes(int.class);
    private static final int LANES = FLOAT.length();

    private static final Kernels SCALAR = new ScalarKernels();

    // lane n of a pooled row reads input columns 2n (left of its window) and 2n+1 (right); kept as
    // arrays because building them with addIndex allocated on every call
    private static final float[] LEFT_COLUMNS = new float[LANES];
    private static final float[] RIGHT_COLUMNS = new float[LANES];
    private static final int[] LEFT_OFFSETS = new int[LANES];
    private static final float[] LANE_NUMBERS = new float[LANES];

    static {
        for (int n = 0; n < LANES; n++) {
            LANE_NUMBERS[n] = n;
            LEFT_COLUMNS[n] = 2 * n;
            RIGHT_COLUMNS[n] = 2 * n + 1;
            LEFT_OFFSETS[n] = 2 * n;
        }
    }

    /** The widest vectors this CPU runs, in bits. */
    static int widestBits() {
        return FloatVector.SPECIES_MAX.vectorBitSize();
    }

    VectorKernels() {
        int widest = widestBits();
        if (FLOAT.vectorBitSize() > widest) {
            throw new IllegalStateException("-D" + VectorWidth.PROPERTY + "=" + FLOAT.vectorBitSize()
                    + " is wider than this CPU's " + widest + "-bit vectors");
        }
        if (LANES < 4) {
            throw new IllegalStateException("this CPU's vectors hold only " + LANES + " floats, too few to pay off");
        }
    }

    private static VectorSpecies<Float> chooseSpecies() {
        int bits = VectorWidth.requestedBits();
        return bits > 0 ? VectorSpecies.of(float.class, VectorShape.forBitSize(bits)) : FloatVector.SPECIES_PREFERRED;
    }

    // reduceLanes(ADD) may add the lanes in one order when interpreted and in another once C2 has
    // compiled it, so a run's numbers depended on JIT timing. Storing the lanes and adding them in a
    // fixed pairwise order gives the same float either way (and costs less than shuffling halves).
    // scratch is the calling thread's LANES floats, from LANE_SCRATCH
    private static float sumLanes(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        for (int width = LANES / 2; width > 0; width /= 2) {
            for (int n = 0; n < width; n++) {
                scratch[n] += scratch[n + width];
            }
        }
        return scratch[0];
    }

    private static final ThreadLocal<float[]> LANE_SCRATCH = ThreadLocal.withInitial(() -> new float[LANES]);

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public String description() {
        return "vector (" + FLOAT.vectorBitSize() + "-bit, " + LANES + " float lanes)";
    }

    // in [C][H][W]; filters [F][C][3][3]; out [F][H-2][W-2]; lanes: columns x..x+L-1 of one output row.
    // Filters go four at a time: each pixel vector is loaded once for four filters, and the four sums
    // are independent FMA chains that overlap, where one filter alone would wait on FMA latency 9*C
    // times per block. A row's last block is shifted left to end where the row ends, overlapping the
    // block before it: it rewrites a few outputs with the same values instead of masking (masked
    // loads and stores made the kernel 1.2x slower). Rows narrower than one vector go to the reference
    @Override
    public void conv3x3Forward(float[] in, int channels, int height, int width,
                               float[] filters, int filterCount, float[] out) {
        int outHeight = height - 2;
        int outWidth = width - 2;
        if (outWidth < LANES) {
            SCALAR.conv3x3Forward(in, channels, height, width, filters, filterCount, out);
            return;
        }
        int plane = outHeight * outWidth;
        int filterSize = channels * 9;
        int lastBlock = outWidth - LANES;
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x += LANES) {
                int at = Math.min(x, lastBlock);
                int outAt = y * outWidth + at;
                int f = 0;
                for (; f + 4 <= filterCount; f += 4) {
                    int w0 = f * filterSize;
                    FloatVector s0 = FloatVector.zero(FLOAT), s1 = s0, s2 = s0, s3 = s0;
                    for (int c = 0; c < channels; c++) {
                        for (int i = 0; i < 3; i++) {
                            int inRow = (c * height + y + i) * width + at;
                            int tap = (c * 3 + i) * 3;
                            for (int j = 0; j < 3; j++) {
                                FloatVector pixels = FloatVector.fromArray(FLOAT, in, inRow + j);
                                int k = w0 + tap + j;
                                s0 = pixels.fma(FloatVector.broadcast(FLOAT, filters[k]), s0);
                                s1 = pixels.fma(FloatVector.broadcast(FLOAT, filters[k + filterSize]), s1);
                                s2 = pixels.fma(FloatVector.broadcast(FLOAT, filters[k + 2 * filterSize]), s2);
                                s3 = pixels.fma(FloatVector.broadcast(FLOAT, filters[k + 3 * filterSize]), s3);
                            }
                        }
                    }
                    s0.intoArray(out, f * plane + outAt);
                    s1.intoArray(out, (f + 1) * plane + outAt);
                    s2.intoArray(out, (f + 2) * plane + outAt);
                    s3.intoArray(out, (f + 3) * plane + outAt);
                }
                for (; f < filterCount; f++) {
                    FloatVector sum = FloatVector.zero(FLOAT);
                    for (int c = 0; c < channels; c++) {
                        for (int i = 0; i < 3; i++) {
                            int inRow = (c * height + y + i) * width + at;
                            int tap = f * filterSize + (c * 3 + i) * 3;
                            for (int j = 0; j < 3; j++) {
                                FloatVector pixels = FloatVector.fromArray(FLOAT, in, inRow + j);
                                sum = pixels.fma(FloatVector.broadcast(FLOAT, filters[tap + j]), sum);
                            }
                        }
                    }
                    sum.intoArray(out, f * plane + outAt);
                }
            }
        }
    }

    // in [C][H][W]; dOut [F][H-2][W-2]; dFilters [F][C][3][3]; lanes: columns x..x+L-1 of one dOut row.
    // One pass per pair of filters (f, g) and filter row i: the three input vectors of taps j = 0..2
    // each feed both filters, six independent FMA chains. (More accumulators per pass were slower, or
    // too big for C1, which then left the method boxing vectors until C2 took over.) As in the
    // forward pass a row's last block is shifted left to end at the row's end; the dOut lanes it
    // shares with the block before it are zeroed so nothing is counted twice. Measured against masking
    // the last block: 1.6x faster. Rows narrower than one vector go to the reference
    @Override
    public void conv3x3FilterGradient(float[] in, int channels, int height, int width,
                                      float[] dOut, int filterCount, float[] dFilters) {
        int outHeight = height - 2;
        int outWidth = width - 2;
        if (outWidth < LANES) {
            SCALAR.conv3x3FilterGradient(in, channels, height, width, dOut, filterCount, dFilters);
            return;
        }
        int lastBlock = outWidth - LANES;
        // in the shifted last block (it starts at lastBlock instead of loopBound), the lanes below
        // loopBound - lastBlock were counted by the block before it
        VectorMask<Float> fresh = FloatVector.fromArray(FLOAT, LANE_NUMBERS, 0)
                .compare(VectorOperators.GE, FLOAT.loopBound(outWidth) - lastBlock);
        FloatVector zero = FloatVector.zero(FLOAT);
        float[] scratch = LANE_SCRATCH.get();
        for (int f = 0; f < filterCount; f += 2) {
            int g = Math.min(f + 1, filterCount - 1); // an odd last filter pairs with itself
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < 3; i++) {
                    FloatVector f0 = zero, f1 = zero, f2 = zero, g0 = zero, g1 = zero, g2 = zero;
                    for (int y = 0; y < outHeight; y++) {
                        int fRow = (f * outHeight + y) * outWidth;
                        int gRow = (g * outHeight + y) * outWidth;
                        int inRow = (c * height + y + i) * width;
                        for (int x = 0; x < outWidth; x += LANES) {
                            int at = Math.min(x, lastBlock);
                            FloatVector df = FloatVector.fromArray(FLOAT, dOut, fRow + at);
                            FloatVector dg = FloatVector.fromArray(FLOAT, dOut, gRow + at);
                            if (at != x) {
                                df = zero.blend(df, fresh);
                                dg = zero.blend(dg, fresh);
                            }
                            FloatVector p0 = FloatVector.fromArray(FLOAT, in, inRow + at);
                            FloatVector p1 = FloatVector.fromArray(FLOAT, in, inRow + at + 1);
                            FloatVector p2 = FloatVector.fromArray(FLOAT, in, inRow + at + 2);
                            f0 = df.fma(p0, f0);
                            f1 = df.fma(p1, f1);
                            f2 = df.fma(p2, f2);
                            g0 = dg.fma(p0, g0);
                            g1 = dg.fma(p1, g1);
                            g2 = dg.fma(p2, g2);
                        }
                    }
                    int fTaps = ((f * channels + c) * 3 + i) * 3;
                    dFilters[fTaps] = sumLanes(f0, scratch);
                    dFilters[fTaps + 1] = sumLanes(f1, scratch);
                    dFilters[fTaps + 2] = sumLanes(f2, scratch);
                    if (g != f) {
                        int gTaps = ((g * channels + c) * 3 + i) * 3;
                        dFilters[gTaps] = sumLanes(g0, scratch);
                        dFilters[gTaps + 1] = sumLanes(g1, scratch);
                        dFilters[gTaps + 2] = sumLanes(g2, scratch);
                    }
                }
            }
        }
    }

    // dOut [F][H-2][W-2]; filters [F][C][3][3]; dIn [C][H][W]. Written as a scatter: every dOut row,
    // scaled by one filter weight, is added onto the input row it came from; lanes: columns of that row
    @Override
    public void conv3x3InputGradient(float[] dOut, int filterCount, int height, int width,
                                     float[] filters, int channels, float[] dIn) {
        int outHeight = height - 2;
        int outWidth = width - 2;
        Arrays.fill(dIn, 0, channels * height * width, 0f);
        for (int f = 0; f < filterCount; f++) {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        float weight = filters[((f * channels + c) * 3 + i) * 3 + j];
                        for (int y = 0; y < outHeight; y++) {
                            int outRow = (f * outHeight + y) * outWidth;
                            int inRow = (c * height + y + i) * width + j;
                            for (int x = 0; x < outWidth; x += LANES) {
                                VectorMask<Float> m = FLOAT.indexInRange(x, outWidth);
                                FloatVector gradient = FloatVector.fromArray(FLOAT, dOut, outRow + x, m);
                                FloatVector acc = FloatVector.fromArray(FLOAT, dIn, inRow + x, m);
                                gradient.fma(FloatVector.broadcast(FLOAT, weight), acc).intoArray(dIn, inRow + x, m);
                            }
                        }
                    }
                }
            }
        }
    }

    // in [C][H][W]; out, argmax [C][H/2][W/2]; lanes: output columns x..x+L-1. Their windows span
    // the 2L input columns 2x..2x+2L-1 of a row pair, loaded as two plain vectors per row; a
    // two-vector selectFrom then picks the left (even) and right (odd) column of every window
    @Override
    public void maxPool2x2Forward(float[] in, int channels, int height, int width, float[] out, int[] argmax) {
        int outHeight = height / 2;
        int outWidth = width / 2;
        int usedWidth = 2 * outWidth; // an odd width's last column belongs to no window
        FloatVector leftColumns = FloatVector.fromArray(FLOAT, LEFT_COLUMNS, 0);
        FloatVector rightColumns = FloatVector.fromArray(FLOAT, RIGHT_COLUMNS, 0);
        IntVector leftOffsets = IntVector.fromArray(INT, LEFT_OFFSETS, 0);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < outHeight; y++) {
                int top = (c * height + 2 * y) * width;
                int bottom = top + width;
                int outRow = (c * outHeight + y) * outWidth;
                for (int x = 0; x < outWidth; x += LANES) {
                    VectorMask<Float> m = FLOAT.indexInRange(x, outWidth);
                    int column = 2 * x;
                    VectorMask<Float> firstHalf = FLOAT.indexInRange(column, usedWidth);
                    VectorMask<Float> secondHalf = FLOAT.indexInRange(column + LANES, usedWidth);
                    FloatVector top0 = FloatVector.fromArray(FLOAT, in, top + column, firstHalf);
                    FloatVector top1 = FloatVector.fromArray(FLOAT, in, top + column + LANES, secondHalf);
                    FloatVector bottom0 = FloatVector.fromArray(FLOAT, in, bottom + column, firstHalf);
                    FloatVector bottom1 = FloatVector.fromArray(FLOAT, in, bottom + column + LANES, secondHalf);
                    FloatVector topLeft = leftColumns.selectFrom(top0, top1);
                    FloatVector topRight = rightColumns.selectFrom(top0, top1);
                    FloatVector bottomLeft = leftColumns.selectFrom(bottom0, bottom1);
                    FloatVector bottomRight = rightColumns.selectFrom(bottom0, bottom1);
                    IntVector topLeftIndex = leftOffsets.add(top + column);
                    // visit the window in row-major order; a strict '>' keeps the first maximum, as the reference does
                    FloatVector best = topLeft;
                    IntVector where = topLeftIndex;
                    VectorMask<Float> greater = topRight.compare(VectorOperators.GT, best);
                    best = best.blend(topRight, greater);
                    where = where.blend(topLeftIndex.add(1), greater.cast(INT));
                    greater = bottomLeft.compare(VectorOperators.GT, best);
                    best = best.blend(bottomLeft, greater);
                    where = where.blend(topLeftIndex.add(width), greater.cast(INT));
                    greater = bottomRight.compare(VectorOperators.GT, best);
                    best = best.blend(bottomRight, greater);
                    where = where.blend(topLeftIndex.add(width + 1), greater.cast(INT));
                    best.intoArray(out, outRow + x, m);
                    where.intoArray(argmax, outRow + x, m.cast(INT));
                }
            }
        }
    }

    // dOut, argmax [pooledSize]; dIn [inputSize]; lanes: consecutive pooled cells, scattered to their
    // argmax. The tail is scalar: a scatter reads its whole index vector even under a mask
    @Override
    public void maxPool2x2Backward(float[] dOut, int[] argmax, int pooledSize, float[] dIn, int inputSize) {
        Arrays.fill(dIn, 0, inputSize, 0f);
        int bound = FLOAT.loopBound(pooledSize);
        for (int o = 0; o < bound; o += LANES) {
            // windows do not overlap, so no two lanes ever scatter to the same index
            FloatVector.fromArray(FLOAT, dOut, o).intoArray(dIn, 0, argmax, o);
        }
        ScalarKernels.scatterThroughArgmax(dOut, argmax, bound, pooledSize, dIn);
    }

    // x [I]; weights [O][I]; biases, logits [O]; lanes: inputs i..i+L-1 of one weight row. Four
    // accumulators take turns over the blocks of a row, so four FMA chains overlap instead of one long
    // chain waiting on FMA latency at every block
    @Override
    public void denseForward(float[] x, int inputs, float[] weights, float[] biases, int outputs, float[] logits) {
        int bound = FLOAT.loopBound(inputs);
        int unrolledBound = bound - bound % (4 * LANES);
        float[] scratch = LANE_SCRATCH.get();
        for (int o = 0; o < outputs; o++) {
            int row = o * inputs;
            FloatVector s0 = FloatVector.zero(FLOAT), s1 = s0, s2 = s0, s3 = s0;
            int i = 0;
            for (; i < unrolledBound; i += 4 * LANES) {
                s0 = FloatVector.fromArray(FLOAT, weights, row + i).fma(FloatVector.fromArray(FLOAT, x, i), s0);
                s1 = FloatVector.fromArray(FLOAT, weights, row + i + LANES)
                        .fma(FloatVector.fromArray(FLOAT, x, i + LANES), s1);
                s2 = FloatVector.fromArray(FLOAT, weights, row + i + 2 * LANES)
                        .fma(FloatVector.fromArray(FLOAT, x, i + 2 * LANES), s2);
                s3 = FloatVector.fromArray(FLOAT, weights, row + i + 3 * LANES)
                        .fma(FloatVector.fromArray(FLOAT, x, i + 3 * LANES), s3);
            }
            // the last full blocks, then the masked tail, go to the first accumulator
            for (; i < inputs; i += LANES) {
                VectorMask<Float> m = FLOAT.indexInRange(i, inputs);
                s0 = FloatVector.fromArray(FLOAT, weights, row + i, m).fma(FloatVector.fromArray(FLOAT, x, i, m), s0);
            }
            logits[o] = biases[o] + sumLanes(s0.add(s1).add(s2.add(s3)), scratch);
        }
    }

    // ten values are less than one vector, and exp() has no vector form that rounds like Math.exp
    @Override
    public void softmax(float[] logits, int n, float[] probs) {
        SCALAR.softmax(logits, n, probs);
    }

    // x, dx [I]; weights [O][I]; biases, dLogits [O]; lanes: inputs i..i+L-1. One pass over the weights:
    // each block of a weight row is read once, feeds dx, and is written back updated. Blocks go two at
    // a time, so two dx chains of O dependent FMAs overlap; the leftover block and the tail go singly
    @Override
    public void denseBackwardUpdate(float[] x, int inputs, float[] weights, float[] biases, int outputs,
                                    float[] dLogits, float lr, float[] dx) {
        int pairBound = inputs - inputs % (2 * LANES);
        int i = 0;
        for (; i < pairBound; i += 2 * LANES) {
            FloatVector input0 = FloatVector.fromArray(FLOAT, x, i);
            FloatVector input1 = FloatVector.fromArray(FLOAT, x, i + LANES);
            FloatVector gradient0 = FloatVector.zero(FLOAT);
            FloatVector gradient1 = gradient0;
            for (int o = 0; o < outputs; o++) {
                int at = o * inputs + i;
                FloatVector g = FloatVector.broadcast(FLOAT, dLogits[o]);
                FloatVector step = FloatVector.broadcast(FLOAT, -lr * dLogits[o]);
                FloatVector w0 = FloatVector.fromArray(FLOAT, weights, at);
                FloatVector w1 = FloatVector.fromArray(FLOAT, weights, at + LANES);
                gradient0 = w0.fma(g, gradient0);
                gradient1 = w1.fma(g, gradient1);
                input0.fma(step, w0).intoArray(weights, at);
                input1.fma(step, w1).intoArray(weights, at + LANES);
            }
            if (dx != null) {
                gradient0.intoArray(dx, i);
                gradient1.intoArray(dx, i + LANES);
            }
        }
        for (; i < inputs; i += LANES) {
            VectorMask<Float> m = FLOAT.indexInRange(i, inputs);
            FloatVector input = FloatVector.fromArray(FLOAT, x, i, m);
            FloatVector gradient = FloatVector.zero(FLOAT);
            for (int o = 0; o < outputs; o++) {
                int at = o * inputs + i;
                FloatVector w = FloatVector.fromArray(FLOAT, weights, at, m);
                gradient = w.fma(FloatVector.broadcast(FLOAT, dLogits[o]), gradient);
                input.fma(FloatVector.broadcast(FLOAT, -lr * dLogits[o]), w).intoArray(weights, at, m);
            }
            if (dx != null) {
                gradient.intoArray(dx, i, m);
            }
        }
        for (int o = 0; o < outputs; o++) {
            biases[o] -= lr * dLogits[o];
        }
    }

    // params, grads [n]; lanes: consecutive parameters
    @Override
    public void sgdUpdate(float[] params, float[] grads, int n, float lr) {
        for (int k = 0; k < n; k += LANES) {
            VectorMask<Float> m = FLOAT.indexInRange(k, n);
            FloatVector p = FloatVector.fromArray(FLOAT, params, k, m);
            FloatVector.fromArray(FLOAT, grads, k, m).fma(FloatVector.broadcast(FLOAT, -lr), p).intoArray(params, k, m);
        }
    }
}
