package dev.vcnn.engine.kernels;

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
 * weight row. The fused conv + pool kernels, which a training step runs, work on pooled columns
 * instead: they first split the image into its even and odd columns, so that both conv columns of
 * L windows are plain vectors of the split (see {@code splitColumns}). Rows are rarely lane
 * multiples (26 and 13 never are), and a scalar tail would do up to 15/16 of a short row at scalar
 * speed. Masked loads and stores handled that first, but on rows this short they cost more than the
 * arithmetic, so the hot kernels avoid them: a row's last vector is shifted left to end where the
 * row ends (overlapping lanes are rewritten with the same values, or zeroed before they are summed),
 * or full vectors run on into the next row where that is harmless, or into a scratch copy with a
 * vector of slack. Each kernel says which; some give rows narrower than one vector to the reference.
 * The input gradient still masks. Sums are accumulated in a different order
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
    // species are static final so the JIT sees constants; never pass them around as values
    static final VectorSpecies<Float> FLOAT = chooseSpecies();
    static final VectorSpecies<Integer> INT = FLOAT.withLanes(int.class);
    private static final int LANES = FLOAT.length();

    private static final Kernels SCALAR = new ScalarKernels();

    // lane n of a pooled row reads input columns 2n (left of its window) and 2n+1 (right), and lane n
    // of a split row takes the even column 2n and the odd column 2n+1; kept as arrays because building
    // them with addIndex allocated on every call
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
    // fixed pairwise order (lane n with lane n + L/2, then n + L/4, ...) gives the same float either
    // way. For 4, 8 and 16 lanes the tree is spelled out in locals: adding in place in the scratch
    // array chained every add through a store and a load, and made the filter gradient's 72 sums
    // half its time. scratch is the calling thread's Scratch.lanes
    private static float sumLanes(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        return sumStoredLanes(scratch, 0);
    }

    // the same pairwise sum of the LANES floats stored at s[at...]
    private static float sumStoredLanes(float[] s, int at) {
        if (LANES == 16) {
            float a0 = s[at] + s[at + 8];
            float a1 = s[at + 1] + s[at + 9];
            float a2 = s[at + 2] + s[at + 10];
            float a3 = s[at + 3] + s[at + 11];
            float a4 = s[at + 4] + s[at + 12];
            float a5 = s[at + 5] + s[at + 13];
            float a6 = s[at + 6] + s[at + 14];
            float a7 = s[at + 7] + s[at + 15];
            return ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7));
        }
        if (LANES == 8) {
            return ((s[at] + s[at + 4]) + (s[at + 2] + s[at + 6])) + ((s[at + 1] + s[at + 5]) + (s[at + 3] + s[at + 7]));
        }
        if (LANES == 4) {
            return (s[at] + s[at + 2]) + (s[at + 1] + s[at + 3]);
        }
        for (int width = LANES / 2; width > 0; width /= 2) {
            for (int n = 0; n < width; n++) {
                s[at + n] += s[at + n + width];
            }
        }
        return s[at];
    }

    // A row of n >= LANES values ends in a full vector shifted left to start at n - LANES; the full
    // vectors before it covered up to loopBound(n), so its lanes below loopBound(n) - (n - LANES) are
    // counted already. This mask selects the rest.
    private static VectorMask<Float> lanesNotYetCounted(int n) {
        return FloatVector.fromArray(FLOAT, LANE_NUMBERS, 0)
                .compare(VectorOperators.GE, FLOAT.loopBound(n) - (n - LANES));
    }

    // The calling thread's work arrays, grown to the largest shape it has seen and then reused, so a
    // call allocates nothing once a shape has been seen; per thread, as kernels may run concurrently
    private static final class Scratch {
        final float[] lanes = new float[18 * LANES]; // the accumulators of a filter-gradient pass
        float[] split = new float[0];                 // an image split into even and odd columns
        float[] windowMax = new float[0];             // conv + pool: the max of each window's top row
        int[] windowAt = new int[0];                  // and where it is
        float[] pooledValues = new float[0];          // pooled values (or their gradients) and argmax,
        int[] pooledArgmax = new int[0];              // with a vector of slack
        float[] conv = new float[0];                  // the unfused kernels' conv output or its gradient

        float[] split(int n) {
            return split = atLeast(split, n);
        }

        float[] windowMax(int n) {
            return windowMax = atLeast(windowMax, n);
        }

        int[] windowAt(int n) {
            return windowAt = atLeast(windowAt, n);
        }

        float[] pooledValues(int n) {
            return pooledValues = atLeast(pooledValues, n);
        }

        int[] pooledArgmax(int n) {
            return pooledArgmax = atLeast(pooledArgmax, n);
        }

        float[] conv(int n) {
            return conv = atLeast(conv, n);
        }

        private static float[] atLeast(float[] array, int n) {
            return array.length >= n ? array : new float[n];
        }

        private static int[] atLeast(int[] array, int n) {
            return array.length >= n ? array : new int[n];
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public String description() {
        return "vector (" + FLOAT.vectorBitSize() + "-bit, " + LANES + " float lanes)";
    }

    // in [C][H][W]; filters [F][C][3][3]; out [F][H-2][W-2]; lanes: columns x..x+L-1 of one output row.
    // Loops run column block by column block, each down all rows, so the row loop is long and its body
    // straight-line code. A row's last block is shifted left to end where the row ends, overlapping
    // the block before it and rewriting a few outputs with the same values: cheaper than masked loads
    // and stores (1.2x on the seed's 26-wide rows). Rows narrower than one vector go to the reference
    @Override
    public void conv3x3Forward(float[] in, int channels, int height, int width,
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
    private static void conv3x3ForwardOneChannel(float[] in, int height, int width,
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
    private static void conv3x3ForwardChannels(float[] in, int channels, int height, int width,
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

    // in [C][H][W]; dPooled, argmax [F][(H-2)/2][(W-2)/2]; dFilters [F][C][3][3]. One input channel, as
    // in the seed, goes through the image split into even and odd columns like the conv + pool forward;
    // several through maxPool2x2Backward into a scratch dOut and conv3x3FilterGradient, and so do
    // vectors of fewer than 16 lanes: there the selects cost more than they save (seed shape, one
    // JVM: 2.41 against 1.44 + 0.5 us at 8 lanes, 3.90 against 2.19 + 0.5 us at 4)
    @Override
    public void conv3x3FilterGradientFromPool(float[] in, int channels, int height, int width,
                                              float[] dPooled, int[] argmax, int filterCount, float[] dFilters) {
        Scratch scratch = SCRATCH.get();
        int convSize = filterCount * (height - 2) * (width - 2);
        int pooledSize = filterCount * ((height - 2) / 2) * ((width - 2) / 2);
        if (channels != 1 || LANES < 16) {
            float[] dConv = scratch.conv(convSize);
            maxPool2x2Backward(dPooled, argmax, pooledSize, dConv, convSize);
            conv3x3FilterGradient(in, channels, height, width, dConv, filterCount, dFilters);
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
    private static void gradientAtArgmax(float[] split, int height, int width, float[] dPooled, int[] argmax,
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

    // in [C][H][W]; out, argmax [C][H/2][W/2]; lanes: output columns x..x+L-1 of pooled row r (the
    // rows of all channels in order). Their windows span the 2L input columns 2x..2x+2L-1 of a row
    // pair, loaded as two full vectors per row; a two-vector selectFrom then picks the left (even)
    // and right (odd) column of every window. Nothing is masked: lanes past a row's end read on into
    // the next input rows and store garbage at the start of the next pooled row, which is written
    // after it (1.6x faster than masked loads and stores). The last rows, whose full vectors would
    // run off the end of in or out, are pooled by the reference
    @Override
    public void maxPool2x2Forward(float[] in, int channels, int height, int width, float[] out, int[] argmax) {
        int outHeight = height / 2;
        int outWidth = width / 2;
        int rows = channels * outHeight;
        int blocks = (outWidth + LANES - 1) / LANES;
        int vectorRows = rows;
        while (vectorRows > 0 && !poolRowFits(vectorRows - 1, channels, height, width, blocks)) {
            vectorRows--;
        }
        FloatVector leftColumns = FloatVector.fromArray(FLOAT, LEFT_COLUMNS, 0);
        FloatVector rightColumns = FloatVector.fromArray(FLOAT, RIGHT_COLUMNS, 0);
        IntVector leftOffsets = IntVector.fromArray(INT, LEFT_OFFSETS, 0);
        for (int r = 0; r < vectorRows; r++) {
            int top = (r / outHeight * height + 2 * (r % outHeight)) * width;
            int bottom = top + width;
            int outRow = r * outWidth;
            for (int x = 0; x < outWidth; x += LANES) {
                int column = 2 * x;
                FloatVector top0 = FloatVector.fromArray(FLOAT, in, top + column);
                FloatVector top1 = FloatVector.fromArray(FLOAT, in, top + column + LANES);
                FloatVector bottom0 = FloatVector.fromArray(FLOAT, in, bottom + column);
                FloatVector bottom1 = FloatVector.fromArray(FLOAT, in, bottom + column + LANES);
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
                best.intoArray(out, outRow + x);
                where.intoArray(argmax, outRow + x);
            }
        }
        ScalarKernels.maxPool2x2Rows(in, height, width, out, argmax, vectorRows, rows);
    }

    // in [C][H][W]; filters [F][C][3][3]; pooled, argmax [F][(H-2)/2][(W-2)/2]. One input channel, as
    // in the seed, is convolved and pooled in registers; several go through the two kernels and a
    // scratch conv output
    @Override
    public void conv3x3MaxPool2x2Forward(float[] in, int channels, int height, int width,
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
            conv3x3Forward(in, channels, height, width, filters, filterCount, conv);
            maxPool2x2Forward(conv, filterCount, convHeight, convWidth, pooled,
                    argmax != null ? argmax : scratch.pooledArgmax(pooledSize));
        }
    }

    // in [H][W] -> split [H][2 * half] plus 2L of slack, half = (W+1)/2: split row r holds the even
    // columns in[r][0], in[r][2], ... then, from split[r][half], the odd ones in[r][1], in[r][3], ...
    // lanes: 2L consecutive columns of a row are loaded as two vectors, and a two-vector selectFrom
    // picks their even and their odd columns. Full vectors run on past a row's end: the evens' garbage
    // lands where the odds go next, the odds' where the next row goes. Rows whose loads would run off
    // the end of in are split by the plain loop
    private static float[] splitColumns(float[] in, int height, int width, Scratch scratch) {
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
    private static void conv3x3MaxPool2x2OneChannel(float[] split, int height, int width, float[] filters,
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
    private static void foldTopRow(float[] split, int height, int width, float[] filters, int f,
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
    private static void foldBottomRow(float[] split, int height, int width, float[] filters, int f,
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
    private static FloatVector firstTaps(FloatVector a, FloatVector b, FloatVector c,
                                         FloatVector w0, FloatVector w1, FloatVector w2) {
        return c.fma(w2, b.fma(w1, a.mul(w0)));
    }

    private static FloatVector moreTaps(FloatVector sum, FloatVector a, FloatVector b, FloatVector c,
                                        FloatVector w0, FloatVector w1, FloatVector w2) {
        return c.fma(w2, b.fma(w1, a.fma(w0, sum)));
    }

    // whether pooled row r's full vectors stay inside in [C*H*W] and out [C*(H/2)*(W/2)]
    private static boolean poolRowFits(int r, int channels, int height, int width, int blocks) {
        int outHeight = height / 2;
        int bottom = (r / outHeight * height + 2 * (r % outHeight) + 1) * width;
        return bottom + 2 * blocks * LANES <= channels * height * width
                && r * (width / 2) + blocks * LANES <= channels * outHeight * (width / 2);
    }

    // dOut, argmax [pooledSize]; dIn [inputSize]. The reference's scalar stores: a vector scatter
    // through argmax was slower (full report, seed shape: 763 ns against 538 ns), and a scatter
    // reads its whole index vector even under a mask, so it needed a scalar tail anyway
    @Override
    public void maxPool2x2Backward(float[] dOut, int[] argmax, int pooledSize, float[] dIn, int inputSize) {
        SCALAR.maxPool2x2Backward(dOut, argmax, pooledSize, dIn, inputSize);
    }

    // x [I]; weights [O][I]; biases, logits [O]; lanes: inputs i..i+L-1 of one weight row. Two
    // outputs (o, p) per pass, so each x vector is loaded once for two weight rows, and two
    // accumulators per output take turns over the blocks: four FMA chains overlap. The tail is the
    // last full vector of the row, shifted left to end at the row's end, against an x whose lanes
    // already counted are zeroed (computed once per call): no masks in the row loop. Inputs shorter
    // than one vector go to the reference
    @Override
    public void denseForward(float[] x, int inputs, float[] weights, float[] biases, int outputs, float[] logits) {
        if (inputs < LANES) {
            SCALAR.denseForward(x, inputs, weights, biases, outputs, logits);
            return;
        }
        int bound = FLOAT.loopBound(inputs);
        int pairBound = bound - bound % (2 * LANES);
        int last = inputs - LANES;
        VectorMask<Float> fresh = lanesNotYetCounted(inputs);
        FloatVector lastX = FloatVector.zero(FLOAT).blend(FloatVector.fromArray(FLOAT, x, last), fresh);
        float[] scratch = SCRATCH.get().lanes;
        for (int o = 0; o < outputs; o += 2) {
            int p = Math.min(o + 1, outputs - 1); // an odd last output pairs with itself
            int oRow = o * inputs;
            int pRow = p * inputs;
            FloatVector o0 = FloatVector.zero(FLOAT), o1 = o0, p0 = o0, p1 = o0;
            int i = 0;
            for (; i < pairBound; i += 2 * LANES) {
                FloatVector x0 = FloatVector.fromArray(FLOAT, x, i);
                FloatVector x1 = FloatVector.fromArray(FLOAT, x, i + LANES);
                o0 = FloatVector.fromArray(FLOAT, weights, oRow + i).fma(x0, o0);
                o1 = FloatVector.fromArray(FLOAT, weights, oRow + i + LANES).fma(x1, o1);
                p0 = FloatVector.fromArray(FLOAT, weights, pRow + i).fma(x0, p0);
                p1 = FloatVector.fromArray(FLOAT, weights, pRow + i + LANES).fma(x1, p1);
            }
            if (i < bound) {
                FloatVector x0 = FloatVector.fromArray(FLOAT, x, i);
                o0 = FloatVector.fromArray(FLOAT, weights, oRow + i).fma(x0, o0);
                p0 = FloatVector.fromArray(FLOAT, weights, pRow + i).fma(x0, p0);
            }
            if (bound < inputs) {
                o1 = FloatVector.fromArray(FLOAT, weights, oRow + last).fma(lastX, o1);
                p1 = FloatVector.fromArray(FLOAT, weights, pRow + last).fma(lastX, p1);
            }
            logits[o] = biases[o] + sumLanes(o0.add(o1), scratch);
            logits[p] = biases[p] + sumLanes(p0.add(p1), scratch);
        }
    }

    // ten values are less than one vector, and exp() has no vector form that rounds like Math.exp
    @Override
    public void softmax(float[] logits, int n, float[] probs) {
        SCALAR.softmax(logits, n, probs);
    }

    // x, dx [I]; weights [O][I]; biases, dLogits [O]; lanes: inputs i..i+L-1. One pass over the weights:
    // each block of a weight row is read once, feeds dx, and is written back updated. Blocks go two at
    // a time, so two dx chains of O dependent FMAs overlap; the leftover block goes singly, and the
    // tail is the last full vector, shifted left to end at the row's end: in the lanes the blocks
    // before it covered, weights and dx keep the values those blocks wrote. (Masked tail vectors ran
    // off the arrays on the last row, and C2 compiled that path so that the kernel took 0.71-0.80 us
    // in some JVMs and 0.89-1.08 us in others.) Inputs shorter than one vector go to the reference
    @Override
    public void denseBackwardUpdate(float[] x, int inputs, float[] weights, float[] biases, int outputs,
                                    float[] dLogits, float lr, float[] dx) {
        if (inputs < LANES) {
            SCALAR.denseBackwardUpdate(x, inputs, weights, biases, outputs, dLogits, lr, dx);
            return;
        }
        int bound = FLOAT.loopBound(inputs);
        int pairBound = bound - bound % (2 * LANES);
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
        if (i < bound) {
            FloatVector input = FloatVector.fromArray(FLOAT, x, i);
            FloatVector gradient = FloatVector.zero(FLOAT);
            for (int o = 0; o < outputs; o++) {
                int at = o * inputs + i;
                FloatVector w = FloatVector.fromArray(FLOAT, weights, at);
                gradient = w.fma(FloatVector.broadcast(FLOAT, dLogits[o]), gradient);
                input.fma(FloatVector.broadcast(FLOAT, -lr * dLogits[o]), w).intoArray(weights, at);
            }
            if (dx != null) {
                gradient.intoArray(dx, i);
            }
        }
        if (bound < inputs) {
            int last = inputs - LANES;
            VectorMask<Float> fresh = lanesNotYetCounted(inputs);
            FloatVector input = FloatVector.fromArray(FLOAT, x, last);
            FloatVector gradient = FloatVector.zero(FLOAT);
            for (int o = 0; o < outputs; o++) {
                int at = o * inputs + last;
                FloatVector w = FloatVector.fromArray(FLOAT, weights, at);
                gradient = w.fma(FloatVector.broadcast(FLOAT, dLogits[o]), gradient);
                w.blend(input.fma(FloatVector.broadcast(FLOAT, -lr * dLogits[o]), w), fresh).intoArray(weights, at);
            }
            if (dx != null) {
                FloatVector.fromArray(FLOAT, dx, last).blend(gradient, fresh).intoArray(dx, last);
            }
        }
        for (int o = 0; o < outputs; o++) {
            biases[o] -= lr * dLogits[o];
        }
    }

    // params, grads [n]; lanes: consecutive parameters. The tail is the last full vector, shifted left
    // to end at n, updating only the lanes the vectors before it did not; fewer than L parameters go
    // to the reference
    @Override
    public void sgdUpdate(float[] params, float[] grads, int n, float lr) {
        if (n < LANES) {
            SCALAR.sgdUpdate(params, grads, n, lr);
            return;
        }
        FloatVector step = FloatVector.broadcast(FLOAT, -lr);
        int bound = FLOAT.loopBound(n);
        for (int k = 0; k < bound; k += LANES) {
            FloatVector p = FloatVector.fromArray(FLOAT, params, k);
            FloatVector.fromArray(FLOAT, grads, k).fma(step, p).intoArray(params, k);
        }
        if (bound < n) {
            int last = n - LANES;
            FloatVector p = FloatVector.fromArray(FLOAT, params, last);
            p.blend(FloatVector.fromArray(FLOAT, grads, last).fma(step, p), lanesNotYetCounted(n)).intoArray(params, last);
        }
    }
}
