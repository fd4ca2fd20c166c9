package dev.vcnn.engine.kernels;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.util.Random;

import static dev.vcnn.engine.kernels.Tolerance.magnitudes;

/**
 * The three convolution kernels, vector against scalar, on random shapes whose output rows
 * (W-2 wide) straddle the lane count, and on the seed's 1x28x28 image with 8 filters.
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

    @Provide
    Arbitrary<Integer> outputWidths() {
        return TailSizes.around(kernels.lanes, 1, TailSizes.maxRowWidth(kernels.lanes), 26);
    }

    @Property(tries = TRIES)
    void forwardAgrees(@ForAll("outputWidths") int outWidth,
            @ForAll @IntRange(min = 1, max = 5) int outHeight,
            @ForAll @IntRange(min = 1, max = 8) int channels,
            @ForAll @IntRange(min = 1, max = 16) int filterCount,
            @ForAll Palette palette,
            @ForAll long seed) {
        checkForward(Conv.draw(channels, outHeight + 2, outWidth + 2, filterCount, palette, seed));
    }

    @Property(tries = TRIES)
    void filterGradientAgrees(@ForAll("outputWidths") int outWidth,
            @ForAll @IntRange(min = 1, max = 5) int outHeight,
            @ForAll @IntRange(min = 1, max = 8) int channels,
            @ForAll @IntRange(min = 1, max = 16) int filterCount,
            @ForAll Palette palette,
            @ForAll long seed) {
        checkFilterGradient(Conv.draw(channels, outHeight + 2, outWidth + 2, filterCount, palette, seed));
    }

    @Property(tries = TRIES)
    void inputGradientAgrees(@ForAll("outputWidths") int outWidth,
            @ForAll @IntRange(min = 1, max = 5) int outHeight,
            @ForAll @IntRange(min = 1, max = 8) int channels,
            @ForAll @IntRange(min = 1, max = 16) int filterCount,
            @ForAll Palette palette,
            @ForAll long seed) {
        checkInputGradient(Conv.draw(channels, outHeight + 2, outWidth + 2, filterCount, palette, seed));
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
