package dev.vcnn.engine.kernels;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.util.Random;

/**
 * The plain SGD step, vector against scalar, at lengths that straddle the lane count and at the
 * seed's two parameter arrays: 8x3x3 filters and 10x1352 weights.
 */
@AddLifecycleHook(SkipUnlessVectors.class)
class SgdKernelsPropertiesTest {
    private static final int TRIES = 300;

    private final KernelPair kernels = KernelPair.get();

    @Provide
    Arbitrary<Integer> lengths() {
        return TailSizes.around(kernels.lanes, 1, 3000, 8 * 9, 10 * 13 * 13 * 8);
    }

    @Provide
    Arbitrary<Float> learningRates() {
        return Arbitraries.of(0f, 0.005f, 0.01f, 0.5f, 1f);
    }

    @Property(tries = TRIES)
    void updateAgrees(@ForAll("lengths") int n, @ForAll("learningRates") float lr,
                      @ForAll Palette palette, @ForAll long seed) {
        check(n, lr, palette, seed);
    }

    @Example
    void updateAgreesOnTheSeedsParameters() {
        for (Palette palette : Palette.values()) {
            check(8 * 9, 0.005f, palette, 72);
            check(10 * 13 * 13 * 8, 0.005f, palette, 13520);
        }
    }

    private void check(int n, float lr, Palette palette, long seed) {
        Random random = new Random(seed);
        float[] params = palette.fill(random, n);
        float[] grads = palette.fill(random, n);
        String context = kernels.context("sgdUpdate", "N=" + n + " lr=" + lr);
        float[] scalarParams = Padded.inOut(params);
        float[] vectorParams = Padded.inOut(params);
        kernels.scalar.sgdUpdate(scalarParams, grads, n, lr);
        kernels.onVector(context, vector -> vector.sgdUpdate(vectorParams, grads, n, lr));

        // each step is a two-term sum: the old value and -lr * grads[k]
        float[] terms = new float[n];
        for (int k = 0; k < n; k++) {
            terms[k] = (float) (Math.abs(params[k]) + Math.abs((double) lr * grads[k]));
        }
        Agreement.sums(context, "params", Layout.of("k", n), vectorParams, scalarParams, terms, 2);
        Padded.assertUntouchedPast(context, "params", vectorParams, n);
    }
}
