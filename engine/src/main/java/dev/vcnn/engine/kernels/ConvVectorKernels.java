package dev.vcnn.engine.kernels;

import dev.vcnn.engine.kernels.VectorSupport.Scratch;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.util.Arrays;

import static dev.vcnn.engine.kernels.VectorSupport.FLOAT;
import static dev.vcnn.engine.kernels.VectorSupport.LANES;
import static dev.vcnn.engine.kernels.VectorSupport.SCRATCH;
import static dev.vcnn.engine.kernels.VectorSupport.lanesNotYetCounted;
import static dev.vcnn.engine.kernels.VectorSupport.sumStoredLanes;

/**
 * 3x3 convolution on the Vector API: forward, filter gradient and input gradient, for any plane
 * size and channel count. Each kernel says how its lanes map to data; tails: see {@link VectorKernels}.
 */
final class ConvVectorKernels {

    private ConvVectorKernels() {
    }

    // in [C][H][W]; filters [F][C][3][3]; out [F][H-2][W-2]. One channel on rows at least a vector wide
    // (the seed, the deep network's first layer) keeps the seed's kernel, whose results are pinned bit
    // for bit; everything else runs on the wide plane (conv3x3ForwardWide), which at several channels
    // also beat the row kernel it replaced on wide rows (16 -> 32 on 28x28: 45 against 130 us; 4 -> 8
    // on 28x28: 3.8 against 7.6 us) and does any width, where that one gave short rows to the reference
    static void conv3x3Forward(float[] in, int channels, int height, int width,
                               float[] filters, int filterCount, float[] out) {
        if (channels == 1 && width - 2 >= LANES) {
            conv3x3ForwardOneChannel(in, height, width, filters, filterCount, out);
        } else {
            conv3x3ForwardWide(in, channels, height, width, filters, filterCount, out);
        }
    }

    // in [C][H][W]; filters [F][C][3][3]; out [F][H-2][W-2]; lanes: positions q..q+L-1 of the wide
    // output plane, which keeps the input's row stride W: wide[f][y*W + x] = out[f][y][x], so that
    //   wide[f][q] = sum_c sum_ij w[f][c][i][j] * in[c][q + i*W + j]
    // is contiguous in q for every tap and rows narrower than a vector still fill whole vectors.
    // Columns W-2 and W-1 of each wide row are garbage, dropped when the rows are copied into out
    static void conv3x3ForwardWide(float[] in, int channels, int height, int width,
                                   float[] filters, int filterCount, float[] out) {
        Scratch scratch = SCRATCH.get();
        int plane = height * width;
        int n = (height - 2) * width - 2; // the last wide row ends at its last real column
        float[] source = in;
        if (n < LANES) {
            // the one vector's loads run up to L-1 past the last channel's end
            source = scratch.wideSource(channels * plane + LANES);
            System.arraycopy(in, 0, source, 0, channels * plane);
        }
        int widePlane = Math.max(n, LANES);
        float[] wide = scratch.wide(filterCount * widePlane + LANES);
        wideConv(source, plane, channels, width, filters, channels * 9, 9, 0, 1, filterCount, wide, widePlane, n);
        compactRows(wide, widePlane, width, height - 2, width - 2, filterCount, out);
    }

    // wide [F][widePlane] rows of stride W -> out [F][outHeight][outWidth]. Whole vectors are copied
    // and run on past a row's end into the next row, which is written after it; only the store that
    // would pass the end of out is masked. wide needs a vector of slack
    static void compactRows(float[] wide, int widePlane, int width, int outHeight, int outWidth,
                            int filterCount, float[] out) {
        int size = filterCount * outHeight * outWidth;
        int to = 0;
        for (int f = 0; f < filterCount; f++) {
            for (int y = 0; y < outHeight; y++) {
                int from = f * widePlane + y * width;
                for (int x = 0; x < outWidth; x += LANES) {
                    FloatVector v = FloatVector.fromArray(FLOAT, wide, from + x);
                    if (to + x + LANES <= size) {
                        v.intoArray(out, to + x);
                    } else {
                        v.intoArray(out, to + x, FLOAT.indexInRange(to + x, size));
                    }
                }
                to += outWidth;
            }
        }
    }

    // in [1][H][W]; filters [F][1][3][3]; out [F][H-2][W-2]; lanes: columns x..x+L-1 of one output row,
    // W-2 >= L. Loops run column block by column block, each down all rows, so the row loop is long and
    // its body straight-line code. A row's last block is shifted left to end where the row ends,
    // overlapping the block before it and rewriting a few outputs with the same values: cheaper than
    // masked loads and stores (1.2x on the seed's 26-wide rows).
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

    // in [C][H][W]; dOut [F][H-2][W-2]; dFilters [F][C][3][3]. Rows at least a vector wide with up to 8
    // channels (the seed, the deep network's first layer) go to the row kernel, whose one-channel
    // results are pinned bit for bit and which beat filter lanes there (4 -> 8 on 28x28: 5.5 against
    // 13 us; a tie at 8 -> 16 on 30x30; 16 -> 32 on 28x28: 87 against 58 us); all else to filter lanes
    static void conv3x3FilterGradient(float[] in, int channels, int height, int width,
                                      float[] dOut, int filterCount, float[] dFilters) {
        if (width - 2 >= LANES && channels <= 8) {
            conv3x3FilterGradientRows(in, channels, height, width, dOut, filterCount, dFilters);
        } else {
            conv3x3FilterGradientFilterLanes(in, channels, height, width, dOut, filterCount, dFilters);
        }
    }

    // in [C][H][W]; dOut [F][H-2][W-2]; dFilters [F][C][3][3]; lanes: filters f..f+L-1 of one (c, tap).
    // Lanes over positions would end in F*C*9 sums across lanes, as many as there are vector FMAs on a
    // 13x13 plane; with filters on lanes there are none. dOut is transposed to [position][F'] (F' = F
    // rounded up to whole vectors, zeros past F), then per input channel and vector of filters 9
    // chains, one per tap, run over all positions: one dOut vector and 9 broadcast pixels per position
    static void conv3x3FilterGradientFilterLanes(float[] in, int channels, int height, int width,
                                                 float[] dOut, int filterCount, float[] dFilters) {
        Scratch scratch = SCRATCH.get();
        int outHeight = height - 2;
        int outWidth = width - 2;
        int positions = outHeight * outWidth;
        int padded = (filterCount + LANES - 1) / LANES * LANES;
        float[] transposed = scratch.wideSource(positions * padded);
        transposeDOut(dOut, filterCount, positions, transposed, padded);
        // one vector of filters a pass: two (18 chains, each broadcast pixel feeding two) took 18.3 us
        // against 9.2 us at 16 -> 32 on 13x13
        for (int v = 0; v < padded; v += LANES) {
            for (int c = 0; c < channels; c++) {
                filterLaneTaps(in, c * height * width, width, outHeight, outWidth, transposed, padded, v,
                        filterCount, dFilters, c * 9, channels * 9, scratch.lanes);
            }
        }
    }

    // dOut [F][positions] -> transposed [positions][padded], zeros in filters F..padded-1; lanes:
    // filters v..v+L-1 of one position, gathered (1.35 us against 2.1 us for a scalar loop in either
    // order at 16 -> 32 on 13x13); lanes past F are masked off and so read as zero
    static void transposeDOut(float[] dOut, int filterCount, int positions, float[] transposed, int padded) {
        int[] rows = SCRATCH.get().filterRows(padded);
        for (int f = 0; f < padded; f++) {
            rows[f] = f < filterCount ? f * positions : 0;
        }
        for (int v = 0; v < padded; v += LANES) {
            VectorMask<Float> real = FLOAT.indexInRange(v, filterCount);
            for (int q = 0; q < positions; q++) {
                FloatVector.fromArray(FLOAT, dOut, q, rows, v, real).intoArray(transposed, q * padded + v);
            }
        }
    }

    // dFilters[f][c][t] for the L filters f = v + lane < F: the sum over positions (y, x) of
    // transposed[y*ow + x][f] * in[c][(y+i)*W + x+j], written to f * filterSize + at + t (filterSize
    // = C*9, at = 9c). The nine sums go out through taps [9][L] and a scalar loop. A masked scatter
    // did it before, but it needs type profiles of the Vector API's index arithmetic, and where C2
    // compiled this before those existed the scatter boxed vectors for the whole run; the loop is no
    // slower (conv2's filter gradient 11.0-11.5 against 11.6-12.7 us, JMH, alternating)
    static void filterLaneTaps(float[] in, int inPlane, int width, int outHeight, int outWidth,
                               float[] transposed, int padded, int v, int filterCount,
                               float[] dFilters, int at, int filterSize, float[] taps) {
        FloatVector zero = FloatVector.zero(FLOAT);
        FloatVector t00 = zero, t01 = zero, t02 = zero, t10 = zero, t11 = zero, t12 = zero;
        FloatVector t20 = zero, t21 = zero, t22 = zero;
        int q = v;
        for (int y = 0; y < outHeight; y++) {
            int top = inPlane + y * width;
            int middle = top + width;
            int bottom = middle + width;
            for (int x = 0; x < outWidth; x++) {
                FloatVector d = FloatVector.fromArray(FLOAT, transposed, q);
                q += padded;
                t00 = d.fma(FloatVector.broadcast(FLOAT, in[top + x]), t00);
                t01 = d.fma(FloatVector.broadcast(FLOAT, in[top + x + 1]), t01);
                t02 = d.fma(FloatVector.broadcast(FLOAT, in[top + x + 2]), t02);
                t10 = d.fma(FloatVector.broadcast(FLOAT, in[middle + x]), t10);
                t11 = d.fma(FloatVector.broadcast(FLOAT, in[middle + x + 1]), t11);
                t12 = d.fma(FloatVector.broadcast(FLOAT, in[middle + x + 2]), t12);
                t20 = d.fma(FloatVector.broadcast(FLOAT, in[bottom + x]), t20);
                t21 = d.fma(FloatVector.broadcast(FLOAT, in[bottom + x + 1]), t21);
                t22 = d.fma(FloatVector.broadcast(FLOAT, in[bottom + x + 2]), t22);
            }
        }
        t00.intoArray(taps, 0);
        t01.intoArray(taps, LANES);
        t02.intoArray(taps, 2 * LANES);
        t10.intoArray(taps, 3 * LANES);
        t11.intoArray(taps, 4 * LANES);
        t12.intoArray(taps, 5 * LANES);
        t20.intoArray(taps, 6 * LANES);
        t21.intoArray(taps, 7 * LANES);
        t22.intoArray(taps, 8 * LANES);
        int lanes = Math.min(LANES, filterCount - v);
        for (int lane = 0; lane < lanes; lane++) {
            int to = (v + lane) * filterSize + at;
            for (int t = 0; t < 9; t++) {
                dFilters[to + t] = taps[t * LANES + lane];
            }
        }
    }

    // in [C][H][W]; dOut [F][H-2][W-2]; dFilters [F][C][3][3]; lanes: columns x..x+L-1 of one dOut row.
    // One pass per pair of filters (f, g) and input channel: per row, two dOut vectors and the nine
    // shifted input vectors of the 3x3 window feed 18 independent FMA chains, one per (filter, tap),
    // so each dOut row is read once per filter and each input vector once per pair. As in the forward
    // pass the row loop is innermost and a row's last block is shifted left to end at the row's end;
    // the dOut lanes it shares with the block before it are zeroed so nothing is counted twice
    // (against masking the last block: 1.7x faster). Needs W-2 >= L
    static void conv3x3FilterGradientRows(float[] in, int channels, int height, int width,
                                          float[] dOut, int filterCount, float[] dFilters) {
        int outHeight = height - 2;
        int outWidth = width - 2;
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
                    // two dOut rows a step: input row y + r serves tap row r of dOut row y and tap row
                    // r - 1 of row y + 1, so 12 input vectors feed 36 FMAs (a row alone: 9 for 18); each
                    // chain still adds row y's term before row y + 1's, the sums are the one-row loop's
                    int y = 0;
                    for (; y + 1 < outHeight; y += 2) {
                        int fRow = (f * outHeight + y) * outWidth + at;
                        int gRow = (g * outHeight + y) * outWidth + at;
                        FloatVector df = FloatVector.fromArray(FLOAT, dOut, fRow);
                        FloatVector dg = FloatVector.fromArray(FLOAT, dOut, gRow);
                        FloatVector ef = FloatVector.fromArray(FLOAT, dOut, fRow + outWidth);
                        FloatVector eg = FloatVector.fromArray(FLOAT, dOut, gRow + outWidth);
                        if (shifted) {
                            df = zero.blend(df, fresh);
                            dg = zero.blend(dg, fresh);
                            ef = zero.blend(ef, fresh);
                            eg = zero.blend(eg, fresh);
                        }
                        int r0 = (c * height + y) * width + at;
                        int r1 = r0 + width;
                        int r2 = r1 + width;
                        int r3 = r2 + width;
                        FloatVector p = FloatVector.fromArray(FLOAT, in, r0);
                        f00 = df.fma(p, f00);
                        g00 = dg.fma(p, g00);
                        p = FloatVector.fromArray(FLOAT, in, r0 + 1);
                        f01 = df.fma(p, f01);
                        g01 = dg.fma(p, g01);
                        p = FloatVector.fromArray(FLOAT, in, r0 + 2);
                        f02 = df.fma(p, f02);
                        g02 = dg.fma(p, g02);
                        p = FloatVector.fromArray(FLOAT, in, r1);
                        f10 = df.fma(p, f10);
                        g10 = dg.fma(p, g10);
                        f00 = ef.fma(p, f00);
                        g00 = eg.fma(p, g00);
                        p = FloatVector.fromArray(FLOAT, in, r1 + 1);
                        f11 = df.fma(p, f11);
                        g11 = dg.fma(p, g11);
                        f01 = ef.fma(p, f01);
                        g01 = eg.fma(p, g01);
                        p = FloatVector.fromArray(FLOAT, in, r1 + 2);
                        f12 = df.fma(p, f12);
                        g12 = dg.fma(p, g12);
                        f02 = ef.fma(p, f02);
                        g02 = eg.fma(p, g02);
                        p = FloatVector.fromArray(FLOAT, in, r2);
                        f20 = df.fma(p, f20);
                        g20 = dg.fma(p, g20);
                        f10 = ef.fma(p, f10);
                        g10 = eg.fma(p, g10);
                        p = FloatVector.fromArray(FLOAT, in, r2 + 1);
                        f21 = df.fma(p, f21);
                        g21 = dg.fma(p, g21);
                        f11 = ef.fma(p, f11);
                        g11 = eg.fma(p, g11);
                        p = FloatVector.fromArray(FLOAT, in, r2 + 2);
                        f22 = df.fma(p, f22);
                        g22 = dg.fma(p, g22);
                        f12 = ef.fma(p, f12);
                        g12 = eg.fma(p, g12);
                        p = FloatVector.fromArray(FLOAT, in, r3);
                        f20 = ef.fma(p, f20);
                        g20 = eg.fma(p, g20);
                        p = FloatVector.fromArray(FLOAT, in, r3 + 1);
                        f21 = ef.fma(p, f21);
                        g21 = eg.fma(p, g21);
                        p = FloatVector.fromArray(FLOAT, in, r3 + 2);
                        f22 = ef.fma(p, f22);
                        g22 = eg.fma(p, g22);
                    }
                    if (y < outHeight) { // an odd last row alone
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

    // dOut [F][H-2][W-2]; filters [F][C][3][3]; dIn [C][H][W]; lanes: positions p..p+L-1 of one flat
    // dIn plane. A gather rather than a scatter: dOut is copied into a zero-padded wide plane (row
    // stride W, 2 zero rows above and below, 2 zero columns before each row), so that
    //   dIn[c][p] = sum_f sum_ij w[f][c][i][j] * padded[f][p + 2W + 2 - i*W - j]
    // is contiguous in p for every tap, whatever the plane's width: the forward kernel with the filters
    // transposed (c outputs, f sources) and flipped (tap 8 - t), in wideConv
    static void conv3x3InputGradient(float[] dOut, int filterCount, int height, int width,
                                     float[] filters, int channels, float[] dIn) {
        Scratch scratch = SCRATCH.get();
        int plane = height * width;
        // with dOut rows of a vector or more, channels in fours on the wide plane and the last 1..3
        // (conv1's and the seed's only one) by taps: 16 filters -> 1 channel on 28x28 2.5 us against
        // 6.0 us on the wide plane, the seed's 8 -> 1 2.0 against 2.9 us
        int byTaps = width - 2 >= LANES ? channels % 4 : 0;
        int grouped = channels - byTaps;
        if (grouped > 0) {
            int paddedPlane = (height + 2) * width + 2;
            // with a vector of slack: on planes smaller than a vector the loads run past the last plane
            float[] padded = scratch.wideSource(filterCount * paddedPlane + LANES);
            padDOut(dOut, filterCount, height, width, padded, paddedPlane);
            if (plane >= LANES) {
                wideConv(padded, paddedPlane, filterCount, width, filters, 9, channels * 9, 8, -1,
                        grouped, dIn, plane, plane);
            } else {
                float[] wide = scratch.wide(channels * LANES + LANES);
                wideConv(padded, paddedPlane, filterCount, width, filters, 9, channels * 9, 8, -1,
                        channels, wide, LANES, plane);
                for (int c = 0; c < channels; c++) {
                    System.arraycopy(wide, c * LANES, dIn, c * plane, plane);
                }
            }
        }
        for (int c = grouped; c < channels; c++) {
            inputGradientByTaps(dOut, filterCount, height, width, filters, channels, c, dIn, scratch);
        }
    }

    // dOut [F][H-2][W-2] -> padded [F][paddedPlane]: dOut[f][y][x] at padded[f][(y+2)*W + x + 2], zeros
    // elsewhere. Row y's last two zeros are row y+1's first two, so a read running off a row's end
    // lands on zeros as well. Lanes: columns x..x+L-1 of a dOut row; a row's last piece is a masked
    // load and store (one mask for all rows), so no store reaches the zeros and only those are
    // written: 16 -> 32 on 13x13 0.5 us against 1.9 us for a scalar copy into a zero-filled plane
    static void padDOut(float[] dOut, int filterCount, int height, int width, float[] padded, int paddedPlane) {
        int outHeight = height - 2;
        int outWidth = width - 2;
        int whole = outWidth / LANES * LANES;
        VectorMask<Float> rest = FLOAT.indexInRange(whole, outWidth);
        int from = 0;
        for (int f = 0; f < filterCount; f++) {
            int plane = f * paddedPlane;
            Arrays.fill(padded, plane, plane + 2 * width + 2, 0f);
            for (int y = 0; y < outHeight; y++) {
                int to = plane + (y + 2) * width + 2;
                for (int x = 0; x < whole; x += LANES) {
                    FloatVector.fromArray(FLOAT, dOut, from + x).intoArray(padded, to + x);
                }
                if (whole < outWidth) {
                    FloatVector.fromArray(FLOAT, dOut, from + whole, rest).intoArray(padded, to + whole, rest);
                }
                padded[to + outWidth] = 0f; // the next row's first two columns, or the first row below
                padded[to + outWidth + 1] = 0f;
                from += outWidth;
            }
            Arrays.fill(padded, plane + height * width + 2, plane + paddedPlane, 0f);
        }
    }

    // dst[o][q] = sum_k sum_t weights[o * oStride + k * kStride + t0 + dt * t] * src[k][q + i*width + j]
    // for q < n, tap t = 3i + j; src planes srcPlane apart, dst planes dstPlane apart. Lanes: wide
    // positions q..q+L-1. A pass takes 4 outputs and 3 vectors of positions, so each loaded source
    // vector feeds 4 FMA chains and each broadcast weight 3 (12 chains in all). The last vector is
    // shifted left to end at n, rewriting a few positions with the same sums; passes past the last
    // vector repeat it. With n < L the one vector reads and writes past n: src
    // and dst need a vector of slack there
    static void wideConv(float[] src, int srcPlane, int sources, int width,
                         float[] weights, int oStride, int kStride, int t0, int dt,
                         int outputs, float[] dst, int dstPlane, int n) {
        int last = Math.max(n - LANES, 0);
        int vectors = (n + LANES - 1) / LANES;
        int o = 0;
        for (; o + 4 <= outputs; o += 4) {
            for (int v = 0; v < vectors; v += 3) {
                wideConvPass(src, srcPlane, sources, width, weights, oStride, kStride, t0, dt, o,
                        dst, dstPlane,
                        Math.min(v * LANES, last), Math.min((v + 1) * LANES, last), Math.min((v + 2) * LANES, last));
            }
        }
        // the last 1..3 outputs one at a time, 8 vectors a pass, rather than a 4-output pass that
        // repeats the last output: 5.0 us against 7.1 us for the 1 -> 16 on 28x28 input gradient (one
        // output; it now goes by taps) with 4 vectors a pass, a tie at two (2 -> 8 on 13x13: 1.22
        // against 1.17 us); 8 chains cover the FMA latency of both FMA units, 4 left them half idle
        for (; o < outputs; o++) {
            for (int v = 0; v < vectors; v += 8) {
                wideConvPassOne(src, srcPlane, sources, width, weights, oStride, kStride, t0, dt, o,
                        dst, dstPlane, Math.min(v * LANES, last), Math.min((v + 1) * LANES, last),
                        Math.min((v + 2) * LANES, last), Math.min((v + 3) * LANES, last),
                        Math.min((v + 4) * LANES, last), Math.min((v + 5) * LANES, last),
                        Math.min((v + 6) * LANES, last), Math.min((v + 7) * LANES, last));
            }
        }
    }

    // dIn channel c alone, in two steps with no padded copy of dOut:
    //   taps[t][y][x] = sum_f w[f][c][t] * dOut[f][y][x]     (t = 3i + j: a 9 x F by F x (H-2)(W-2) product)
    //   dIn[c][y][x]  = sum_t taps[t][y - i][x - j]          (zero outside the taps' planes)
    // Each taps plane is written into a zero-bordered plane laid out as padDOut's, so the second step
    // is nine contiguous loads per vector of dIn positions (wide positions, as in wideConv). Lanes: in
    // the product, columns x..x+L-1 of one dOut row, two column vectors per pass, so each loaded dOut
    // vector feeds 9 FMA chains and each broadcast weight 2 (18 chains); the last column vector is
    // shifted back to end at the row's end. The product reads dOut where it lies, where wideConvPassOne
    // needed the whole padded copy and loaded once per FMA
    static void inputGradientByTaps(float[] dOut, int filterCount, int height, int width,
                                    float[] filters, int channels, int c, float[] dIn, Scratch scratch) {
        int outHeight = height - 2;
        int outWidth = width - 2;
        int paddedPlane = (height + 2) * width + 2;
        float[] taps = scratch.wide(9 * paddedPlane);
        for (int t = 0; t < 9; t++) {
            zeroBorders(taps, t * paddedPlane, height, width);
        }
        int last = outWidth - LANES;
        int vectors = (outWidth + LANES - 1) / LANES;
        for (int y = 0; y < outHeight; y++) {
            for (int v = 0; v < vectors; v += 2) {
                tapsPass(dOut, filterCount, outHeight, outWidth, filters, channels, c, y,
                        Math.min(v * LANES, last), Math.min((v + 1) * LANES, last), taps, paddedPlane, width);
            }
        }
        // dIn[c][p] = sum_t taps[t][p + (2-i)*W + 2 - j] over the whole plane, the last vector shifted back
        int plane = height * width;
        int lastP = plane - LANES;
        for (int p0 = 0; p0 < plane; p0 += LANES) {
            int p = Math.min(p0, lastP);
            FloatVector sum = FloatVector.fromArray(FLOAT, taps, p + 2 * width + 2);
            for (int t = 1; t < 9; t++) {
                int i = t / 3;
                int j = t % 3;
                sum = sum.add(FloatVector.fromArray(FLOAT, taps, t * paddedPlane + p + (2 - i) * width + 2 - j));
            }
            sum.intoArray(dIn, c * plane + p);
        }
    }

    // the zeros of a plane laid out as padDOut's ((H+2)*W + 2 floats, row R holding two zeros, then
    // row R - 2 of a [H-2][W-2] plane) whose rows 2..H-1 get their W - 2 values elsewhere: rows 0, 1,
    // H and H+1, the first two columns of the others, and the two after the last row
    static void zeroBorders(float[] padded, int at, int height, int width) {
        Arrays.fill(padded, at, at + 2 * width + 2, 0f);
        for (int row = 3; row < height; row++) {
            padded[at + row * width] = 0f;
            padded[at + row * width + 1] = 0f;
        }
        Arrays.fill(padded, at + height * width, at + (height + 2) * width + 2, 0f);
    }

    // the nine taps of dOut row y at columns xa.. and xb.., summed over the filters, into the taps
    // planes' row y + 2 (xa == xb on a row of one vector: the same sums, stored twice)
    static void tapsPass(float[] dOut, int filterCount, int outHeight, int outWidth, float[] filters,
                         int channels, int c, int y, int xa, int xb, float[] taps, int paddedPlane, int width) {
        FloatVector zero = FloatVector.zero(FLOAT);
        FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
        FloatVector a8 = zero;
        FloatVector b0 = zero, b1 = zero, b2 = zero, b3 = zero, b4 = zero, b5 = zero, b6 = zero, b7 = zero;
        FloatVector b8 = zero;
        for (int f = 0; f < filterCount; f++) {
            int row = (f * outHeight + y) * outWidth;
            FloatVector xa0 = FloatVector.fromArray(FLOAT, dOut, row + xa);
            FloatVector xb0 = FloatVector.fromArray(FLOAT, dOut, row + xb);
            int w = (f * channels + c) * 9;
            FloatVector k = FloatVector.broadcast(FLOAT, filters[w]);
            a0 = xa0.fma(k, a0);
            b0 = xb0.fma(k, b0);
            k = FloatVector.broadcast(FLOAT, filters[w + 1]);
            a1 = xa0.fma(k, a1);
            b1 = xb0.fma(k, b1);
            k = FloatVector.broadcast(FLOAT, filters[w + 2]);
            a2 = xa0.fma(k, a2);
            b2 = xb0.fma(k, b2);
            k = FloatVector.broadcast(FLOAT, filters[w + 3]);
            a3 = xa0.fma(k, a3);
            b3 = xb0.fma(k, b3);
            k = FloatVector.broadcast(FLOAT, filters[w + 4]);
            a4 = xa0.fma(k, a4);
            b4 = xb0.fma(k, b4);
            k = FloatVector.broadcast(FLOAT, filters[w + 5]);
            a5 = xa0.fma(k, a5);
            b5 = xb0.fma(k, b5);
            k = FloatVector.broadcast(FLOAT, filters[w + 6]);
            a6 = xa0.fma(k, a6);
            b6 = xb0.fma(k, b6);
            k = FloatVector.broadcast(FLOAT, filters[w + 7]);
            a7 = xa0.fma(k, a7);
            b7 = xb0.fma(k, b7);
            k = FloatVector.broadcast(FLOAT, filters[w + 8]);
            a8 = xa0.fma(k, a8);
            b8 = xb0.fma(k, b8);
        }
        int at = (y + 2) * width + 2;
        a0.intoArray(taps, at + xa);
        b0.intoArray(taps, at + xb);
        at += paddedPlane;
        a1.intoArray(taps, at + xa);
        b1.intoArray(taps, at + xb);
        at += paddedPlane;
        a2.intoArray(taps, at + xa);
        b2.intoArray(taps, at + xb);
        at += paddedPlane;
        a3.intoArray(taps, at + xa);
        b3.intoArray(taps, at + xb);
        at += paddedPlane;
        a4.intoArray(taps, at + xa);
        b4.intoArray(taps, at + xb);
        at += paddedPlane;
        a5.intoArray(taps, at + xa);
        b5.intoArray(taps, at + xb);
        at += paddedPlane;
        a6.intoArray(taps, at + xa);
        b6.intoArray(taps, at + xb);
        at += paddedPlane;
        a7.intoArray(taps, at + xa);
        b7.intoArray(taps, at + xb);
        at += paddedPlane;
        a8.intoArray(taps, at + xa);
        b8.intoArray(taps, at + xb);
    }

    // wideConv for output o alone at wide positions q0.., ..., q7..: eight chains, each loaded source
    // vector feeding one
    static void wideConvPassOne(float[] src, int srcPlane, int sources, int width,
                                float[] weights, int oStride, int kStride, int t0, int dt,
                                int o, float[] dst, int dstPlane, int q0, int q1, int q2, int q3,
                                int q4, int q5, int q6, int q7) {
        FloatVector zero = FloatVector.zero(FLOAT);
        FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
        for (int k = 0; k < sources; k++) {
            int w = o * oStride + k * kStride + t0;
            for (int i = 0; i < 3; i++) {
                int row = k * srcPlane + i * width;
                for (int j = 0; j < 3; j++) {
                    FloatVector c = FloatVector.broadcast(FLOAT, weights[w]);
                    int at = row + j;
                    a0 = FloatVector.fromArray(FLOAT, src, at + q0).fma(c, a0);
                    a1 = FloatVector.fromArray(FLOAT, src, at + q1).fma(c, a1);
                    a2 = FloatVector.fromArray(FLOAT, src, at + q2).fma(c, a2);
                    a3 = FloatVector.fromArray(FLOAT, src, at + q3).fma(c, a3);
                    a4 = FloatVector.fromArray(FLOAT, src, at + q4).fma(c, a4);
                    a5 = FloatVector.fromArray(FLOAT, src, at + q5).fma(c, a5);
                    a6 = FloatVector.fromArray(FLOAT, src, at + q6).fma(c, a6);
                    a7 = FloatVector.fromArray(FLOAT, src, at + q7).fma(c, a7);
                    w += dt;
                }
            }
        }
        // repeated positions (passes past the last vector) are written with the same sums
        int plane = o * dstPlane;
        a0.intoArray(dst, plane + q0);
        a1.intoArray(dst, plane + q1);
        a2.intoArray(dst, plane + q2);
        a3.intoArray(dst, plane + q3);
        a4.intoArray(dst, plane + q4);
        a5.intoArray(dst, plane + q5);
        a6.intoArray(dst, plane + q6);
        a7.intoArray(dst, plane + q7);
    }

    // wideConv for outputs o..o+3 at wide positions q0.., q1.., q2..: 12 chains in registers
    static void wideConvPass(float[] src, int srcPlane, int sources, int width,
                             float[] weights, int oStride, int kStride, int t0, int dt,
                             int o, float[] dst, int dstPlane, int q0, int q1, int q2) {
        int o1 = o + 1;
        int o2 = o + 2;
        int o3 = o + 3;
        FloatVector zero = FloatVector.zero(FLOAT);
        FloatVector a00 = zero, a01 = zero, a02 = zero, a10 = zero, a11 = zero, a12 = zero;
        FloatVector a20 = zero, a21 = zero, a22 = zero, a30 = zero, a31 = zero, a32 = zero;
        for (int k = 0; k < sources; k++) {
            int w = k * kStride + t0;
            for (int i = 0; i < 3; i++) {
                int row = k * srcPlane + i * width;
                for (int j = 0; j < 3; j++) {
                    FloatVector x0 = FloatVector.fromArray(FLOAT, src, row + j + q0);
                    FloatVector x1 = FloatVector.fromArray(FLOAT, src, row + j + q1);
                    FloatVector x2 = FloatVector.fromArray(FLOAT, src, row + j + q2);
                    FloatVector c = FloatVector.broadcast(FLOAT, weights[o * oStride + w]);
                    a00 = x0.fma(c, a00);
                    a01 = x1.fma(c, a01);
                    a02 = x2.fma(c, a02);
                    c = FloatVector.broadcast(FLOAT, weights[o1 * oStride + w]);
                    a10 = x0.fma(c, a10);
                    a11 = x1.fma(c, a11);
                    a12 = x2.fma(c, a12);
                    c = FloatVector.broadcast(FLOAT, weights[o2 * oStride + w]);
                    a20 = x0.fma(c, a20);
                    a21 = x1.fma(c, a21);
                    a22 = x2.fma(c, a22);
                    c = FloatVector.broadcast(FLOAT, weights[o3 * oStride + w]);
                    a30 = x0.fma(c, a30);
                    a31 = x1.fma(c, a31);
                    a32 = x2.fma(c, a32);
                    w += dt;
                }
            }
        }
        // repeated positions are written twice with the same sums
        a00.intoArray(dst, o * dstPlane + q0);
        a01.intoArray(dst, o * dstPlane + q1);
        a02.intoArray(dst, o * dstPlane + q2);
        a10.intoArray(dst, o1 * dstPlane + q0);
        a11.intoArray(dst, o1 * dstPlane + q1);
        a12.intoArray(dst, o1 * dstPlane + q2);
        a20.intoArray(dst, o2 * dstPlane + q0);
        a21.intoArray(dst, o2 * dstPlane + q1);
        a22.intoArray(dst, o2 * dstPlane + q2);
        a30.intoArray(dst, o3 * dstPlane + q0);
        a31.intoArray(dst, o3 * dstPlane + q1);
        a32.intoArray(dst, o3 * dstPlane + q2);
    }
}
