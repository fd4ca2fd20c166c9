package dev.vcnn.engine.kernels;

import dev.vcnn.engine.kernels.VectorSupport.Scratch;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import static dev.vcnn.engine.kernels.VectorSupport.FLOAT;
import static dev.vcnn.engine.kernels.VectorSupport.INT;
import static dev.vcnn.engine.kernels.VectorSupport.LANES;
import static dev.vcnn.engine.kernels.VectorSupport.LEFT_COLUMNS;
import static dev.vcnn.engine.kernels.VectorSupport.LEFT_OFFSETS;
import static dev.vcnn.engine.kernels.VectorSupport.RIGHT_COLUMNS;
import static dev.vcnn.engine.kernels.VectorSupport.SCRATCH;
import static dev.vcnn.engine.kernels.VectorSupport.lanesNotYetCounted;
import static dev.vcnn.engine.kernels.VectorSupport.sumStoredLanes;

/**
 * The fused conv + 2x2 max-pool kernels on the Vector API, forward and the argmax-sparse filter
 * gradient, which work on images split into even and odd columns. Lanes and tails: see {@link
 * VectorKernels}.
 */
final class ConvPoolVectorKernels {

    private ConvPoolVectorKernels() {
    }

    // in [C][H][W]; dPooled, argmax [F][(H-2)/2][(W-2)/2]; dFilters [F][C][3][3]. One input channel, as
    // in the seed, goes through the image split into even and odd columns like the conv + pool forward;
    // several through maxPool2x2Backward into a scratch dOut and conv3x3FilterGradient, and so do
    // vectors of fewer than 16 lanes: there the selects cost more than they save (seed shape, one
    // JVM: 2.41 against 1.44 + 0.5 us at 8 lanes, 3.90 against 2.19 + 0.5 us at 4)
    static void conv3x3FilterGradientFromPool(float[] in, int channels, int height, int width,
                                              float[] dPooled, int[] argmax, int filterCount, float[] dFilters) {
        Scratch scratch = SCRATCH.get();
        int convSize = filterCount * (height - 2) * (width - 2);
        int pooledSize = filterCount * ((height - 2) / 2) * ((width - 2) / 2);
        if (channels != 1 || LANES < 16) {
            float[] dConv = scratch.conv(convSize);
            PoolVectorKernels.maxPool2x2Backward(dPooled, argmax, pooledSize, dConv, convSize);
            ConvVectorKernels.conv3x3FilterGradient(in, channels, height, width, dConv, filterCount, dFilters);
            return;
        }
        float[] split = splitColumns(in, height, width, scratch);
        float[] sums = scratch.lanes;
        // copied with a vector of slack, so that full vectors can be loaded at every pooled row: masked
        // loads near the arrays' ends made the loop 1.3x slower
        float[] gradients = scratch.pooledValues(pooledSize + LANES);
        int[] positions = scratch.pooledArgmax(pooledSize + LANES);
        System.arraycopy(dPooled, 0, gradients, 0, pooledSize);
        System.arraycopy(argmax, 0, positions, 0, pooledSize);
        for (int f = 0; f < filterCount; f++) {
            gradientAtArgmax(split, height, width, gradients, positions, f, sums);
            for (int tap = 0; tap < 9; tap++) {
                dFilters[f * 9 + tap] = sumStoredLanes(sums, tap * LANES);
            }
        }
    }

    // Filter f's nine tap sums, sums [9][L]: each window adds its pooled gradient times the 3x3 input
    // patch under the conv position its max came from, one of four per window, so a lane picks its
    // patch with two selects instead of multiplying all four (three of them by zero). Lanes: pooled
    // columns x..x+L-1 of pooled row y, as in the forward. Input columns 2(x+n)+c, c = 0..3, are the
    // even column x+n, the odd x+n, the even x+n+1 and the odd x+n+1 of the split; a window's max in
    // its right column (b) shifts the patch's columns by one, in its bottom row (a) its rows.
    // dPooled and argmax have a vector of slack past their ends; lanes past a pooled row's end, or
    // counted by the block before a shifted last one, get a zero gradient, so they add nothing
    static void gradientAtArgmax(float[] split, int height, int width, float[] dPooled, int[] argmax,
                                         int f, float[] sums) {
        int convHeight = height - 2;
        int convWidth = width - 2;
        int outHeight = convHeight / 2;
        int outWidth = convWidth / 2;
        int half = (width + 1) / 2;
        int stride = 2 * half;
        FloatVector zero = FloatVector.zero(FLOAT);
        // tij: the sum for tap (i, j)
        FloatVector t00 = zero, t01 = zero, t02 = zero, t10 = zero, t11 = zero, t12 = zero;
        FloatVector t20 = zero, t21 = zero, t22 = zero;
        IntVector leftAt = IntVector.fromArray(INT, LEFT_OFFSETS, 0);
        int lastBlock = outWidth >= LANES ? outWidth - LANES : 0;
        for (int x = 0; x < outWidth; x += LANES) {
            int column = Math.min(x, lastBlock);
            VectorMask<Float> fresh = outWidth < LANES ? FLOAT.indexInRange(0, outWidth)
                    : column < x ? lanesNotYetCounted(outWidth) : FLOAT.maskAll(true);
            for (int y = 0; y < outHeight; y++) {
                int at = (f * outHeight + y) * outWidth + column;
                FloatVector d = zero.blend(FloatVector.fromArray(FLOAT, dPooled, at), fresh);
                // the max's offset from its window's top-left: 0, 1, convWidth or convWidth + 1
                IntVector offset = IntVector.fromArray(INT, argmax, at)
                        .sub(leftAt.add((f * convHeight + 2 * y) * convWidth + 2 * column));
                VectorMask<Integer> bottom = offset.compare(VectorOperators.GE, convWidth);
                VectorMask<Float> right = offset.sub(convWidth, bottom).compare(VectorOperators.EQ, 1).cast(FLOAT);
                VectorMask<Float> down = bottom.cast(FLOAT);
                // pk, qk, rk: input row 2y+k at the window's max column + 0, 1, 2
                int even = 2 * y * stride + column;
                FloatVector e0 = FloatVector.fromArray(FLOAT, split, even);
                FloatVector o0 = FloatVector.fromArray(FLOAT, split, even + half);
                FloatVector e1 = FloatVector.fromArray(FLOAT, split, even + 1);
                FloatVector o1 = FloatVector.fromArray(FLOAT, split, even + half + 1);
                FloatVector p0 = e0.blend(o0, right);
                FloatVector q0 = o0.blend(e1, right);
                FloatVector r0 = e1.blend(o1, right);
                even += stride;
                e0 = FloatVector.fromArray(FLOAT, split, even);
                o0 = FloatVector.fromArray(FLOAT, split, even + half);
                e1 = FloatVector.fromArray(FLOAT, split, even + 1);
                o1 = FloatVector.fromArray(FLOAT, split, even + half + 1);
                FloatVector p1 = e0.blend(o0, right);
                FloatVector q1 = o0.blend(e1, right);
                FloatVector r1 = e1.blend(o1, right);
                t00 = d.fma(p0.blend(p1, down), t00);
                t01 = d.fma(q0.blend(q1, down), t01);
                t02 = d.fma(r0.blend(r1, down), t02);
                even += stride;
                e0 = FloatVector.fromArray(FLOAT, split, even);
                o0 = FloatVector.fromArray(FLOAT, split, even + half);
                e1 = FloatVector.fromArray(FLOAT, split, even + 1);
                o1 = FloatVector.fromArray(FLOAT, split, even + half + 1);
                FloatVector p2 = e0.blend(o0, right);
                FloatVector q2 = o0.blend(e1, right);
                FloatVector r2 = e1.blend(o1, right);
                t10 = d.fma(p1.blend(p2, down), t10);
                t11 = d.fma(q1.blend(q2, down), t11);
                t12 = d.fma(r1.blend(r2, down), t12);
                even += stride;
                e0 = FloatVector.fromArray(FLOAT, split, even);
                o0 = FloatVector.fromArray(FLOAT, split, even + half);
                e1 = FloatVector.fromArray(FLOAT, split, even + 1);
                o1 = FloatVector.fromArray(FLOAT, split, even + half + 1);
                FloatVector p3 = e0.blend(o0, right);
                FloatVector q3 = o0.blend(e1, right);
                FloatVector r3 = e1.blend(o1, right);
                t20 = d.fma(p2.blend(p3, down), t20);
                t21 = d.fma(q2.blend(q3, down), t21);
                t22 = d.fma(r2.blend(r3, down), t22);
            }
        }
        t00.intoArray(sums, 0);
        t01.intoArray(sums, LANES);
        t02.intoArray(sums, 2 * LANES);
        t10.intoArray(sums, 3 * LANES);
        t11.intoArray(sums, 4 * LANES);
        t12.intoArray(sums, 5 * LANES);
        t20.intoArray(sums, 6 * LANES);
        t21.intoArray(sums, 7 * LANES);
        t22.intoArray(sums, 8 * LANES);
    }

    // in [C][H][W]; filters [F][C][3][3]; pooled, argmax [F][(H-2)/2][(W-2)/2]. One input channel, as
    // in the seed, is convolved and pooled in registers; several go through the two kernels and a
    // scratch conv output
    static void conv3x3MaxPool2x2Forward(float[] in, int channels, int height, int width,
                                         float[] filters, int filterCount, float[] pooled, int[] argmax) {
        Scratch scratch = SCRATCH.get();
        if (channels == 1) {
            float[] split = splitColumns(in, height, width, scratch);
            conv3x3MaxPool2x2OneChannel(split, height, width, filters, filterCount, pooled, argmax, scratch);
        } else {
            int convHeight = height - 2;
            int convWidth = width - 2;
            int pooledSize = filterCount * (convHeight / 2) * (convWidth / 2);
            float[] conv = scratch.conv(filterCount * convHeight * convWidth);
            ConvVectorKernels.conv3x3Forward(in, channels, height, width, filters, filterCount, conv);
            PoolVectorKernels.maxPool2x2Forward(conv, filterCount, convHeight, convWidth, pooled,
                    argmax != null ? argmax : scratch.pooledArgmax(pooledSize));
        }
    }

    // in [H][W] -> split [H][2 * half] plus 2L of slack, half = (W+1)/2: split row r holds the even
    // columns in[r][0], in[r][2], ... then, from split[r][half], the odd ones in[r][1], in[r][3], ...
    // lanes: 2L consecutive columns of a row are loaded as two vectors, and a two-vector selectFrom
    // picks their even and their odd columns. Full vectors run on past a row's end: the evens' garbage
    // lands where the odds go next, the odds' where the next row goes. Rows whose loads would run off
    // the end of in are split by the plain loop
    static float[] splitColumns(float[] in, int height, int width, Scratch scratch) {
        int half = (width + 1) / 2;
        int stride = 2 * half;
        float[] split = scratch.split(height * stride + 2 * LANES);
        FloatVector evens = FloatVector.fromArray(FLOAT, LEFT_COLUMNS, 0);
        FloatVector odds = FloatVector.fromArray(FLOAT, RIGHT_COLUMNS, 0);
        int blocks = (half + LANES - 1) / LANES;
        int r = 0;
        for (; r < height && r * width + 2 * blocks * LANES <= height * width; r++) {
            for (int x = 0; x < half; x += LANES) {
                FloatVector a = FloatVector.fromArray(FLOAT, in, r * width + 2 * x);
                FloatVector b = FloatVector.fromArray(FLOAT, in, r * width + 2 * x + LANES);
                evens.selectFrom(a, b).intoArray(split, r * stride + x);
            }
            for (int x = 0; x < half; x += LANES) {
                FloatVector a = FloatVector.fromArray(FLOAT, in, r * width + 2 * x);
                FloatVector b = FloatVector.fromArray(FLOAT, in, r * width + 2 * x + LANES);
                odds.selectFrom(a, b).intoArray(split, r * stride + half + x);
            }
        }
        for (; r < height; r++) {
            for (int x = 0; x < width; x++) {
                split[r * stride + (x % 2) * half + x / 2] = in[r * width + x];
            }
        }
        return split;
    }

    // split: the image from splitColumns; filters [F][1][3][3]; pooled, argmax [F][(H-2)/2][(W-2)/2];
    // lanes: pooled columns x..x+L-1 of pooled row y of filter f. Lane n's window has its left conv
    // column at 2(x+n), which reads input columns 2(x+n)+j, j = 0..2: the even columns from x+n, the
    // odd from x+n, the even from x+n+1; its right conv column reads the odd from x+n, the even and
    // the odd from x+n+1. So four loads per input row feed both conv outputs of a window row, with no
    // shuffles. Each sum runs through the nine taps in the order conv3x3Forward uses, so the results
    // are bit for bit those of conv3x3Forward then maxPool2x2Forward.
    // All four conv outputs of a window in one loop were past C2's inlining budget (it then boxed
    // every vector: 124 KB a call), so the windows' top conv row is folded into a running max and
    // position kept in scratch, and the bottom row into the result; one method each, as a single
    // method with a branch on the row compiled to code 1.6x slower in some JVMs and not in others
    static void conv3x3MaxPool2x2OneChannel(float[] split, int height, int width, float[] filters,
                                                    int filterCount, float[] pooled, int[] argmax,
                                                    Scratch scratch) {
        int outHeight = (height - 2) / 2;
        int outWidth = (width - 2) / 2;
        int rowLanes = (outWidth + LANES - 1) / LANES * LANES;
        float[] best = scratch.windowMax(outHeight * rowLanes);
        int[] where = scratch.windowAt(outHeight * rowLanes);
        int pooledSize = filterCount * outHeight * outWidth;
        // written with a vector of slack, then copied out: with every store masked for the sake of the
        // last one, which would run off the arrays, C2's code for the loop was 1.2x slower in some JVMs
        float[] values = scratch.pooledValues(pooledSize + LANES);
        int[] positions = argmax == null ? null : scratch.pooledArgmax(pooledSize + LANES);
        for (int f = 0; f < filterCount; f++) {
            foldTopRow(split, height, width, filters, f, best, where);
            foldBottomRow(split, height, width, filters, f, best, where, values, positions);
        }
        System.arraycopy(values, 0, pooled, 0, pooledSize);
        if (argmax != null) {
            System.arraycopy(positions, 0, argmax, 0, pooledSize);
        }
    }

    // The top conv row of filter f's windows: best, where [(H-2)/2][rowLanes] get the larger of its
    // left and right outputs (the left on ties) and its position relative to lane 0's top-left
    static void foldTopRow(float[] split, int height, int width, float[] filters, int f,
                                   float[] best, int[] where) {
        int outHeight = (height - 2) / 2;
        int outWidth = (width - 2) / 2;
        int half = (width + 1) / 2;
        int stride = 2 * half;
        int rowLanes = (outWidth + LANES - 1) / LANES * LANES;
        IntVector leftAt = IntVector.fromArray(INT, LEFT_OFFSETS, 0);
        IntVector rightAt = leftAt.add(1);
        int fw = f * 9;
        FloatVector w00 = FloatVector.broadcast(FLOAT, filters[fw]);
        FloatVector w01 = FloatVector.broadcast(FLOAT, filters[fw + 1]);
        FloatVector w02 = FloatVector.broadcast(FLOAT, filters[fw + 2]);
        FloatVector w10 = FloatVector.broadcast(FLOAT, filters[fw + 3]);
        FloatVector w11 = FloatVector.broadcast(FLOAT, filters[fw + 4]);
        FloatVector w12 = FloatVector.broadcast(FLOAT, filters[fw + 5]);
        FloatVector w20 = FloatVector.broadcast(FLOAT, filters[fw + 6]);
        FloatVector w21 = FloatVector.broadcast(FLOAT, filters[fw + 7]);
        FloatVector w22 = FloatVector.broadcast(FLOAT, filters[fw + 8]);
        int lastBlock = outWidth >= LANES ? outWidth - LANES : 0;
        for (int x = 0; x < outWidth; x += LANES) {
            int column = Math.min(x, lastBlock);
            for (int y = 0; y < outHeight; y++) {
                // input rows 2y .. 2y+2, one per weight row
                int even = 2 * y * stride + column;
                FloatVector e0 = FloatVector.fromArray(FLOAT, split, even);
                FloatVector o0 = FloatVector.fromArray(FLOAT, split, even + half);
                FloatVector e1 = FloatVector.fromArray(FLOAT, split, even + 1);
                FloatVector o1 = FloatVector.fromArray(FLOAT, split, even + half + 1);
                FloatVector left = firstTaps(e0, o0, e1, w00, w01, w02);
                FloatVector right = firstTaps(o0, e1, o1, w00, w01, w02);
                even += stride;
                e0 = FloatVector.fromArray(FLOAT, split, even);
                o0 = FloatVector.fromArray(FLOAT, split, even + half);
                e1 = FloatVector.fromArray(FLOAT, split, even + 1);
                o1 = FloatVector.fromArray(FLOAT, split, even + half + 1);
                left = moreTaps(left, e0, o0, e1, w10, w11, w12);
                right = moreTaps(right, o0, e1, o1, w10, w11, w12);
                even += stride;
                e0 = FloatVector.fromArray(FLOAT, split, even);
                o0 = FloatVector.fromArray(FLOAT, split, even + half);
                e1 = FloatVector.fromArray(FLOAT, split, even + 1);
                o1 = FloatVector.fromArray(FLOAT, split, even + half + 1);
                left = moreTaps(left, e0, o0, e1, w20, w21, w22);
                right = moreTaps(right, o0, e1, o1, w20, w21, w22);
                int k = y * rowLanes + column;
                VectorMask<Float> isRight = right.compare(VectorOperators.GT, left);
                left.blend(right, isRight).intoArray(best, k);
                leftAt.blend(rightAt, isRight.cast(INT)).intoArray(where, k);
            }
        }
    }

    // The bottom conv row of filter f's windows, compared (strictly, so the first maximum in row-major
    // order stays) with the top row's max in best and where: pooled and argmax get the window's max and
    // its conv index. Rows wider than a vector end in a block shifted left to end at the row's end (it
    // rewrites a few outputs with the same values); narrower ones run on into the next row or filter,
    // written after it, or into the vector of slack that pooled and argmax have past their ends
    static void foldBottomRow(float[] split, int height, int width, float[] filters, int f,
                                      float[] best, int[] where, float[] pooled, int[] argmax) {
        int convHeight = height - 2;
        int convWidth = width - 2;
        int outHeight = convHeight / 2;
        int outWidth = convWidth / 2;
        int half = (width + 1) / 2;
        int stride = 2 * half;
        int rowLanes = (outWidth + LANES - 1) / LANES * LANES;
        IntVector leftAt = IntVector.fromArray(INT, LEFT_OFFSETS, 0).add(convWidth);
        IntVector rightAt = leftAt.add(1);
        int fw = f * 9;
        FloatVector w00 = FloatVector.broadcast(FLOAT, filters[fw]);
        FloatVector w01 = FloatVector.broadcast(FLOAT, filters[fw + 1]);
        FloatVector w02 = FloatVector.broadcast(FLOAT, filters[fw + 2]);
        FloatVector w10 = FloatVector.broadcast(FLOAT, filters[fw + 3]);
        FloatVector w11 = FloatVector.broadcast(FLOAT, filters[fw + 4]);
        FloatVector w12 = FloatVector.broadcast(FLOAT, filters[fw + 5]);
        FloatVector w20 = FloatVector.broadcast(FLOAT, filters[fw + 6]);
        FloatVector w21 = FloatVector.broadcast(FLOAT, filters[fw + 7]);
        FloatVector w22 = FloatVector.broadcast(FLOAT, filters[fw + 8]);
        int lastBlock = outWidth >= LANES ? outWidth - LANES : 0;
        for (int x = 0; x < outWidth; x += LANES) {
            int column = Math.min(x, lastBlock);
            for (int y = 0; y < outHeight; y++) {
                // input rows 2y+1 .. 2y+3, one per weight row
                int even = (2 * y + 1) * stride + column;
                FloatVector e0 = FloatVector.fromArray(FLOAT, split, even);
                FloatVector o0 = FloatVector.fromArray(FLOAT, split, even + half);
                FloatVector e1 = FloatVector.fromArray(FLOAT, split, even + 1);
                FloatVector o1 = FloatVector.fromArray(FLOAT, split, even + half + 1);
                FloatVector left = firstTaps(e0, o0, e1, w00, w01, w02);
                FloatVector right = firstTaps(o0, e1, o1, w00, w01, w02);
                even += stride;
                e0 = FloatVector.fromArray(FLOAT, split, even);
                o0 = FloatVector.fromArray(FLOAT, split, even + half);
                e1 = FloatVector.fromArray(FLOAT, split, even + 1);
                o1 = FloatVector.fromArray(FLOAT, split, even + half + 1);
                left = moreTaps(left, e0, o0, e1, w10, w11, w12);
                right = moreTaps(right, o0, e1, o1, w10, w11, w12);
                even += stride;
                e0 = FloatVector.fromArray(FLOAT, split, even);
                o0 = FloatVector.fromArray(FLOAT, split, even + half);
                e1 = FloatVector.fromArray(FLOAT, split, even + 1);
                o1 = FloatVector.fromArray(FLOAT, split, even + half + 1);
                left = moreTaps(left, e0, o0, e1, w20, w21, w22);
                right = moreTaps(right, o0, e1, o1, w20, w21, w22);
                int k = y * rowLanes + column;
                FloatVector max = FloatVector.fromArray(FLOAT, best, k);
                VectorMask<Float> isLeft = left.compare(VectorOperators.GT, max);
                max = max.blend(left, isLeft);
                VectorMask<Float> isRight = right.compare(VectorOperators.GT, max);
                max = max.blend(right, isRight);
                int at = (f * outHeight + y) * outWidth + column;
                max.intoArray(pooled, at);
                if (argmax != null) {
                    IntVector.fromArray(INT, where, k)
                            .blend(leftAt, isLeft.cast(INT))
                            .blend(rightAt, isRight.cast(INT))
                            .add((f * convHeight + 2 * y) * convWidth + 2 * column)
                            .intoArray(argmax, at);
                }
            }
        }
    }

    // The conv sums of L windows' left (column 2(x+n)) or right conv outputs, one weight row at a time:
    // a, b, c are the three input vectors under the row's taps. The first row starts with a product
    // and the rest are fused multiply-adds, in the order conv3x3Forward uses, so the sums round alike
    static FloatVector firstTaps(FloatVector a, FloatVector b, FloatVector c,
                                         FloatVector w0, FloatVector w1, FloatVector w2) {
        return c.fma(w2, b.fma(w1, a.mul(w0)));
    }

    static FloatVector moreTaps(FloatVector sum, FloatVector a, FloatVector b, FloatVector c,
                                        FloatVector w0, FloatVector w1, FloatVector w2) {
        return c.fma(w2, b.fma(w1, a.fma(w0, sum)));
    }
}
