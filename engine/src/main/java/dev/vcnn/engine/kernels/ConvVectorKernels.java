package dev.vcnn.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.util.Arrays;

import static dev.vcnn.engine.kernels.VectorSupport.FLOAT;
import static dev.vcnn.engine.kernels.VectorSupport.LANES;
import static dev.vcnn.engine.kernels.VectorSupport.SCALAR;
import static dev.vcnn.engine.kernels.VectorSupport.SCRATCH;
import static dev.vcnn.engine.kernels.VectorSupport.lanesNotYetCounted;
import static dev.vcnn.engine.kernels.VectorSupport.sumStoredLanes;

/**
 * 3x3 convolution on the Vector API: forward, filter gradient and input gradient. Lanes and tails:
 * see {@link VectorKernels}.
 */
final class ConvVectorKernels {

    private ConvVectorKernels() {
    }

    // in [C][H][W]; filters [F][C][3][3]; out [F][H-2][W-2]; lanes: columns x..x+L-1 of one output row.
    // Loops run column block by column block, each down all rows, so the row loop is long and its body
    // straight-line code. A row's last block is shifted left to end where the row ends, overlapping
    // the block before it and rewriting a few outputs with the same values: cheaper than masked loads
    // and stores (1.2x on the seed's 26-wide rows). Rows narrower than one vector go to the reference
    static void conv3x3Forward(float[] in, int channels, int height, int width,
                               float[] filters, int filterCount, float[] out) {
        if (width - 2 < LANES) {
            SCALAR.conv3x3Forward(in, channels, height, width, filters, filterCount, out);
        } else if (channels == 1) {
            conv3x3ForwardOneChannel(in, height, width, filters, filterCount, out);
        } else {
            conv3x3ForwardChannels(in, channels, height, width, filters, filterCount, out);
        }
    }

    // One input channel, as in a grey-image network's first layer. A pass takes two filters (f, g)
    // and keeps their 18 weights in registers for a whole column block: per row 9 loads feed 18 FMAs
    // in two chains. 1.75x faster than broadcasting the weights from memory at every tap
    static void conv3x3ForwardOneChannel(float[] in, int height, int width,
                                                 float[] filters, int filterCount, float[] out) {
        int outHeight = height - 2;
        int outWidth = width - 2;
        int plane = outHeight * outWidth;
        int lastBlock = outWidth - LANES;
        for (int x = 0; x < outWidth; x += LANES) {
            int at = Math.min(x, lastBlock);
            for (int f = 0; f < filterCount; f += 2) {
                int g = Math.min(f + 1, filterCount - 1); // an odd last filter pairs with itself
                int fw = f * 9;
                int gw = g * 9;
                FloatVector f0 = FloatVector.broadcast(FLOAT, filters[fw]);
                FloatVector f1 = FloatVector.broadcast(FLOAT, filters[fw + 1]);
                FloatVector f2 = FloatVector.broadcast(FLOAT, filters[fw + 2]);
                FloatVector f3 = FloatVector.broadcast(FLOAT, filters[fw + 3]);
                FloatVector f4 = FloatVector.broadcast(FLOAT, filters[fw + 4]);
                FloatVector f5 = FloatVector.broadcast(FLOAT, filters[fw + 5]);
                FloatVector f6 = FloatVector.broadcast(FLOAT, filters[fw + 6]);
                FloatVector f7 = FloatVector.broadcast(FLOAT, filters[fw + 7]);
                FloatVector f8 = FloatVector.broadcast(FLOAT, filters[fw + 8]);
                FloatVector g0 = FloatVector.broadcast(FLOAT, filters[gw]);
                FloatVector g1 = FloatVector.broadcast(FLOAT, filters[gw + 1]);
                FloatVector g2 = FloatVector.broadcast(FLOAT, filters[gw + 2]);
                FloatVector g3 = FloatVector.broadcast(FLOAT, filters[gw + 3]);
                FloatVector g4 = FloatVector.broadcast(FLOAT, filters[gw + 4]);
                FloatVector g5 = FloatVector.broadcast(FLOAT, filters[gw + 5]);
                FloatVector g6 = FloatVector.broadcast(FLOAT, filters[gw + 6]);
                FloatVector g7 = FloatVector.broadcast(FLOAT, filters[gw + 7]);
                FloatVector g8 = FloatVector.broadcast(FLOAT, filters[gw + 8]);
                for (int y = 0; y < outHeight; y++) {
                    int top = y * width + at;
                    int middle = top + width;
                    int bottom = middle + width;
                    FloatVector p = FloatVector.fromArray(FLOAT, in, top);
                    FloatVector sf = p.mul(f0);
                    FloatVector sg = p.mul(g0);
                    p = FloatVector.fromArray(FLOAT, in, top + 1);
                    sf = p.fma(f1, sf);
                    sg = p.fma(g1, sg);
                    p = FloatVector.fromArray(FLOAT, in, top + 2);
                    sf = p.fma(f2, sf);
                    sg = p.fma(g2, sg);
                    p = FloatVector.fromArray(FLOAT, in, middle);
                    sf = p.fma(f3, sf);
                    sg = p.fma(g3, sg);
                    p = FloatVector.fromArray(FLOAT, in, middle + 1);
                    sf = p.fma(f4, sf);
                    sg = p.fma(g4, sg);
                    p = FloatVector.fromArray(FLOAT, in, middle + 2);
                    sf = p.fma(f5, sf);
                    sg = p.fma(g5, sg);
                    p = FloatVector.fromArray(FLOAT, in, bottom);
                    sf = p.fma(f6, sf);
                    sg = p.fma(g6, sg);
                    p = FloatVector.fromArray(FLOAT, in, bottom + 1);
                    sf = p.fma(f7, sf);
                    sg = p.fma(g7, sg);
                    p = FloatVector.fromArray(FLOAT, in, bottom + 2);
                    sf = p.fma(f8, sf);
                    sg = p.fma(g8, sg);
                    int outAt = y * outWidth + at;
                    sf.intoArray(out, f * plane + outAt);
                    sg.intoArray(out, g * plane + outAt);
                }
            }
        }
    }

    // Several input channels: too many weights to keep in registers, so each tap's two weights are
    // broadcast from memory; a pass still takes two filters (f, g) so every pixel vector feeds two chains
    static void conv3x3ForwardChannels(float[] in, int channels, int height, int width,
                                               float[] filters, int filterCount, float[] out) {
        int outHeight = height - 2;
        int outWidth = width - 2;
        int plane = outHeight * outWidth;
        int filterSize = channels * 9;
        int lastBlock = outWidth - LANES;
        for (int x = 0; x < outWidth; x += LANES) {
            int at = Math.min(x, lastBlock);
            for (int f = 0; f < filterCount; f += 2) {
                int g = Math.min(f + 1, filterCount - 1); // an odd last filter pairs with itself
                for (int y = 0; y < outHeight; y++) {
                    FloatVector sf = FloatVector.zero(FLOAT);
                    FloatVector sg = sf;
                    for (int c = 0; c < channels; c++) {
                        for (int i = 0; i < 3; i++) {
                            int inRow = (c * height + y + i) * width + at;
                            int tap = (c * 3 + i) * 3;
                            for (int j = 0; j < 3; j++) {
                                FloatVector pixels = FloatVector.fromArray(FLOAT, in, inRow + j);
                                sf = pixels.fma(FloatVector.broadcast(FLOAT, filters[f * filterSize + tap + j]), sf);
                                sg = pixels.fma(FloatVector.broadcast(FLOAT, filters[g * filterSize + tap + j]), sg);
                            }
                        }
                    }
                    int outAt = y * outWidth + at;
                    sf.intoArray(out, f * plane + outAt);
                    sg.intoArray(out, g * plane + outAt);
                }
            }
        }
    }

    // in [C][H][W]; dOut [F][H-2][W-2]; dFilters [F][C][3][3]; lanes: columns x..x+L-1 of one dOut row.
    // One pass per pair of filters (f, g) and input channel: per row, two dOut vectors and the nine
    // shifted input vectors of the 3x3 window feed 18 independent FMA chains, one per (filter, tap),
    // so each dOut row is read once per filter and each input vector once per pair. As in the forward
    // pass the row loop is innermost and a row's last block is shifted left to end at the row's end;
    // the dOut lanes it shares with the block before it are zeroed so nothing is counted twice
    // (against masking the last block: 1.7x faster). Rows narrower than one vector go to the reference
    static void conv3x3FilterGradient(float[] in, int channels, int height, int width,
                                      float[] dOut, int filterCount, float[] dFilters) {
        int outHeight = height - 2;
        int outWidth = width - 2;
        if (outWidth < LANES) {
            SCALAR.conv3x3FilterGradient(in, channels, height, width, dOut, filterCount, dFilters);
            return;
        }
        int lastBlock = outWidth - LANES;
        VectorMask<Float> fresh = lanesNotYetCounted(outWidth);
        FloatVector zero = FloatVector.zero(FLOAT);
        float[] scratch = SCRATCH.get().lanes;
        for (int f = 0; f < filterCount; f += 2) {
            int g = Math.min(f + 1, filterCount - 1); // an odd last filter pairs with itself
            for (int c = 0; c < channels; c++) {
                // fij and gij: filter f's and g's sums for tap (i, j)
                FloatVector f00 = zero, f01 = zero, f02 = zero, f10 = zero, f11 = zero, f12 = zero;
                FloatVector f20 = zero, f21 = zero, f22 = zero;
                FloatVector g00 = zero, g01 = zero, g02 = zero, g10 = zero, g11 = zero, g12 = zero;
                FloatVector g20 = zero, g21 = zero, g22 = zero;
                for (int x = 0; x < outWidth; x += LANES) {
                    int at = Math.min(x, lastBlock);
                    boolean shifted = at != x;
                    for (int y = 0; y < outHeight; y++) {
                        FloatVector df = FloatVector.fromArray(FLOAT, dOut, (f * outHeight + y) * outWidth + at);
                        FloatVector dg = FloatVector.fromArray(FLOAT, dOut, (g * outHeight + y) * outWidth + at);
                        if (shifted) {
                            df = zero.blend(df, fresh);
                            dg = zero.blend(dg, fresh);
                        }
                        int top = (c * height + y) * width + at;
                        int middle = top + width;
                        int bottom = middle + width;
                        FloatVector p = FloatVector.fromArray(FLOAT, in, top);
                        f00 = df.fma(p, f00);
                        g00 = dg.fma(p, g00);
                        p = FloatVector.fromArray(FLOAT, in, top + 1);
                        f01 = df.fma(p, f01);
                        g01 = dg.fma(p, g01);
                        p = FloatVector.fromArray(FLOAT, in, top + 2);
                        f02 = df.fma(p, f02);
                        g02 = dg.fma(p, g02);
                        p = FloatVector.fromArray(FLOAT, in, middle);
                        f10 = df.fma(p, f10);
                        g10 = dg.fma(p, g10);
                        p = FloatVector.fromArray(FLOAT, in, middle + 1);
                        f11 = df.fma(p, f11);
                        g11 = dg.fma(p, g11);
                        p = FloatVector.fromArray(FLOAT, in, middle + 2);
                        f12 = df.fma(p, f12);
                        g12 = dg.fma(p, g12);
                        p = FloatVector.fromArray(FLOAT, in, bottom);
                        f20 = df.fma(p, f20);
                        g20 = dg.fma(p, g20);
                        p = FloatVector.fromArray(FLOAT, in, bottom + 1);
                        f21 = df.fma(p, f21);
                        g21 = dg.fma(p, g21);
                        p = FloatVector.fromArray(FLOAT, in, bottom + 2);
                        f22 = df.fma(p, f22);
                        g22 = dg.fma(p, g22);
                    }
                }
                // stored first and summed by plain scalar code: 18 inlined vector sums made the method
                // too big for C2 to inline all of it, and it boxed vectors (4 KB per call)
                f00.intoArray(scratch, 0);
                f01.intoArray(scratch, LANES);
                f02.intoArray(scratch, 2 * LANES);
                f10.intoArray(scratch, 3 * LANES);
                f11.intoArray(scratch, 4 * LANES);
                f12.intoArray(scratch, 5 * LANES);
                f20.intoArray(scratch, 6 * LANES);
                f21.intoArray(scratch, 7 * LANES);
                f22.intoArray(scratch, 8 * LANES);
                g00.intoArray(scratch, 9 * LANES);
                g01.intoArray(scratch, 10 * LANES);
                g02.intoArray(scratch, 11 * LANES);
                g10.intoArray(scratch, 12 * LANES);
                g11.intoArray(scratch, 13 * LANES);
                g12.intoArray(scratch, 14 * LANES);
                g20.intoArray(scratch, 15 * LANES);
                g21.intoArray(scratch, 16 * LANES);
                g22.intoArray(scratch, 17 * LANES);
                // g == f for an odd last filter: its taps are written twice with the same sums
                int ft = (f * channels + c) * 9;
                int gt = (g * channels + c) * 9;
                for (int tap = 0; tap < 9; tap++) {
                    dFilters[ft + tap] = sumStoredLanes(scratch, tap * LANES);
                    dFilters[gt + tap] = sumStoredLanes(scratch, (9 + tap) * LANES);
                }
            }
        }
    }

    // dOut [F][H-2][W-2]; filters [F][C][3][3]; dIn [C][H][W]. Written as a scatter: every dOut row,
    // scaled by one filter weight, is added onto the input row it came from; lanes: columns of that row
    static void conv3x3InputGradient(float[] dOut, int filterCount, int height, int width,
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
}
