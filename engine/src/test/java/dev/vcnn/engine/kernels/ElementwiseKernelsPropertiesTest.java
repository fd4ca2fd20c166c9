package dev.vcnn.engine.kernels;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The element-wise kernels, vector against scalar: per-channel bias and channel sums, ReLU forward
 * and backward, addInto, the momentum step and the scan for values that are not finite. All but the
 * channel sums must agree bit for bit, so their inputs may also hold NaN, infinities, -0 and
 * subnormals (ReLU must keep NaN and turn -0 into 0 as Math.max does); a NaN result matches any NaN,
 * as Java leaves its bits open. Flat lengths and plane sizes straddle the lane count; the deep
 * network's shapes (16x26x26 and 32x11x11 activations, dense 800 -> 128 -> 10) and the seed's are
 * examples.
 */
@AddLifecycleHook(SkipUnlessVectors.class)
class ElementwiseKernelsPropertiesTest {
    private static final int TRIES = 300;
    private static final float[] NON_FINITE = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    private static final float[] SPECIALS = {
            Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE};
    /** Flat sizes of real networks: activations, parameter arrays and dense layers. */
    private static final int[] REAL_LENGTHS = {
            16 * 26 * 26, 32 * 11 * 11, 8 * 13 * 13, 800, 128, 10, 16 * 9, 32 * 16 * 9, 800 * 128, 128 * 10,
            1352 * 10};

    private final KernelPair kernels = KernelPair.get();

    @Provide
    Arbitrary<Integer> lengths() {
        return TailSizes.around(kernels.lanes, 1, 3000, REAL_LENGTHS);
    }

    @Provide
    Arbitrary<Integer> planeSizes() {
        return TailSizes.around(kernels.lanes, 1, 900, 26 * 26, 11 * 11, 13 * 13);
    }

    @Provide
    Arbitrary<Float> learningRates() {
        return Arbitraries.of(0f, 0.005f, 0.01f, 0.5f, 1f);
    }

    @Provide
    Arbitrary<Float> momenta() {
        return Arbitraries.of(0f, 0.5f, 0.9f, 0.99f);
    }

    // 1 for a single example, 1/B for a batch sum
    @Provide
    Arbitrary<Float> gradScales() {
        return Arbitraries.of(1f, 1f / 32, 1f / 64, 0.1f);
    }

    @Property(tries = TRIES)
    void addChannelBiasAgrees(@ForAll @IntRange(min = 1, max = 40) int channels, @ForAll("planeSizes") int planeSize,
                              @ForAll boolean specials, @ForAll Palette palette, @ForAll long seed) {
        checkAddChannelBias(channels, planeSize, specials, palette, seed);
    }

    @Property(tries = TRIES)
    void addChannelSumsAgrees(@ForAll @IntRange(min = 1, max = 40) int channels, @ForAll("planeSizes") int planeSize,
                              @ForAll Palette palette, @ForAll long seed) {
        checkAddChannelSums(channels, planeSize, palette, seed);
    }

    @Property(tries = TRIES)
    void reluForwardAgrees(@ForAll("lengths") int n, @ForAll boolean specials, @ForAll boolean inPlace,
                           @ForAll Palette palette, @ForAll long seed) {
        checkReluForward(n, specials, inPlace, palette, seed);
    }

    @Property(tries = TRIES)
    void reluBackwardAgrees(@ForAll("lengths") int n, @ForAll boolean specials, @ForAll Palette palette,
                            @ForAll long seed) {
        checkReluBackward(n, specials, palette, seed);
    }

    @Property(tries = TRIES)
    void addIntoAgrees(@ForAll("lengths") int n, @ForAll @IntRange(min = 0, max = 40) int from,
                       @ForAll boolean specials, @ForAll Palette palette, @ForAll long seed) {
        checkAddInto(Math.min(from, n), n, specials, palette, seed);
    }

    @Property(tries = TRIES)
    void momentumUpdateAgrees(@ForAll("lengths") int n, @ForAll @IntRange(min = 0, max = 40) int from,
                              @ForAll("learningRates") float lr,
                              @ForAll("momenta") float momentum, @ForAll("gradScales") float gradScale,
                              @ForAll boolean specials, @ForAll Palette palette, @ForAll long seed) {
        checkMomentum(Math.min(from, n), n, lr, momentum, gradScale, specials, palette, seed);
    }

    // the trainer updates a large parameter in pieces, on whichever thread claims each: the same bits
    @Property(tries = TRIES)
    void momentumUpdateInPiecesIsTheWholeUpdate(@ForAll("lengths") int n, @ForAll long seed) {
        Random random = new Random(seed);
        float[] params = draw(random, Palette.MIXED, n, false);
        float[] velocity = draw(random, Palette.MIXED, n, false);
        float[] grads = draw(random, Palette.MIXED, n, false);
        int cut1 = random.nextInt(n + 1);
        int cut2 = cut1 + random.nextInt(n - cut1 + 1);
        String context = kernels.context("sgdMomentumUpdate in pieces", "N=" + n + " cuts " + cut1 + ", " + cut2);
        float[] wholeParams = params.clone();
        float[] wholeVelocity = velocity.clone();
        float[] piecesParams = params.clone();
        float[] piecesVelocity = velocity.clone();
        kernels.onVector(context, vector -> {
            vector.sgdMomentumUpdate(wholeParams, wholeVelocity, grads, 0, n, 0.05f, 0.9f, 0.125f);
            vector.sgdMomentumUpdate(piecesParams, piecesVelocity, grads, cut2, n, 0.05f, 0.9f, 0.125f);
            vector.sgdMomentumUpdate(piecesParams, piecesVelocity, grads, 0, cut1, 0.05f, 0.9f, 0.125f);
            vector.sgdMomentumUpdate(piecesParams, piecesVelocity, grads, cut1, cut2, 0.05f, 0.9f, 0.125f);
        });
        Agreement.exactlyUpToNaNBits(context, "velocity", Layout.of("k", n), piecesVelocity, wholeVelocity);
        Agreement.exactlyUpToNaNBits(context, "params", Layout.of("k", n), piecesParams, wholeParams);
    }

    // up to three NaNs or infinities anywhere in the array, before from too (to be passed over)
    @Property(tries = TRIES)
    void firstNonFiniteAgrees(@ForAll("lengths") int n, @ForAll @IntRange(min = 0, max = 40) int from,
                              @ForAll @IntRange(min = 0, max = 3) int planted, @ForAll Palette palette,
                              @ForAll long seed) {
        Random random = new Random(seed);
        float[] values = palette.fill(random, n);
        for (int k = 0; k < planted; k++) {
            values[random.nextInt(n)] = NON_FINITE[random.nextInt(NON_FINITE.length)];
        }
        checkFirstNonFinite(values, Math.min(from, n), n, palette + " planted=" + planted);
    }

    // one bad value in every position in turn, in every lane of the vectors and of the tail
    @Example
    void firstNonFiniteFindsABadValueInEveryPosition() {
        for (int n : new int[] {kernels.lanes - 1, kernels.lanes, 3 * kernels.lanes + 5}) {
            for (int from : new int[] {0, 1, 3}) {
                for (int bad = 0; bad < n; bad++) {
                    float[] values = Palette.MIXED.fill(new Random(n + bad), n);
                    values[bad] = NON_FINITE[bad % NON_FINITE.length];
                    int found = checkFirstNonFinite(values, Math.min(from, n), n, "bad at " + bad);
                    if (found != (bad >= from ? bad : -1)) {
                        fail("firstNonFinite from=" + from + " to=" + n + ": found " + found + " for a bad value at " + bad);
                    }
                }
            }
        }
    }

    // the deep network's conv activations (16 of 26x26, 32 of 11x11) and the seed's (8 of 13x13)
    @Example
    void channelKernelsAgreeOnRealShapes() {
        int[][] shapes = {{16, 26 * 26}, {32, 11 * 11}, {8, 13 * 13}, {8, 26 * 26}};
        for (Palette palette : Palette.values()) {
            for (int[] shape : shapes) {
                checkAddChannelBias(shape[0], shape[1], false, palette, shape[1]);
                checkAddChannelBias(shape[0], shape[1], true, palette, shape[1]);
                checkAddChannelSums(shape[0], shape[1], palette, shape[1]);
            }
        }
    }

    @Example
    void flatKernelsAgreeOnRealLengths() {
        for (Palette palette : Palette.values()) {
            for (int n : REAL_LENGTHS) {
                for (boolean specials : new boolean[] {false, true}) {
                    checkReluForward(n, specials, false, palette, n);
                    checkReluForward(n, specials, true, palette, n);
                    checkReluBackward(n, specials, palette, n);
                    checkAddInto(0, n, specials, palette, n);
                    checkMomentum(0, n, 0.01f, 0.9f, 1f / 32, specials, palette, n);
                }
            }
        }
    }

    // Math.max(-0f, 0f) is 0f and Math.max(NaN, 0f) is NaN; every special value in every lane position
    @Example
    void reluForwardKeepsNaNAndTurnsNegativeZeroIntoZero() {
        for (float special : SPECIALS) {
            for (int n : new int[] {kernels.lanes, kernels.lanes + 1, 2 * kernels.lanes + 3}) {
                for (int at = 0; at < n; at++) {
                    float[] in = Palette.MIXED.fill(new Random(31L * n + at), n);
                    in[at] = special;
                    compareReluForward(in, n, false);
                }
            }
        }
    }

    private void checkAddChannelBias(int channels, int planeSize, boolean specials, Palette palette, long seed) {
        Random random = new Random(seed);
        float[] values = draw(random, palette, channels * planeSize, specials);
        float[] bias = draw(random, palette, channels, specials);
        String context = kernels.context("addChannelBias", "C=" + channels + " P=" + planeSize + specialsNote(specials));
        float[] scalarValues = Padded.inOut(values);
        float[] vectorValues = Padded.inOut(values);
        kernels.scalar.addChannelBias(scalarValues, channels, planeSize, bias);
        kernels.onVector(context, vector -> vector.addChannelBias(vectorValues, channels, planeSize, bias));

        Agreement.exactlyUpToNaNBits(context, "values", Layout.of("c,p", channels, planeSize), vectorValues, scalarValues);
        Padded.assertUntouchedPast(context, "values", vectorValues, channels * planeSize);
    }

    private void checkAddChannelSums(int channels, int planeSize, Palette palette, long seed) {
        Random random = new Random(seed);
        float[] dOut = palette.fill(random, channels * planeSize);
        float[] dBias = palette.fill(random, channels);
        String context = kernels.context("addChannelSums", "C=" + channels + " P=" + planeSize);
        float[] scalarDBias = Padded.inOut(dBias);
        float[] vectorDBias = Padded.inOut(dBias);
        kernels.scalar.addChannelSums(dOut, channels, planeSize, scalarDBias);
        kernels.onVector(context, vector -> vector.addChannelSums(dOut, channels, planeSize, vectorDBias));

        // dBias[c] plus the P values of its plane
        float[] absSums = new float[channels];
        for (int c = 0; c < channels; c++) {
            double sum = Math.abs(dBias[c]);
            for (int p = 0; p < planeSize; p++) {
                sum += Math.abs(dOut[c * planeSize + p]);
            }
            absSums[c] = (float) sum;
        }
        Agreement.sums(context, "dBias", Layout.of("c", channels), vectorDBias, scalarDBias, absSums, planeSize + 1);
        Padded.assertUntouchedPast(context, "dBias", vectorDBias, channels);
        // and bit for bit in the order the vector kernel states, which the bound above cannot tell
        // from another pairing of the lanes
        float[] inLaneOrder = new float[channels];
        for (int c = 0; c < channels; c++) {
            inLaneOrder[c] = dBias[c] + channelSumInLaneOrder(dOut, c * planeSize, planeSize, kernels.lanes);
        }
        Agreement.exactlyUpToNaNBits(context, "dBias (lane order)", Layout.of("c", channels), vectorDBias, inLaneOrder);
    }

    // One plane's sum as ElementwiseVectorKernels.addChannelSums adds it with L lanes, in scalar floats:
    // two accumulators of L lanes take turns over the blocks of L values (lane i holds positions
    // i, i + 2L, ... and i + L, i + 3L, ...), the shifted last vector's new lanes go to the second, the
    // two are added lane by lane, then the lanes pairwise as sumStoredLanes adds them (halving the
    // width: lane n += lane n + width). Planes of fewer than L values are summed in order
    private static float channelSumInLaneOrder(float[] dOut, int plane, int planeSize, int lanes) {
        if (planeSize < lanes) {
            float sum = 0f;
            for (int p = 0; p < planeSize; p++) {
                sum += dOut[plane + p];
            }
            return sum;
        }
        float[] s0 = new float[lanes];
        float[] s1 = new float[lanes];
        int bound = planeSize / lanes * lanes;
        int pairBound = bound - bound % (2 * lanes);
        int p = 0;
        for (; p < pairBound; p += 2 * lanes) {
            for (int i = 0; i < lanes; i++) {
                s0[i] = dOut[plane + p + i] + s0[i];
                s1[i] = dOut[plane + p + lanes + i] + s1[i];
            }
        }
        if (p < bound) {
            for (int i = 0; i < lanes; i++) {
                s0[i] = dOut[plane + p + i] + s0[i];
            }
        }
        if (bound < planeSize) {
            int last = planeSize - lanes;
            for (int i = 0; i < lanes; i++) {
                s1[i] = (last + i >= bound ? dOut[plane + last + i] : 0f) + s1[i];
            }
        }
        for (int i = 0; i < lanes; i++) {
            s0[i] += s1[i];
        }
        for (int width = lanes / 2; width > 0; width /= 2) {
            for (int n = 0; n < width; n++) {
                s0[n] += s0[n + width];
            }
        }
        return s0[0];
    }

    private void checkReluForward(int n, boolean specials, boolean inPlace, Palette palette, long seed) {
        compareReluForward(draw(new Random(seed), palette, n, specials), n, inPlace);
    }

    // inPlace: out is in, as a layer that keeps no pre-activation would call it
    private void compareReluForward(float[] in, int n, boolean inPlace) {
        String context = kernels.context("reluForward", "N=" + n + (inPlace ? " in place" : ""));
        float[] scalarOut = Padded.output(n);
        kernels.scalar.reluForward(in, n, scalarOut);
        float[] vectorOut;
        if (inPlace) {
            float[] both = Padded.inOut(in);
            kernels.onVector(context, vector -> vector.reluForward(both, n, both));
            vectorOut = both;
        } else {
            float[] out = Padded.output(n);
            kernels.onVector(context, vector -> vector.reluForward(in, n, out));
            vectorOut = out;
        }
        Agreement.exactlyUpToNaNBits(context, "out", Layout.of("k", n), vectorOut, scalarOut);
        Padded.assertUntouchedPast(context, "out", vectorOut, n);
    }

    private void checkReluBackward(int n, boolean specials, Palette palette, long seed) {
        Random random = new Random(seed);
        float[] dOut = draw(random, palette, n, specials);
        float[] out = draw(random, palette, n, specials);
        String context = kernels.context("reluBackward", "N=" + n + specialsNote(specials));
        float[] scalarDIn = Padded.output(n);
        float[] vectorDIn = Padded.output(n);
        kernels.scalar.reluBackward(dOut, out, n, scalarDIn);
        kernels.onVector(context, vector -> vector.reluBackward(dOut, out, n, vectorDIn));

        Agreement.exactlyUpToNaNBits(context, "dIn", Layout.of("k", n), vectorDIn, scalarDIn);
        Padded.assertUntouchedPast(context, "dIn", vectorDIn, n);
    }

    // the sum over [from, n) of arrays of n; the elements before from must keep their values
    private void checkAddInto(int from, int n, boolean specials, Palette palette, long seed) {
        Random random = new Random(seed);
        float[] sums = draw(random, palette, n, specials);
        float[] values = draw(random, palette, n, specials);
        String context = kernels.context("addInto", "from=" + from + " to=" + n + specialsNote(specials));
        float[] scalarSums = Padded.inOut(sums);
        float[] vectorSums = Padded.inOut(sums);
        kernels.scalar.addInto(scalarSums, values, from, n);
        kernels.onVector(context, vector -> vector.addInto(vectorSums, values, from, n));

        Agreement.exactlyUpToNaNBits(context, "sums", Layout.of("k", n), vectorSums, scalarSums);
        Padded.assertUntouchedPast(context, "sums", vectorSums, n);
        for (int k = 0; k < from; k++) {
            if (Float.floatToRawIntBits(vectorSums[k]) != Float.floatToRawIntBits(sums[k])) {
                fail(context + ": changed element " + k + ", before the piece");
            }
        }
    }

    // the update of [from, n) of arrays of n; the elements before from must keep their values
    private void checkMomentum(int from, int n, float lr, float momentum, float gradScale, boolean specials,
                               Palette palette, long seed) {
        Random random = new Random(seed);
        float[] params = draw(random, palette, n, specials);
        float[] velocity = draw(random, palette, n, specials);
        float[] grads = draw(random, palette, n, specials);
        String context = kernels.context("sgdMomentumUpdate", "from=" + from + " to=" + n + " lr=" + lr
                + " momentum=" + momentum + " gradScale=" + gradScale + specialsNote(specials));
        float[] scalarParams = Padded.inOut(params);
        float[] vectorParams = Padded.inOut(params);
        float[] scalarVelocity = Padded.inOut(velocity);
        float[] vectorVelocity = Padded.inOut(velocity);
        kernels.scalar.sgdMomentumUpdate(scalarParams, scalarVelocity, grads, from, n, lr, momentum, gradScale);
        kernels.onVector(context, vector -> vector.sgdMomentumUpdate(
                vectorParams, vectorVelocity, grads, from, n, lr, momentum, gradScale));

        Agreement.exactlyUpToNaNBits(context, "velocity", Layout.of("k", n), vectorVelocity, scalarVelocity);
        Padded.assertUntouchedPast(context, "velocity", vectorVelocity, n);
        Agreement.exactlyUpToNaNBits(context, "params", Layout.of("k", n), vectorParams, scalarParams);
        Padded.assertUntouchedPast(context, "params", vectorParams, n);
        for (int k = 0; k < from; k++) {
            if (Float.floatToRawIntBits(vectorParams[k]) != Float.floatToRawIntBits(params[k])
                    || Float.floatToRawIntBits(vectorVelocity[k]) != Float.floatToRawIntBits(velocity[k])) {
                fail(context + ": changed element " + k + ", before the piece");
            }
        }
    }

    // the index the vector kernel finds in [from, n) of values must be the reference's, which it returns
    private int checkFirstNonFinite(float[] values, int from, int n, String note) {
        String context = kernels.context("firstNonFinite", "from=" + from + " to=" + n + " " + note);
        int scalarFirst = kernels.scalar.firstNonFinite(values, from, n);
        int[] vectorFirst = new int[1];
        kernels.onVector(context, vector -> vectorFirst[0] = vector.firstNonFinite(values, from, n));
        if (vectorFirst[0] != scalarFirst) {
            fail(context + ": vector found " + vectorFirst[0] + ", scalar " + scalarFirst);
        }
        return scalarFirst;
    }

    // n values from the palette; with specials, about one in eight replaced by NaN, +-0, +-inf or +-MIN_VALUE
    private static float[] draw(Random random, Palette palette, int n, boolean specials) {
        float[] values = palette.fill(random, n);
        if (specials) {
            for (int k = 0; k < n; k++) {
                if (random.nextInt(8) == 0) {
                    values[k] = SPECIALS[random.nextInt(SPECIALS.length)];
                }
            }
        }
        return values;
    }

    private static String specialsNote(boolean specials) {
        return specials ? " with NaN/inf/-0" : "";
    }
}
