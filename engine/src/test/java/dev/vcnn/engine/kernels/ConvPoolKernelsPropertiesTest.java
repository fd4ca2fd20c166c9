package dev.vcnn.engine.kernels;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.util.Arrays;
import java.util.Random;

import static dev.vcnn.engine.kernels.Tolerance.magnitudes;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fused conv3x3 + max-pool forward. Each implementation must equal its own conv3x3Forward
 * followed by maxPool2x2Forward bit for bit wherever those compute the same sums (the reference
 * always; the vector kernels when their conv is vectorized: one channel and rows at least a vector
 * wide, or several channels, which go through them). Vector against reference: pooled values within
 * the conv sums' rounding, and the same argmax wherever rounding cannot decide it (always on the
 * TIES palette, whose sums are exact). Pooled rows (W'/2 wide) straddle the lane count, so a pooled
 * vector runs past a row's end; heights and widths of the conv output are odd half the time.
 * The fused backward (pool backward + filter gradient) must agree, within the rounding of its sums,
 * with the reference's and with each implementation's own two kernels.
 */
@AddLifecycleHook(SkipUnlessVectors.class)
class ConvPoolKernelsPropertiesTest {
    private static final int TRIES = 300;

    private final KernelPair kernels = KernelPair.get();

    /** in [C][H][W] and filters [F][C][3][3], drawn from one palette. */
    private record ConvPool(int channels, int height, int width, int filterCount, Palette palette,
                            float[] in, float[] filters) {
        static ConvPool draw(int channels, int height, int width, int filterCount, Palette palette, long seed) {
            Random random = new Random(seed);
            return new ConvPool(channels, height, width, filterCount, palette,
                    palette.fill(random, channels * height * width), palette.fill(random, filterCount * channels * 9));
        }

        Layout conv() {
            return Layout.of("f,y,x", filterCount, height - 2, width - 2);
        }

        Layout pooled() {
            return Layout.of("f,y,x", filterCount, (height - 2) / 2, (width - 2) / 2);
        }

        @Override
        public String toString() {
            return "C=" + channels + " H=" + height + " W=" + width + " F=" + filterCount + " " + palette;
        }
    }

    private record Result(float[] pooled, int[] argmax) {
    }

    @Provide
    Arbitrary<Integer> pooledWidths() {
        return TailSizes.around(kernels.lanes, 1, TailSizes.maxRowWidth(kernels.lanes), 13);
    }

    // one channel (the seed's, and the fused vector path) most of the time
    @Provide
    Arbitrary<Integer> channels() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(1)), Tuple.of(1, Arbitraries.integers().between(2, 3)));
    }

    @Property(tries = TRIES)
    void agrees(@ForAll("pooledWidths") int pooledWidth, @ForAll @IntRange(min = 1, max = 4) int pooledHeight,
                @ForAll @IntRange(max = 1) int extraColumn, @ForAll @IntRange(max = 1) int extraRow,
                @ForAll("channels") int channels, @ForAll @IntRange(min = 1, max = 9) int filterCount,
                @ForAll Palette palette, @ForAll long seed) {
        check(ConvPool.draw(channels, 2 * pooledHeight + extraRow + 2, 2 * pooledWidth + extraColumn + 2,
                filterCount, palette, seed));
    }

    @Property(tries = TRIES)
    void backwardAgrees(@ForAll("pooledWidths") int pooledWidth, @ForAll @IntRange(min = 1, max = 4) int pooledHeight,
                        @ForAll @IntRange(max = 1) int extraColumn, @ForAll @IntRange(max = 1) int extraRow,
                        @ForAll("channels") int channels, @ForAll @IntRange(min = 1, max = 9) int filterCount,
                        @ForAll Palette palette, @ForAll long seed) {
        checkBackward(ConvPool.draw(channels, 2 * pooledHeight + extraRow + 2, 2 * pooledWidth + extraColumn + 2,
                filterCount, palette, seed), seed);
    }

    // the seed network's first two layers: a 28x28 grey image, 8 filters -> 8x13x13
    @Example
    void agreesOnTheSeedShape() {
        for (Palette palette : Palette.values()) {
            check(ConvPool.draw(1, 28, 28, 8, palette, 28));
            checkBackward(ConvPool.draw(1, 28, 28, 8, palette, 28), 28);
        }
    }

    // argmax from the reference forward on these filters; dPooled drawn from the same palette
    private void checkBackward(ConvPool p, long seed) {
        String context = kernels.context("conv3x3FilterGradientFromPool", p.toString());
        int pooled = p.pooled().size();
        int[] argmax = new int[pooled];
        kernels.scalar.conv3x3MaxPool2x2Forward(p.in, p.channels, p.height, p.width, p.filters, p.filterCount,
                new float[pooled], argmax);
        float[] dPooled = p.palette.fill(new Random(~seed), pooled);
        Layout taps = Layout.of("f,c,i,j", p.filterCount, p.channels, 3, 3);
        int n = taps.size();
        float[] scalar = Padded.output(n);
        float[] vector = Padded.output(n);
        kernels.scalar.conv3x3FilterGradientFromPool(p.in, p.channels, p.height, p.width, dPooled, argmax,
                p.filterCount, scalar);
        kernels.onVector(context, k -> k.conv3x3FilterGradientFromPool(p.in, p.channels, p.height, p.width,
                dPooled, argmax, p.filterCount, vector));
        Padded.assertUntouchedPast(context, "dFilters", vector, n);

        // each element sums one term per pooled element of its filter
        int terms = pooled / p.filterCount;
        float[] absSums = new float[n];
        kernels.scalar.conv3x3FilterGradientFromPool(magnitudes(p.in), p.channels, p.height, p.width,
                magnitudes(dPooled), argmax, p.filterCount, absSums);
        Agreement.sums(context, "dFilters", taps, vector, scalar, absSums, terms);
        float[] twoKernels = new float[n];
        float[] dConv = new float[p.conv().size()];
        kernels.scalar.maxPool2x2Backward(dPooled, argmax, pooled, dConv, dConv.length);
        kernels.scalar.conv3x3FilterGradient(p.in, p.channels, p.height, p.width, dConv, p.filterCount, twoKernels);
        Agreement.sums(context + " (scalar against its pool backward + filter gradient)", "dFilters", taps,
                scalar, twoKernels, absSums, terms);
    }

    private void check(ConvPool p) {
        String context = kernels.context("conv3x3MaxPool2x2Forward", p.toString());
        Result scalar = fused(kernels.scalar, p, context);
        Result vector = fused(kernels.vector, p, context);

        // each against its own two kernels
        sameAs(context + " (scalar against its conv + pool)", p, scalar, unfused(kernels.scalar, p));
        boolean vectorConv = p.channels > 1 || p.width - 2 >= kernels.lanes;
        if (vectorConv) {
            sameAs(context + " (against the vector conv + pool)", p, vector, unfused(kernels.vector, p));
        }

        // vector against the reference
        float[] conv = new float[p.conv().size()];
        kernels.scalar.conv3x3Forward(p.in, p.channels, p.height, p.width, p.filters, p.filterCount, conv);
        float[] absSums = new float[conv.length];
        kernels.scalar.conv3x3Forward(magnitudes(p.in), p.channels, p.height, p.width,
                magnitudes(p.filters), p.filterCount, absSums);
        Layout pooled = p.pooled();
        int convWidth = p.width - 2;
        for (int k = 0; k < pooled.size(); k++) {
            int[] window = window(p, k);
            double allowed = 0;
            for (int at : window) {
                allowed = Math.max(allowed, Tolerance.forSum(9 * p.channels, absSums[at]));
            }
            if (Float.isNaN(vector.pooled[k]) || Math.abs((double) vector.pooled[k] - scalar.pooled[k]) > allowed) {
                fail(context + ": pooled" + pooled.at(k) + ": vector " + vector.pooled[k] + " but scalar "
                        + scalar.pooled[k] + ", allowed " + allowed);
            }
            int chosen = vector.argmax[k];
            if (!contains(window, chosen)) {
                fail(context + ": argmax" + pooled.at(k) + " = " + chosen + " lies outside its window "
                        + Arrays.toString(window) + " (conv width " + convWidth + ")");
            }
            boolean exactSums = p.palette == Palette.TIES;
            if (chosen != scalar.argmax[k] && (exactSums || decisive(conv, window, scalar.argmax[k], allowed))) {
                fail(context + ": argmax" + pooled.at(k) + ": vector " + chosen + " but scalar " + scalar.argmax[k]
                        + ", whose value " + conv[scalar.argmax[k]] + " leads its window by more than rounding"
                        + (exactSums ? " (or ties it, with sums that are exact)" : ""));
            }
        }
    }

    // the reference's argmax can only move under rounding if another value of the window is within 2 * allowed
    private static boolean decisive(float[] conv, int[] window, int winner, double allowed) {
        for (int at : window) {
            if (at != winner && (double) conv[winner] - conv[at] <= 2 * allowed) {
                return false;
            }
        }
        return true;
    }

    // flat conv indices of pooled element k's window, in row-major order
    private static int[] window(ConvPool p, int k) {
        int convHeight = p.height - 2;
        int convWidth = p.width - 2;
        int outHeight = convHeight / 2;
        int outWidth = convWidth / 2;
        int f = k / (outHeight * outWidth);
        int y = k / outWidth % outHeight;
        int x = k % outWidth;
        int topLeft = (f * convHeight + 2 * y) * convWidth + 2 * x;
        return new int[] {topLeft, topLeft + 1, topLeft + convWidth, topLeft + convWidth + 1};
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    // the fused kernel with an argmax and without one: the values must not depend on it, and nothing
    // past the pooled shape may be written
    private Result fused(Kernels k, ConvPool p, String context) {
        int n = p.pooled().size();
        float[] pooled = Padded.output(n);
        int[] argmax = Padded.indexOutput(n);
        float[] pooledOnly = Padded.output(n);
        kernels.onVector(context, kernel -> {
            k.conv3x3MaxPool2x2Forward(p.in, p.channels, p.height, p.width, p.filters, p.filterCount, pooled, argmax);
            k.conv3x3MaxPool2x2Forward(p.in, p.channels, p.height, p.width, p.filters, p.filterCount, pooledOnly, null);
        });
        String which = context + " (" + k.name() + ")";
        Agreement.exactly(which + " without argmax", "pooled", p.pooled(), pooledOnly, pooled);
        Padded.assertUntouchedPast(which, "pooled", pooled, n);
        Padded.assertUntouchedPast(which, "argmax", argmax, n);
        Padded.assertUntouchedPast(which + " without argmax", "pooled", pooledOnly, n);
        return new Result(pooled, argmax);
    }

    private static Result unfused(Kernels k, ConvPool p) {
        float[] conv = new float[p.conv().size()];
        k.conv3x3Forward(p.in, p.channels, p.height, p.width, p.filters, p.filterCount, conv);
        int n = p.pooled().size();
        float[] pooled = new float[n];
        int[] argmax = new int[n];
        k.maxPool2x2Forward(conv, p.filterCount, p.height - 2, p.width - 2, pooled, argmax);
        return new Result(pooled, argmax);
    }

    private static void sameAs(String context, ConvPool p, Result fused, Result unfused) {
        Agreement.exactly(context, "argmax", p.pooled(), fused.argmax, unfused.argmax);
        Agreement.exactly(context, "pooled", p.pooled(), fused.pooled, unfused.pooled);
    }
}
