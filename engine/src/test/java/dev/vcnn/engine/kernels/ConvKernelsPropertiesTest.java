package dev.vcnn.engine.kernels;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.util.Random;

import static dev.vcnn.engine.kernels.Tolerance.magnitudes;

/**
 * The three convolution kernels, vector against scalar, on random shapes: output rows (W-2 wide)
 * that straddle lane multiples, planes 3 to 30 high, 1 to 40 channels and filters (around lane
 * multiples too), the seed's 1x28x28 image with 8 filters, the deep network's layers and tiny planes.
 */
@AddLifecycleHook(SkipUnlessVectors.class)
class ConvKernelsPropertiesTest {
    private static final int TRIES = 300;

    private final KernelPair kernels = KernelPair.get();

    /** A conv problem: in [C][H][W], filters [F][C][3][3], dOut [F][H-2][W-2], all drawn from one palette. */
    private record Conv(int channels, int height, int width, int filterCount,
                        float[] in, float[] filters, float[] dOut) {
        static Conv draw(int channels, int height, int width, int filterCount, Palette palette, long seed) {
            Random random = new Random(seed);
            return new Conv(channels, height, width, filterCount,
                    palette.fill(random, channels * height * width),
                    palette.fill(random, filterCount * channels * 9),
                    palette.fill(random, filterCount * (height - 2) * (width - 2)));
        }

        Layout input() {
            return Layout.of("c,y,x", channels, height, width);
        }

        Layout output() {
            return Layout.of("f,y,x", filterCount, height - 2, width - 2);
        }

        Layout filterShape() {
            return Layout.of("f,c,i,j", filterCount, channels, 3, 3);
        }

        @Override
        public String toString() {
            return "C=" + channels + " H=" + height + " W=" + width + " F=" + filterCount;
        }
    }

    /** Channels and filters of one problem; see {@link #sizes()}. */
    private record Sizes(int channels, int filterCount) {
    }

    @Provide
    Arbitrary<Integer> outputWidths() {
        return TailSizes.around(kernels.lanes, 1, TailSizes.maxRowWidth(kernels.lanes), 11, 26);
    }

    // planes 3 to 30 high: 1 (a 3-row input), the deep network's 11 and 26, and any height between
    @Provide
    Arbitrary<Integer> outputHeights() {
        return Arbitraries.oneOf(Arbitraries.of(1, 2, 3, 11, 26), Arbitraries.integers().between(1, 28));
    }

    // channels and filters 1..40, around lane multiples (filters sit on lanes in the filter gradient,
    // channels in the input gradient's outputs) and the deep network's 16 and 32, with C*F at most 192
    // so that a try stays within a few milliseconds of scalar reference
    @Provide
    Arbitrary<Sizes> sizes() {
        return TailSizes.around(kernels.lanes, 1, 40, 4, 8, 16, 32).flatMap(channels ->
                TailSizes.around(kernels.lanes, 1, Math.max(1, Math.min(40, 192 / channels)), 4, 8, 16, 32)
                        .map(filterCount -> new Sizes(channels, filterCount)));
    }

    @Property(tries = TRIES)
    void forwardAgrees(@ForAll("outputWidths") int outWidth,
            @ForAll("outputHeights") int outHeight,
            @ForAll("sizes") Sizes sizes,
            @ForAll Palette palette,
            @ForAll long seed) {
        checkForward(Conv.draw(sizes.channels, outHeight + 2, outWidth + 2, sizes.filterCount, palette, seed));
    }

    @Property(tries = TRIES)
    void filterGradientAgrees(@ForAll("outputWidths") int outWidth,
            @ForAll("outputHeights") int outHeight,
            @ForAll("sizes") Sizes sizes,
            @ForAll Palette palette,
            @ForAll long seed) {
        checkFilterGradient(Conv.draw(sizes.channels, outHeight + 2, outWidth + 2, sizes.filterCount, palette, seed));
    }

    @Property(tries = TRIES)
    void inputGradientAgrees(@ForAll("outputWidths") int outWidth,
            @ForAll("outputHeights") int outHeight,
            @ForAll("sizes") Sizes sizes,
            @ForAll Palette palette,
            @ForAll long seed) {
        checkInputGradient(Conv.draw(sizes.channels, outHeight + 2, outWidth + 2, sizes.filterCount, palette, seed));
    }

    // the deep network's two conv layers: 1 -> 16 on 28x28 and 16 -> 32 on 13x13, and tiny planes:
    // 3x3 (one output per filter), 3x4 and 4x3, 5x5, whose wide planes are shorter than any vector
    @Example
    void allThreeAgreeOnTheDeepShapesAndTinyPlanes() {
        int[][] shapes = {{1, 28, 28, 16}, {16, 13, 13, 32}, {3, 3, 3, 5}, {2, 3, 4, 3}, {4, 4, 3, 17},
                {40, 5, 5, 4}, {1, 3, 3, 1}};
        for (int[] shape : shapes) {
            for (Palette palette : Palette.values()) {
                Conv p = Conv.draw(shape[0], shape[1], shape[2], shape[3], palette, 13);
                checkForward(p);
                checkFilterGradient(p);
                checkInputGradient(p);
            }
        }
    }

    // the input gradient's split: channels in fours on the wide plane, the rest (1..3) by taps once
    // dOut rows are a vector long; rows of exactly a vector, one more and one less, 1 to 7 channels
    @Example
    void inputGradientAgreesAcrossTheSplitBetweenGroupsAndTaps() {
        int lanes = kernels.lanes;
        for (int outWidth : new int[]{lanes - 1, lanes, lanes + 1, 2 * lanes + 3}) {
            for (int channels = 1; channels <= 7; channels++) {
                for (Palette palette : Palette.values()) {
                    checkInputGradient(Conv.draw(channels, 9, outWidth + 2, 5, palette, 31L * channels + outWidth));
                }
            }
        }
    }

    // the seed network's layer: a 28x28 grey image, 8 filters -> 8x26x26
    @Example
    void allThreeAgreeOnTheSeedShape() {
        for (Palette palette : Palette.values()) {
            Conv seedShape = Conv.draw(1, 28, 28, 8, palette, 28);
            checkForward(seedShape);
            checkFilterGradient(seedShape);
            checkInputGradient(seedShape);
        }
    }

    private void checkForward(Conv p) {
        String context = kernels.context("conv3x3Forward", p.toString());
        int n = p.output().size();
        float[] scalarOut = Padded.output(n);
        float[] vectorOut = Padded.output(n);
        kernels.scalar.conv3x3Forward(p.in, p.channels, p.height, p.width, p.filters, p.filterCount, scalarOut);
        kernels.onVector(context, vector -> vector.conv3x3Forward(
                p.in, p.channels, p.height, p.width, p.filters, p.filterCount, vectorOut));

        // the reference run on magnitudes gives each output's sum|terms|
        float[] absSums = new float[n];
        kernels.scalar.conv3x3Forward(magnitudes(p.in), p.channels, p.height, p.width,
                magnitudes(p.filters), p.filterCount, absSums);
        Agreement.sums(context, "out", p.output(), vectorOut, scalarOut, absSums, 9 * p.channels);
        Padded.assertUntouchedPast(context, "out", vectorOut, n);
    }

    private void checkFilterGradient(Conv p) {
        String context = kernels.context("conv3x3FilterGradient", p.toString());
        int n = p.filterShape().size();
        float[] scalarGradient = Padded.output(n);
        float[] vectorGradient = Padded.output(n);
        kernels.scalar.conv3x3FilterGradient(
                p.in, p.channels, p.height, p.width, p.dOut, p.filterCount, scalarGradient);
        kernels.onVector(context, vector -> vector.conv3x3FilterGradient(
                p.in, p.channels, p.height, p.width, p.dOut, p.filterCount, vectorGradient));

        float[] absSums = new float[n];
        kernels.scalar.conv3x3FilterGradient(magnitudes(p.in), p.channels, p.height, p.width,
                magnitudes(p.dOut), p.filterCount, absSums);
        Agreement.sums(context, "dFilters", p.filterShape(), vectorGradient, scalarGradient, absSums,
                p.output().size() / p.filterCount);
        Padded.assertUntouchedPast(context, "dFilters", vectorGradient, n);
    }

    private void checkInputGradient(Conv p) {
        String context = kernels.context("conv3x3InputGradient", p.toString());
        int n = p.input().size();
        float[] scalarGradient = Padded.output(n);
        float[] vectorGradient = Padded.output(n);
        kernels.scalar.conv3x3InputGradient(
                p.dOut, p.filterCount, p.height, p.width, p.filters, p.channels, scalarGradient);
        kernels.onVector(context, vector -> vector.conv3x3InputGradient(
                p.dOut, p.filterCount, p.height, p.width, p.filters, p.channels, vectorGradient));

        float[] absSums = new float[n];
        kernels.scalar.conv3x3InputGradient(magnitudes(p.dOut), p.filterCount, p.height, p.width,
                magnitudes(p.filters), p.channels, absSums);
        Agreement.sums(context, "dIn", p.input(), vectorGradient, scalarGradient, absSums, 9 * p.filterCount);
        Padded.assertUntouchedPast(context, "dIn", vectorGradient, n);
    }
}
