package dev.vcnn.engine.kernels;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.util.Arrays;
import java.util.Random;

import static dev.vcnn.engine.kernels.Tolerance.magnitudes;

/**
 * The dense layer over a group of samples. Its contract makes batching invisible to training: each
 * implementation's batch call gives, bit for bit, what its per-sample kernel gives when called for
 * s = 0, 1, ..., S-1 in turn (every logits and dx row; dWeights and dBiases added to sample after
 * sample). So the properties check, for the vector and the scalar kernels alike, batch against that
 * per-sample loop exactly, and then vector batch against scalar batch as the per-sample properties
 * do: sums within {@link Tolerance}, dWeights and dBiases exactly.
 *
 * <p>Sample counts run 1..9 around the register block of four, plus larger ones; inputs straddle the
 * lane count (shorter than a vector, leftover blocks, shifted tails) up to 40 or 3L + 4, plus 127..129
 * and the deep network's 800; outputs 1..20 (around the kernels' blocks of four and two) and 128.
 * dWeights and dBiases start nonzero, as earlier gradients of the batch; when the call does not
 * accumulate, they start as NaNs, so that a lane that reads them instead of starting from zero shows,
 * and the per-sample loop that defines the result starts from zeros. Values are distinct Gaussians
 * at mixed scales, so a term taken from the wrong sample, lane or block changes the bits, or a
 * {@link Palette}.
 */
@AddLifecycleHook(SkipUnlessVectors.class)
class DenseBatchKernelsPropertiesTest {
    private static final int TRIES = 300;

    private final KernelPair kernels = KernelPair.get();

    /** How a batch's arrays are filled. */
    enum Fill {
        /** Gaussian values times 2^-3..2^3: every value distinct, every sum rounds. */
        DISTINCT,
        /** {@link Palette#TIES}: exact sums, and zeros of both signs. */
        TIES,
        /** {@link Palette#MIXED}: zeros, runs of equal values, rare large magnitudes. */
        MIXED;

        float[] fill(Random random, int n) {
            return switch (this) {
                case TIES -> Palette.TIES.fill(random, n);
                case MIXED -> Palette.MIXED.fill(random, n);
                case DISTINCT -> {
                    float[] values = new float[n];
                    for (int k = 0; k < n; k++) {
                        values[k] = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(7) - 3));
                    }
                    yield values;
                }
            };
        }
    }

    /**
     * A group of samples through one dense layer: x [S][I], weights [O][I], biases [O], dLogits [S][O],
     * and the dWeights [O][I] and dBiases [O] the backward adds to.
     */
    private record Batch(int samples, int inputs, int outputs, float[] x, float[] weights, float[] biases,
                         float[] dLogits, float[] dWeights, float[] dBiases, Fill fill) {
        static Batch draw(int samples, int inputs, int outputs, Fill fill, long seed) {
            Random random = new Random(seed);
            return new Batch(samples, inputs, outputs, fill.fill(random, samples * inputs),
                    fill.fill(random, outputs * inputs), fill.fill(random, outputs),
                    fill.fill(random, samples * outputs), fill.fill(random, outputs * inputs),
                    fill.fill(random, outputs), fill);
        }

        Layout logitsShape() {
            return Layout.of("s,o", samples, outputs);
        }

        Layout inputShape() {
            return Layout.of("s,i", samples, inputs);
        }

        Layout weightShape() {
            return Layout.of("o,i", outputs, inputs);
        }

        @Override
        public String toString() {
            return "S=" + samples + " I=" + inputs + " O=" + outputs + " " + fill;
        }
    }

    /** What a backward leaves: dx (null when skipped), dWeights and dBiases, each padded past its end. */
    private record Gradients(float[] dx, float[] dWeights, float[] dBiases) {
    }

    @Provide
    Arbitrary<Integer> sampleCounts() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(1, 9)),
                Tuple.of(1, Arbitraries.of(12, 16, 31, 32, 33)));
    }

    @Provide
    Arbitrary<Integer> inputCounts() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, TailSizes.around(kernels.lanes, 1, Math.max(40, TailSizes.maxRowWidth(kernels.lanes)))),
                Tuple.of(1, Arbitraries.of(127, 128, 129, 800)));
    }

    @Provide
    Arbitrary<Integer> outputCounts() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(1, 20)),
                Tuple.of(1, Arbitraries.just(128)));
    }

    @Property(tries = TRIES)
    void vectorForwardBatchIsThePerSampleLoopBitForBit(@ForAll("sampleCounts") int samples,
                                                       @ForAll("inputCounts") int inputs,
                                                       @ForAll("outputCounts") int outputs,
                                                       @ForAll Fill fill, @ForAll long seed) {
        checkForwardIsPerSample(kernels.vector, Batch.draw(samples, inputs, outputs, fill, seed));
    }

    @Property(tries = TRIES)
    void vectorBackwardBatchIsThePerSampleLoopBitForBit(@ForAll("sampleCounts") int samples,
                                                        @ForAll("inputCounts") int inputs,
                                                        @ForAll("outputCounts") int outputs,
                                                        @ForAll boolean withInputGradient,
                                                        @ForAll boolean accumulate,
                                                        @ForAll Fill fill, @ForAll long seed) {
        checkBackwardIsPerSample(kernels.vector, Batch.draw(samples, inputs, outputs, fill, seed), withInputGradient,
                accumulate);
    }

    @Property(tries = TRIES)
    void scalarForwardBatchIsThePerSampleLoopBitForBit(@ForAll("sampleCounts") int samples,
                                                       @ForAll("inputCounts") int inputs,
                                                       @ForAll("outputCounts") int outputs,
                                                       @ForAll Fill fill, @ForAll long seed) {
        checkForwardIsPerSample(kernels.scalar, Batch.draw(samples, inputs, outputs, fill, seed));
    }

    @Property(tries = TRIES)
    void scalarBackwardBatchIsThePerSampleLoopBitForBit(@ForAll("sampleCounts") int samples,
                                                        @ForAll("inputCounts") int inputs,
                                                        @ForAll("outputCounts") int outputs,
                                                        @ForAll boolean withInputGradient,
                                                        @ForAll boolean accumulate,
                                                        @ForAll Fill fill, @ForAll long seed) {
        checkBackwardIsPerSample(kernels.scalar, Batch.draw(samples, inputs, outputs, fill, seed), withInputGradient,
                accumulate);
    }

    @Property(tries = TRIES)
    void forwardBatchAgrees(@ForAll("sampleCounts") int samples, @ForAll("inputCounts") int inputs,
                            @ForAll("outputCounts") int outputs, @ForAll Fill fill, @ForAll long seed) {
        checkForwardAgrees(Batch.draw(samples, inputs, outputs, fill, seed));
    }

    @Property(tries = TRIES)
    void backwardBatchAgrees(@ForAll("sampleCounts") int samples, @ForAll("inputCounts") int inputs,
                             @ForAll("outputCounts") int outputs, @ForAll boolean withInputGradient,
                             @ForAll boolean accumulate, @ForAll Fill fill, @ForAll long seed) {
        checkBackwardAgrees(Batch.draw(samples, inputs, outputs, fill, seed), withInputGradient, accumulate);
    }

    @Property(tries = TRIES)
    void weightGradientShardsIsTheShardsSumsAlongTheTree(@ForAll("sampleCounts") int samples,
                                                         @ForAll("shardSizes") int shardSize,
                                                         @ForAll("inputCounts") int inputs,
                                                         @ForAll("outputCounts") int outputs,
                                                         @ForAll Fill fill, @ForAll long seed) {
        Batch b = Batch.draw(samples, inputs, outputs, fill, seed);
        Random random = new Random(seed ^ 0x5eed);
        int fromRow = random.nextInt(outputs);
        int toRow = fromRow + 1 + random.nextInt(outputs - fromRow);
        float[] scalar = checkWeightGradientShards(kernels.scalar, b, shardSize, fromRow, toRow);
        float[] vector = checkWeightGradientShards(kernels.vector, b, shardSize, fromRow, toRow);
        Agreement.exactly(kernels.context("denseWeightGradientShards", b + " shards of " + shardSize + " rows "
                + fromRow + ".." + toRow), "dWeights", b.weightShape(), vector, scalar);
    }

    @Provide
    Arbitrary<Integer> shardSizes() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(1, 9)),
                Tuple.of(1, Arbitraries.of(13, 32)));
    }

    // k's denseWeightGradientShards against its own per-sample-checked denseBackwardBatch run on each
    // shard onto zero, the shards' sums then added along the tree with addInto: rows [fromRow, toRow)
    // bit for bit, the other rows (NaNs here) and the padding untouched
    private float[] checkWeightGradientShards(Kernels k, Batch b, int shardSize, int fromRow, int toRow) {
        String context = context(k, "denseWeightGradientShards", b) + " shards of " + shardSize + " rows "
                + fromRow + ".." + toRow;
        int shards = (b.samples + shardSize - 1) / shardSize;
        float[][] sums = new float[shards][];
        for (int shard = 0; shard < shards; shard++) {
            int first = shard * shardSize;
            int count = Math.min(b.samples, first + shardSize) - first;
            float[] x = Arrays.copyOfRange(b.x, first * b.inputs, (first + count) * b.inputs);
            float[] dLogits = Arrays.copyOfRange(b.dLogits, first * b.outputs, (first + count) * b.outputs);
            sums[shard] = new float[b.weights.length];
            k.denseBackwardBatch(x, count, b.inputs, b.weights, b.outputs, dLogits, null, sums[shard],
                    new float[b.outputs], false);
        }
        for (int stride = 1; stride < shards; stride *= 2) {
            for (int shard = 0; shard + stride < shards; shard += 2 * stride) {
                k.addInto(sums[shard], sums[shard + stride], 0, b.weights.length);
            }
        }
        float[] expected = Padded.output(b.weights.length);
        System.arraycopy(sums[0], fromRow * b.inputs, expected, fromRow * b.inputs, (toRow - fromRow) * b.inputs);
        float[] x = b.x.clone();
        float[] dLogits = b.dLogits.clone();
        float[] dWeights = Padded.output(b.weights.length);
        call(context, () -> k.denseWeightGradientShards(x, dLogits, b.samples, shardSize, b.inputs, b.outputs,
                fromRow, toRow, dWeights));
        Agreement.exactly(context, "x (read only)", b.inputShape(), x, b.x);
        Agreement.exactly(context, "dLogits (read only)", b.logitsShape(), dLogits, b.dLogits);
        Agreement.exactly(context, "dWeights", b.weightShape(), "by shards", dWeights, "shard by shard", expected);
        Padded.assertUntouchedPast(context, "dWeights", dWeights, b.weights.length);
        return dWeights;
    }

    // the deep network's dense layers, 800 -> 128 and 128 -> 10, in a group of 32 (the bench's), in
    // one block of four, and in blocks of four with one sample left over
    @Example
    void allHoldOnTheDeepNetworksShapes() {
        int[][] shapes = {{800, 128}, {128, 10}};
        for (int samples : new int[] {1, 4, 5, 32}) {
            for (int[] shape : shapes) {
                Batch batch = Batch.draw(samples, shape[0], shape[1], Fill.DISTINCT, 31L * samples + shape[0]);
                for (Kernels k : new Kernels[] {kernels.vector, kernels.scalar}) {
                    checkForwardIsPerSample(k, batch);
                    checkBackwardIsPerSample(k, batch, true, true);
                    checkBackwardIsPerSample(k, batch, false, true);
                    checkBackwardIsPerSample(k, batch, true, false);
                }
                checkForwardAgrees(batch);
                checkBackwardAgrees(batch, true, true);
                checkBackwardAgrees(batch, true, false);
            }
        }
    }

    private String context(Kernels k, String kernel, Batch b) {
        return k == kernels.vector ? kernels.context(kernel, b.toString()) : "scalar " + kernel + " " + b;
    }

    private void checkForwardIsPerSample(Kernels k, Batch b) {
        String context = context(k, "denseForwardBatch", b);
        float[] batch = forwardBatch(k, b, context);
        float[] perSample = forwardPerSample(k, b);
        Agreement.exactly(context, "logits", b.logitsShape(), "batch", batch, "per-sample", perSample);
        Padded.assertUntouchedPast(context, "logits", batch, b.samples * b.outputs);
    }

    private void checkBackwardIsPerSample(Kernels k, Batch b, boolean withInputGradient, boolean accumulate) {
        String context = context(k, "denseBackwardBatch", b) + (withInputGradient ? " with dx" : " dx=null")
                + (accumulate ? " accumulating" : " on zeros");
        Gradients batch = backwardBatch(k, b, withInputGradient, accumulate, context);
        Gradients perSample = backwardPerSample(k, b, withInputGradient, accumulate);
        if (withInputGradient) {
            Agreement.exactly(context, "dx", b.inputShape(), "batch", batch.dx, "per-sample", perSample.dx);
            Padded.assertUntouchedPast(context, "dx", batch.dx, b.samples * b.inputs);
        }
        Agreement.exactly(context, "dWeights", b.weightShape(), "batch", batch.dWeights, "per-sample",
                perSample.dWeights);
        Padded.assertUntouchedPast(context, "dWeights", batch.dWeights, b.weights.length);
        Agreement.exactly(context, "dBiases", Layout.of("o", b.outputs), "batch", batch.dBiases, "per-sample",
                perSample.dBiases);
        Padded.assertUntouchedPast(context, "dBiases", batch.dBiases, b.outputs);
    }

    private void checkForwardAgrees(Batch b) {
        String context = kernels.context("denseForwardBatch", b.toString());
        float[] vector = forwardBatch(kernels.vector, b, context);
        float[] scalar = forwardBatch(kernels.scalar, b, context);
        // each logit is a sum of I products and the bias
        float[] absSums = new float[b.samples * b.outputs];
        kernels.scalar.denseForwardBatch(magnitudes(b.x), b.samples, b.inputs, magnitudes(b.weights),
                magnitudes(b.biases), b.outputs, absSums);
        Agreement.sums(context, "logits", b.logitsShape(), vector, scalar, absSums, b.inputs + 1);
    }

    private void checkBackwardAgrees(Batch b, boolean withInputGradient, boolean accumulate) {
        String context = kernels.context("denseBackwardBatch", b + (withInputGradient ? " with dx" : " dx=null")
                + (accumulate ? " accumulating" : " on zeros"));
        Gradients vector = backwardBatch(kernels.vector, b, withInputGradient, accumulate, context);
        Gradients scalar = backwardBatch(kernels.scalar, b, withInputGradient, accumulate, context);
        if (withInputGradient) {
            // dx[s][i] = sum_o weights[o][i] * dLogits[s][o]
            float[] absSums = new float[b.samples * b.inputs];
            for (int s = 0; s < b.samples; s++) {
                for (int i = 0; i < b.inputs; i++) {
                    double sum = 0;
                    for (int o = 0; o < b.outputs; o++) {
                        sum += Math.abs((double) b.weights[o * b.inputs + i] * b.dLogits[s * b.outputs + o]);
                    }
                    absSums[s * b.inputs + i] = (float) sum;
                }
            }
            Agreement.sums(context, "dx", b.inputShape(), vector.dx, scalar.dx, absSums, b.outputs);
        }
        // every dWeights and dBiases element gets the same products added in the same order: a mul
        // then an add on both sides, never an FMA
        Agreement.exactly(context, "dWeights", b.weightShape(), vector.dWeights, scalar.dWeights);
        Agreement.exactly(context, "dBiases", Layout.of("o", b.outputs), vector.dBiases, scalar.dBiases);
    }

    // the batch call, on exact-size inputs (a read past them throws) and padded outputs; the inputs
    // must come back unchanged
    private float[] forwardBatch(Kernels k, Batch b, String context) {
        float[] x = b.x.clone();
        float[] weights = b.weights.clone();
        float[] biases = b.biases.clone();
        float[] logits = Padded.output(b.samples * b.outputs);
        call(context, () -> k.denseForwardBatch(x, b.samples, b.inputs, weights, biases, b.outputs, logits));
        Agreement.exactly(context, "x (read only)", b.inputShape(), x, b.x);
        Agreement.exactly(context, "weights (read only)", b.weightShape(), weights, b.weights);
        Agreement.exactly(context, "biases (read only)", Layout.of("o", b.outputs), biases, b.biases);
        return logits;
    }

    // denseForward on each sample's row in turn, the rows copied out and the logits copied back
    private static float[] forwardPerSample(Kernels k, Batch b) {
        float[] logits = Padded.output(b.samples * b.outputs);
        float[] out = new float[b.outputs];
        for (int s = 0; s < b.samples; s++) {
            float[] row = Arrays.copyOfRange(b.x, s * b.inputs, (s + 1) * b.inputs);
            k.denseForward(row, b.inputs, b.weights, b.biases, b.outputs, out);
            System.arraycopy(out, 0, logits, s * b.outputs, b.outputs);
        }
        return logits;
    }

    // not accumulating, the gradients start as NaNs the kernel must overwrite without reading
    private Gradients backwardBatch(Kernels k, Batch b, boolean withInputGradient, boolean accumulate,
                                    String context) {
        float[] x = b.x.clone();
        float[] weights = b.weights.clone();
        float[] dLogits = b.dLogits.clone();
        float[] dx = withInputGradient ? Padded.output(b.samples * b.inputs) : null;
        float[] dWeights = accumulate ? Padded.inOut(b.dWeights) : Padded.output(b.dWeights.length);
        float[] dBiases = accumulate ? Padded.inOut(b.dBiases) : Padded.output(b.dBiases.length);
        call(context, () -> k.denseBackwardBatch(x, b.samples, b.inputs, weights, b.outputs, dLogits, dx,
                dWeights, dBiases, accumulate));
        Agreement.exactly(context, "x (read only)", b.inputShape(), x, b.x);
        Agreement.exactly(context, "weights (read only)", b.weightShape(), weights, b.weights);
        Agreement.exactly(context, "dLogits (read only)", b.logitsShape(), dLogits, b.dLogits);
        return new Gradients(dx, dWeights, dBiases);
    }

    // denseBackward on each sample in turn, adding into the same dWeights and dBiases: the batch's
    // earlier gradients, or zeros
    private static Gradients backwardPerSample(Kernels k, Batch b, boolean withInputGradient, boolean accumulate) {
        float[] dx = withInputGradient ? Padded.output(b.samples * b.inputs) : null;
        float[] dWeights = Padded.inOut(accumulate ? b.dWeights : new float[b.dWeights.length]);
        float[] dBiases = Padded.inOut(accumulate ? b.dBiases : new float[b.dBiases.length]);
        float[] dxRow = withInputGradient ? new float[b.inputs] : null;
        for (int s = 0; s < b.samples; s++) {
            float[] row = Arrays.copyOfRange(b.x, s * b.inputs, (s + 1) * b.inputs);
            float[] dRow = Arrays.copyOfRange(b.dLogits, s * b.outputs, (s + 1) * b.outputs);
            k.denseBackward(row, b.inputs, b.weights, b.outputs, dRow, dxRow, dWeights, dBiases);
            if (withInputGradient) {
                System.arraycopy(dxRow, 0, dx, s * b.inputs, b.inputs);
            }
        }
        return new Gradients(dx, dWeights, dBiases);
    }

    // an exception from the kernel (an index check, say) fails with the context, as KernelPair.onVector does
    private static void call(String context, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            throw new AssertionError(context + ": the kernel threw " + e, e);
        }
    }
}
