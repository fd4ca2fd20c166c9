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

import static dev.vcnn.engine.kernels.Tolerance.magnitudes;

/**
 * The dense layer's kernels, vector against scalar: forward, softmax, the fused backward update and
 * the batch backward, each backward with and without the input gradient. Input counts straddle the
 * lane count and reach past the seed's 1352; the seed's 1352 -> 10 layer and the deep network's
 * 800 -> 128 -> 10 are examples. The batch backward's dWeights and dBiases must agree bit for bit.
 */
@AddLifecycleHook(SkipUnlessVectors.class)
class DenseKernelsPropertiesTest {
    private static final int TRIES = 300;
    private static final int SEED_INPUTS = 13 * 13 * 8;
    private static final int SEED_CLASSES = 10;

    private final KernelPair kernels = KernelPair.get();

    /** A dense problem: x [I], weights [O][I], biases and dLogits [O], drawn from one palette. */
    private record Dense(int inputs, int outputs, float[] x, float[] weights, float[] biases, float[] dLogits) {
        static Dense draw(int inputs, int outputs, Palette palette, long seed) {
            Random random = new Random(seed);
            return new Dense(inputs, outputs, palette.fill(random, inputs), palette.fill(random, outputs * inputs),
                    palette.fill(random, outputs), palette.fill(random, outputs));
        }

        Layout weightShape() {
            return Layout.of("o,i", outputs, inputs);
        }

        @Override
        public String toString() {
            return "I=" + inputs + " O=" + outputs;
        }
    }

    @Provide
    Arbitrary<Integer> inputCounts() {
        return TailSizes.around(kernels.lanes, 1, 3000, SEED_INPUTS);
    }

    @Provide
    Arbitrary<Integer> logitCounts() {
        return TailSizes.around(kernels.lanes, 1, TailSizes.maxRowWidth(kernels.lanes), SEED_CLASSES);
    }

    // 0 leaves the weights as they were; 1 makes the update as large as the gradient
    @Provide
    Arbitrary<Float> learningRates() {
        return Arbitraries.of(0f, 0.005f, 0.01f, 0.5f, 1f);
    }

    @Property(tries = TRIES)
    void forwardAgrees(@ForAll("inputCounts") int inputs, @ForAll @IntRange(min = 2, max = 16) int outputs,
                       @ForAll Palette palette, @ForAll long seed) {
        checkForward(Dense.draw(inputs, outputs, palette, seed));
    }

    @Property(tries = TRIES)
    void softmaxAgrees(@ForAll("logitCounts") int n, @ForAll Palette palette, @ForAll long seed) {
        checkSoftmax(palette.fill(new Random(seed), n));
    }

    @Property(tries = TRIES)
    void backwardUpdateAgrees(@ForAll("inputCounts") int inputs, @ForAll @IntRange(min = 2, max = 16) int outputs,
                              @ForAll("learningRates") float lr, @ForAll boolean withInputGradient,
                              @ForAll Palette palette, @ForAll long seed) {
        checkBackwardUpdate(Dense.draw(inputs, outputs, palette, seed), lr, withInputGradient);
    }

    @Property(tries = TRIES)
    void backwardAgrees(@ForAll("inputCounts") int inputs, @ForAll @IntRange(min = 1, max = 16) int outputs,
                        @ForAll boolean withInputGradient, @ForAll Palette palette, @ForAll long seed) {
        checkBackward(Dense.draw(inputs, outputs, palette, seed), withInputGradient, palette, seed);
    }

    // the deep network's dense layers: 800 -> 128 and 128 -> 10, and the seed's 1352 -> 10
    @Example
    void backwardAgreesOnRealShapes() {
        int[][] shapes = {{800, 128}, {128, 10}, {SEED_INPUTS, SEED_CLASSES}};
        for (Palette palette : Palette.values()) {
            for (int[] shape : shapes) {
                Dense p = Dense.draw(shape[0], shape[1], palette, shape[0]);
                checkBackward(p, true, palette, shape[1]);
                checkBackward(p, false, palette, shape[1]);
            }
        }
    }

    // the seed network's layer: 13x13x8 = 1352 pooled values -> 10 classes
    @Example
    void allAgreeOnTheSeedShape() {
        for (Palette palette : Palette.values()) {
            Dense seedShape = Dense.draw(SEED_INPUTS, SEED_CLASSES, palette, SEED_INPUTS);
            checkForward(seedShape);
            checkSoftmax(palette.fill(new Random(SEED_CLASSES), SEED_CLASSES));
            checkBackwardUpdate(seedShape, 0.005f, true);
            checkBackwardUpdate(seedShape, 0.005f, false);
        }
    }

    private void checkForward(Dense p) {
        String context = kernels.context("denseForward", p.toString());
        float[] scalarLogits = Padded.output(p.outputs);
        float[] vectorLogits = Padded.output(p.outputs);
        kernels.scalar.denseForward(p.x, p.inputs, p.weights, p.biases, p.outputs, scalarLogits);
        kernels.onVector(context, vector -> vector.denseForward(
                p.x, p.inputs, p.weights, p.biases, p.outputs, vectorLogits));

        // the bias is one more term of each sum
        float[] absSums = new float[p.outputs];
        kernels.scalar.denseForward(magnitudes(p.x), p.inputs, magnitudes(p.weights), magnitudes(p.biases),
                p.outputs, absSums);
        Agreement.sums(context, "logits", Layout.of("o", p.outputs), vectorLogits, scalarLogits, absSums,
                p.inputs + 1);
        Padded.assertUntouchedPast(context, "logits", vectorLogits, p.outputs);
    }

    private void checkSoftmax(float[] logits) {
        int n = logits.length;
        String context = kernels.context("softmax", "N=" + n);
        float[] scalarProbs = Padded.output(n);
        float[] vectorProbs = Padded.output(n);
        kernels.scalar.softmax(logits, n, scalarProbs);
        kernels.onVector(context, vector -> vector.softmax(logits, n, vectorProbs));

        Agreement.probabilities(context, Layout.of("k", n), vectorProbs, scalarProbs);
        Padded.assertUntouchedPast(context, "probs", vectorProbs, n);
    }

    private void checkBackwardUpdate(Dense p, float lr, boolean withInputGradient) {
        String context = kernels.context("denseBackwardUpdate",
                p + " lr=" + lr + (withInputGradient ? " with dx" : " dx=null"));
        float[] scalarWeights = Padded.inOut(p.weights);
        float[] vectorWeights = Padded.inOut(p.weights);
        float[] scalarBiases = Padded.inOut(p.biases);
        float[] vectorBiases = Padded.inOut(p.biases);
        float[] scalarDx = withInputGradient ? Padded.output(p.inputs) : null;
        float[] vectorDx = withInputGradient ? Padded.output(p.inputs) : null;
        kernels.scalar.denseBackwardUpdate(
                p.x, p.inputs, scalarWeights, scalarBiases, p.outputs, p.dLogits, lr, scalarDx);
        kernels.onVector(context, vector -> vector.denseBackwardUpdate(
                p.x, p.inputs, vectorWeights, vectorBiases, p.outputs, p.dLogits, lr, vectorDx));

        if (withInputGradient) {
            // dx[i] = sum_o weights[o][i] * dLogits[o], with the weights from before the update
            float[] absSums = new float[p.inputs];
            for (int i = 0; i < p.inputs; i++) {
                double sum = 0;
                for (int o = 0; o < p.outputs; o++) {
                    sum += Math.abs((double) p.weights[o * p.inputs + i] * p.dLogits[o]);
                }
                absSums[i] = (float) sum;
            }
            Agreement.sums(context, "dx", Layout.of("i", p.inputs), vectorDx, scalarDx, absSums, p.outputs);
            Padded.assertUntouchedPast(context, "dx", vectorDx, p.inputs);
        }

        // each update is a two-term sum: the old value and -lr * dLogits[o] (* x[i])
        float[] weightTerms = new float[p.weights.length];
        for (int o = 0; o < p.outputs; o++) {
            for (int i = 0; i < p.inputs; i++) {
                int k = o * p.inputs + i;
                weightTerms[k] = (float) (Math.abs(p.weights[k]) + Math.abs((double) lr * p.dLogits[o] * p.x[i]));
            }
        }
        Agreement.sums(context, "weights", p.weightShape(), vectorWeights, scalarWeights, weightTerms, 2);
        Padded.assertUntouchedPast(context, "weights", vectorWeights, p.weights.length);

        float[] biasTerms = new float[p.outputs];
        for (int o = 0; o < p.outputs; o++) {
            biasTerms[o] = (float) (Math.abs(p.biases[o]) + Math.abs((double) lr * p.dLogits[o]));
        }
        Agreement.sums(context, "biases", Layout.of("o", p.outputs), vectorBiases, scalarBiases, biasTerms, 2);
        Padded.assertUntouchedPast(context, "biases", vectorBiases, p.outputs);
    }

    // dWeights and dBiases start as earlier gradients of the batch, drawn from the same palette
    private void checkBackward(Dense p, boolean withInputGradient, Palette palette, long seed) {
        String context = kernels.context("denseBackward", p + (withInputGradient ? " with dx" : " dx=null"));
        Random random = new Random(~seed);
        float[] dWeights = palette.fill(random, p.weights.length);
        float[] dBiases = palette.fill(random, p.outputs);
        float[] scalarDWeights = Padded.inOut(dWeights);
        float[] vectorDWeights = Padded.inOut(dWeights);
        float[] scalarDBiases = Padded.inOut(dBiases);
        float[] vectorDBiases = Padded.inOut(dBiases);
        float[] scalarDx = withInputGradient ? Padded.output(p.inputs) : null;
        float[] vectorDx = withInputGradient ? Padded.output(p.inputs) : null;
        float[] weights = p.weights.clone();
        kernels.scalar.denseBackward(
                p.x, p.inputs, p.weights, p.outputs, p.dLogits, scalarDx, scalarDWeights, scalarDBiases);
        kernels.onVector(context, vector -> vector.denseBackward(
                p.x, p.inputs, weights, p.outputs, p.dLogits, vectorDx, vectorDWeights, vectorDBiases));

        Agreement.exactly(context, "weights (read only)", p.weightShape(), weights, p.weights);
        if (withInputGradient) {
            // dx[i] = sum_o weights[o][i] * dLogits[o]
            float[] absSums = new float[p.inputs];
            for (int i = 0; i < p.inputs; i++) {
                double sum = 0;
                for (int o = 0; o < p.outputs; o++) {
                    sum += Math.abs((double) p.weights[o * p.inputs + i] * p.dLogits[o]);
                }
                absSums[i] = (float) sum;
            }
            Agreement.sums(context, "dx", Layout.of("i", p.inputs), vectorDx, scalarDx, absSums, p.outputs);
            Padded.assertUntouchedPast(context, "dx", vectorDx, p.inputs);
        }
        Agreement.exactly(context, "dWeights", p.weightShape(), vectorDWeights, scalarDWeights);
        Padded.assertUntouchedPast(context, "dWeights", vectorDWeights, p.weights.length);
        Agreement.exactly(context, "dBiases", Layout.of("o", p.outputs), vectorDBiases, scalarDBiases);
        Padded.assertUntouchedPast(context, "dBiases", vectorDBiases, p.outputs);
    }
}
