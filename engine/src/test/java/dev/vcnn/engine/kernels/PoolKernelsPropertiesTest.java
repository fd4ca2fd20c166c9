package dev.vcnn.engine.kernels;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.util.Random;

/**
 * Max-pool forward and backward, vector against scalar, bit for bit: values, argmax indices (the
 * first maximum in row-major order on ties) and routed gradients. Pooled rows (W/2 wide) straddle
 * the lane count; odd heights and widths check the floor; the seed's 8x26x26 -> 8x13x13 is an example.
 */
@AddLifecycleHook(SkipUnlessVectors.class)
class PoolKernelsPropertiesTest {
    private static final int TRIES = 300;

    private final KernelPair kernels = KernelPair.get();

    /** A pooling problem: in [C][H][W] and dOut [C][H/2][W/2], drawn from one palette. */
    private record Pool(int channels, int height, int width, float[] in, float[] dOut) {
        static Pool draw(int channels, int height, int width, Palette palette, long seed) {
            Random random = new Random(seed);
            return new Pool(channels, height, width, palette.fill(random, channels * height * width),
                    palette.fill(random, channels * (height / 2) * (width / 2)));
        }

        Layout input() {
            return Layout.of("c,y,x", channels, height, width);
        }

        Layout output() {
            return Layout.of("c,y,x", channels, height / 2, width / 2);
        }

        @Override
        public String toString() {
            return "C=" + channels + " H=" + height + " W=" + width;
        }
    }

    // 0 included: a one-column input pools to nothing, and nothing must be written
    @Provide
    Arbitrary<Integer> pooledWidths() {
        return TailSizes.around(kernels.lanes, 0, TailSizes.maxRowWidth(kernels.lanes), 13);
    }

    @Property(tries = TRIES)
    void forwardAgrees(@ForAll("pooledWidths") int pooledWidth, @ForAll @IntRange(min = 1, max = 4) int pooledHeight,
                       @ForAll @IntRange(max = 1) int extraColumn, @ForAll @IntRange(max = 1) int extraRow,
                       @ForAll @IntRange(min = 1, max = 8) int channels, @ForAll Palette palette, @ForAll long seed) {
        checkForward(Pool.draw(channels, 2 * pooledHeight + extraRow, 2 * pooledWidth + extraColumn, palette, seed));
    }

    @Property(tries = TRIES)
    void backwardAgrees(@ForAll("pooledWidths") int pooledWidth, @ForAll @IntRange(min = 1, max = 4) int pooledHeight,
                        @ForAll @IntRange(max = 1) int extraColumn, @ForAll @IntRange(max = 1) int extraRow,
                        @ForAll @IntRange(min = 1, max = 8) int channels, @ForAll Palette palette, @ForAll long seed) {
        checkBackward(Pool.draw(channels, 2 * pooledHeight + extraRow, 2 * pooledWidth + extraColumn, palette, seed));
    }

    // the seed network's layer: 8x26x26 -> 8x13x13
    @Example
    void bothAgreeOnTheSeedShape() {
        for (Palette palette : Palette.values()) {
            Pool seedShape = Pool.draw(8, 26, 26, palette, 26);
            checkForward(seedShape);
            checkBackward(seedShape);
        }
    }

    private void checkForward(Pool p) {
        String context = kernels.context("maxPool2x2Forward", p.toString());
        int n = p.output().size();
        float[] scalarOut = Padded.output(n);
        float[] vectorOut = Padded.output(n);
        int[] scalarArgmax = Padded.indexOutput(n);
        int[] vectorArgmax = Padded.indexOutput(n);
        kernels.scalar.maxPool2x2Forward(p.in, p.channels, p.height, p.width, scalarOut, scalarArgmax);
        kernels.onVector(context, vector -> vector.maxPool2x2Forward(
                p.in, p.channels, p.height, p.width, vectorOut, vectorArgmax));

        Agreement.exactly(context, "argmax", p.output(), vectorArgmax, scalarArgmax);
        Agreement.exactly(context, "out", p.output(), vectorOut, scalarOut);
        Padded.assertUntouchedPast(context, "argmax", vectorArgmax, n);
        Padded.assertUntouchedPast(context, "out", vectorOut, n);
    }

    private void checkBackward(Pool p) {
        int pooled = p.output().size();
        int inputs = p.input().size();
        int[] argmax = new int[pooled];
        kernels.scalar.maxPool2x2Forward(p.in, p.channels, p.height, p.width, new float[pooled], argmax);

        String context = kernels.context("maxPool2x2Backward", p.toString());
        float[] scalarGradient = Padded.output(inputs);
        float[] vectorGradient = Padded.output(inputs);
        kernels.scalar.maxPool2x2Backward(p.dOut, argmax, pooled, scalarGradient, inputs);
        kernels.onVector(context, vector -> vector.maxPool2x2Backward(p.dOut, argmax, pooled, vectorGradient, inputs));

        Agreement.exactly(context, "dIn", p.input(), vectorGradient, scalarGradient);
        Padded.assertUntouchedPast(context, "dIn", vectorGradient, inputs);
    }
}
