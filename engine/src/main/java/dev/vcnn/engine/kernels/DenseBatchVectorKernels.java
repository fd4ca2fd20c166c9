package dev.vcnn.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.util.Arrays;

import static dev.vcnn.engine.kernels.VectorSupport.FLOAT;
import static dev.vcnn.engine.kernels.VectorSupport.BIT_REVERSED;
import static dev.vcnn.engine.kernels.VectorSupport.FOLD_HIGH;
import static dev.vcnn.engine.kernels.VectorSupport.FOLD_LOW;
import static dev.vcnn.engine.kernels.VectorSupport.LANES;
import static dev.vcnn.engine.kernels.VectorSupport.SCALAR;
import static dev.vcnn.engine.kernels.VectorSupport.SCRATCH;
import static dev.vcnn.engine.kernels.VectorSupport.lanesFrom;
import static dev.vcnn.engine.kernels.VectorSupport.lanesNotYetCounted;
import static dev.vcnn.engine.kernels.VectorSupport.sumLanes;

/**
 * The dense layer over a group of S samples on the Vector API, bit for bit what the per-sample
 * kernels of {@link DenseVectorKernels} give when called for s = 0, 1, ... in turn, so that batching
 * never changes a training result. Lanes map to data as in those kernels: one vector holds inputs
 * i..i+L-1 of one row (of x, dx, weights or dWeights), a row ends in its last full vector shifted left
 * to end where the row ends, and every (sample, output) or (sample, input block) keeps the same chain
 * of operations it has there. What batching changes is only which of those chains run side by side:
 * register blocks of several samples, so that each weight vector loaded feeds several of them.
 */
final class DenseBatchVectorKernels {
    // samples per register block; the samples past the last full block go one at a time
    private static final int BLOCK = 4;

    private DenseBatchVectorKernels() {
    }

    // x [S][I]; weights [O][I]; biases [O]; logits [S][O]. Each (sample, output) is summed exactly as
    // DenseVectorKernels.denseForward sums it: a chain o0 of FMAs over the even blocks (0, 2L, ...,
    // the leftover block included), a chain o1 over the odd blocks (L, 3L, ...) and then the shifted
    // tail against x with its lanes already counted zeroed, then the lanes of o0 + o1 in sumLanes'
    // order, then the bias. The two chains are independent, so they run one after the other: a block
    // of 4 samples x 4 outputs first runs its 16 o0 chains, then its 16 o1 chains, each pass loading 4
    // weight and 4 x vectors for 16 FMAs (the per-sample kernel loads 6 for 4, and two chains per
    // (sample, output) at once left room for only 2 outputs: 12 loads for 16 FMAs, and dense1 took 88
    // instead of 70 us). Each pass leaves its chains in scratch, where the block's 16 sums are then
    // taken L at a time (sumChains). A last block of fewer than 4 outputs repeats the last output,
    // written once; samples past the last block of four go through the per-sample kernel. Inputs
    // shorter than one vector go to the reference, as there
    static void denseForwardBatch(float[] x, int samples, int inputs, float[] weights, float[] biases, int outputs,
                                  float[] logits) {
        if (inputs < LANES) {
            SCALAR.denseForwardBatch(x, samples, inputs, weights, biases, outputs, logits);
            return;
        }
        VectorSupport.Scratch scratch = SCRATCH.get();
        int blocked = samples - samples % BLOCK;
        float[] tails = null;
        if (FLOAT.loopBound(inputs) < inputs) {
            tails = scratch.denseTails(blocked * LANES);
            zeroCountedLanes(x, blocked, inputs, tails);
        }
        float[] chains = scratch.denseChains;
        float[] sums = scratch.denseSums;
        for (int s = 0; s < blocked; s += BLOCK) {
            for (int o = 0; o < outputs; o += BLOCK) {
                forwardPass(x, s, inputs, weights, outputs, o, 0, chains, 0);
                forwardPass(x, s, inputs, weights, outputs, o, LANES, chains, CHAINS * LANES);
                if (tails != null) {
                    for (int k = 0; k < BLOCK; k++) {
                        forwardTail(tails, s + k, k, inputs, weights, outputs, o, chains);
                    }
                }
                sumChains(chains, sums, scratch.lanes);
                // a loop with one exit test: with `q < BLOCK && o + q < outputs` (dense1 has 128
                // outputs, dense2 10) C2's loop predicates trapped early in a deep run and the kernel
                // was compiled 5-6 times instead of 2-3
                int width = Math.min(BLOCK, outputs - o);
                for (int k = 0; k < BLOCK; k++) {
                    int row = (s + k) * outputs;
                    for (int q = 0; q < width; q++) {
                        logits[row + o + q] = biases[o + q] + sums[BLOCK * k + q];
                    }
                }
            }
        }
        for (int s = blocked; s < samples; s++) {
            DenseVectorKernels.denseForwardRow(x, s * inputs, inputs, weights, biases, outputs, logits, s * outputs);
        }
    }

    // (sample, output) chains of a forward block: 4 x 4
    private static final int CHAINS = BLOCK * BLOCK;

    // tails [S'][L]: the last full vector of each of the first S' rows of x, its lanes already counted
    // zeroed, as the per-sample kernel's lastX
    private static void zeroCountedLanes(float[] x, int samples, int inputs, float[] tails) {
        int last = inputs - LANES;
        VectorMask<Float> fresh = lanesNotYetCounted(inputs);
        for (int s = 0; s < samples; s++) {
            FloatVector.zero(FLOAT).blend(FloatVector.fromArray(FLOAT, x, s * inputs + last), fresh)
                    .intoArray(tails, s * LANES);
        }
    }

    // One chain per (sample s+k, output o+q) over the blocks start, start + 2L, ... below loopBound(I):
    // the even blocks (o0) or the odd ones (o1). Outputs past the last repeat it. Leaves chain 4k + q at
    // chains[at + (4k + q) L]
    private static void forwardPass(float[] x, int s, int inputs, float[] weights, int outputs, int o, int start,
                                    float[] chains, int at) {
        int bound = FLOAT.loopBound(inputs);
        int x0 = s * inputs;
        int x1 = x0 + inputs;
        int x2 = x1 + inputs;
        int x3 = x2 + inputs;
        int w0 = o * inputs;
        int w1 = Math.min(o + 1, outputs - 1) * inputs;
        int w2 = Math.min(o + 2, outputs - 1) * inputs;
        int w3 = Math.min(o + 3, outputs - 1) * inputs;
        FloatVector a0 = FloatVector.zero(FLOAT), a1 = a0, a2 = a0, a3 = a0; // sample s
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;                        // s + 1
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0;                        // s + 2
        FloatVector d0 = a0, d1 = a0, d2 = a0, d3 = a0;                        // s + 3
        for (int i = start; i < bound; i += 2 * LANES) {
            FloatVector v0 = FloatVector.fromArray(FLOAT, weights, w0 + i);
            FloatVector v1 = FloatVector.fromArray(FLOAT, weights, w1 + i);
            FloatVector v2 = FloatVector.fromArray(FLOAT, weights, w2 + i);
            FloatVector v3 = FloatVector.fromArray(FLOAT, weights, w3 + i);
            FloatVector in = FloatVector.fromArray(FLOAT, x, x0 + i);
            a0 = v0.fma(in, a0);
            a1 = v1.fma(in, a1);
            a2 = v2.fma(in, a2);
            a3 = v3.fma(in, a3);
            in = FloatVector.fromArray(FLOAT, x, x1 + i);
            b0 = v0.fma(in, b0);
            b1 = v1.fma(in, b1);
            b2 = v2.fma(in, b2);
            b3 = v3.fma(in, b3);
            in = FloatVector.fromArray(FLOAT, x, x2 + i);
            c0 = v0.fma(in, c0);
            c1 = v1.fma(in, c1);
            c2 = v2.fma(in, c2);
            c3 = v3.fma(in, c3);
            in = FloatVector.fromArray(FLOAT, x, x3 + i);
            d0 = v0.fma(in, d0);
            d1 = v1.fma(in, d1);
            d2 = v2.fma(in, d2);
            d3 = v3.fma(in, d3);
        }
        a0.intoArray(chains, at);
        a1.intoArray(chains, at + LANES);
        a2.intoArray(chains, at + 2 * LANES);
        a3.intoArray(chains, at + 3 * LANES);
        b0.intoArray(chains, at + 4 * LANES);
        b1.intoArray(chains, at + 5 * LANES);
        b2.intoArray(chains, at + 6 * LANES);
        b3.intoArray(chains, at + 7 * LANES);
        c0.intoArray(chains, at + 8 * LANES);
        c1.intoArray(chains, at + 9 * LANES);
        c2.intoArray(chains, at + 10 * LANES);
        c3.intoArray(chains, at + 11 * LANES);
        d0.intoArray(chains, at + 12 * LANES);
        d1.intoArray(chains, at + 13 * LANES);
        d2.intoArray(chains, at + 14 * LANES);
        d3.intoArray(chains, at + 15 * LANES);
    }

    // Sample s (row k of the block) against outputs o..o+3: o1 += the tail (the last full vector of
    // the weight row against x's tail with its lanes already counted zeroed), as per sample
    private static void forwardTail(float[] tails, int s, int k, int inputs, float[] weights, int outputs, int o,
                                    float[] chains) {
        int last = inputs - LANES;
        FloatVector tail = FloatVector.fromArray(FLOAT, tails, s * LANES);
        for (int q = 0; q < BLOCK; q++) {
            int at = (CHAINS + BLOCK * k + q) * LANES;
            int row = Math.min(o + q, outputs - 1) * inputs;
            FloatVector.fromArray(FLOAT, weights, row + last).fma(tail, FloatVector.fromArray(FLOAT, chains, at))
                    .intoArray(chains, at);
        }
    }

    // sums[m] = the lanes of o0 + o1 of chain m, added in sumLanes' order, for the block's 16 chains.
    // Storing each vector and adding its lanes took 16 x 15 scalar adds; here L sums are taken at a
    // time: o0 + o1 as per sample, then the levels of VectorSupport's FOLD tables (16 vectors -> 8 ->
    // ... -> 16 / L vectors of L sums), and the lanes put back in chain order. The first two levels
    // run on 4 chains at a time and leave their vector in lanes[(m / 4) L...]: all 16 chains in one
    // method went past what C2 inlines, and boxed vectors
    private static void sumChains(float[] chains, float[] sums, float[] lanes) {
        if (LANES > CHAINS) {
            for (int m = 0; m < CHAINS; m++) {
                FloatVector o0 = FloatVector.fromArray(FLOAT, chains, m * LANES);
                sums[m] = sumLanes(o0.add(FloatVector.fromArray(FLOAT, chains, (CHAINS + m) * LANES)), lanes);
            }
            return;
        }
        for (int m = 0; m < CHAINS; m += 4) {
            foldFour(chains, m, lanes);
        }
        foldRest(lanes);
        // each group of L chains ends in one vector whose lane n holds chain BIT_REVERSED[n]'s sum
        for (int group = 0; group < CHAINS; group += LANES) {
            for (int n = 0; n < LANES; n++) {
                sums[group + BIT_REVERSED[n]] = lanes[group + n];
            }
        }
    }

    // o0 + o1 of chains m..m+3, then folding levels 0 and 1: one vector, at lanes[(m / 4) L...]
    private static void foldFour(float[] chains, int m, float[] lanes) {
        FloatVector low = FloatVector.fromArray(FLOAT, FOLD_LOW, 0);
        FloatVector high = FloatVector.fromArray(FLOAT, FOLD_HIGH, 0);
        int o1 = CHAINS * LANES;
        FloatVector p = FloatVector.fromArray(FLOAT, chains, m * LANES)
                .add(FloatVector.fromArray(FLOAT, chains, o1 + m * LANES));
        FloatVector q = FloatVector.fromArray(FLOAT, chains, (m + 1) * LANES)
                .add(FloatVector.fromArray(FLOAT, chains, o1 + (m + 1) * LANES));
        FloatVector r0 = low.selectFrom(p, q).add(high.selectFrom(p, q));
        p = FloatVector.fromArray(FLOAT, chains, (m + 2) * LANES)
                .add(FloatVector.fromArray(FLOAT, chains, o1 + (m + 2) * LANES));
        q = FloatVector.fromArray(FLOAT, chains, (m + 3) * LANES)
                .add(FloatVector.fromArray(FLOAT, chains, o1 + (m + 3) * LANES));
        FloatVector r1 = low.selectFrom(p, q).add(high.selectFrom(p, q));
        low = FloatVector.fromArray(FLOAT, FOLD_LOW, LANES);
        high = FloatVector.fromArray(FLOAT, FOLD_HIGH, LANES);
        low.selectFrom(r0, r1).add(high.selectFrom(r0, r1)).intoArray(lanes, m / 4 * LANES);
    }

    // the four vectors foldFour left, through the remaining levels: 16 / L vectors of L sums, in place
    private static void foldRest(float[] lanes) {
        if (LANES == 4) {
            return;
        }
        FloatVector low = FloatVector.fromArray(FLOAT, FOLD_LOW, 2 * LANES);
        FloatVector high = FloatVector.fromArray(FLOAT, FOLD_HIGH, 2 * LANES);
        FloatVector t0 = FloatVector.fromArray(FLOAT, lanes, 0);
        FloatVector t1 = FloatVector.fromArray(FLOAT, lanes, LANES);
        FloatVector t2 = FloatVector.fromArray(FLOAT, lanes, 2 * LANES);
        FloatVector t3 = FloatVector.fromArray(FLOAT, lanes, 3 * LANES);
        FloatVector u0 = low.selectFrom(t0, t1).add(high.selectFrom(t0, t1));
        FloatVector u1 = low.selectFrom(t2, t3).add(high.selectFrom(t2, t3));
        if (LANES == 8) {
            u0.intoArray(lanes, 0);
            u1.intoArray(lanes, LANES);
            return;
        }
        low = FloatVector.fromArray(FLOAT, FOLD_LOW, 3 * LANES);
        high = FloatVector.fromArray(FLOAT, FOLD_HIGH, 3 * LANES);
        low.selectFrom(u0, u1).add(high.selectFrom(u0, u1)).intoArray(lanes, 0);
    }

    // x, dx [S][I]; weights, dWeights [O][I]; dLogits [S][O]; dBiases [O]. Column by column, as the
    // per-sample kernel walks a row: pairs of blocks, the leftover block, then the shifted tail. In
    // each column dWeights comes first: each of its blocks is loaded once, gets dLogits[s][o] * x[s]
    // added for s = 0, 1, ... in turn (a mul then an add, not an FMA, as per sample: the same numbers
    // in the same order, with S times less memory traffic) and is stored once, four outputs at a
    // time (or starts from zero, not loaded, when not accumulating: the same bits as from a zeroed
    // array); a tail block keeps its lanes already counted, as per sample. Then dx: each (sample, block)
    // is an FMA chain over o from zero, as per sample, four samples at a time so that each weight
    // vector loaded feeds four chains. Not all S from one load: that takes S accumulators per block,
    // past the 32 registers, and kept in memory they cost a load and a store per FMA (eight samples at
    // a time gained 2%). The weight column (O x 2L floats) stays in L1 between the blocks of four.
    // Inputs shorter than one vector go to the reference, as per sample
    static void denseBackwardBatch(float[] x, int samples, int inputs, float[] weights, int outputs,
                                   float[] dLogits, float[] dx, float[] dWeights, float[] dBiases,
                                   boolean accumulate) {
        if (inputs < LANES) {
            SCALAR.denseBackwardBatch(x, samples, inputs, weights, outputs, dLogits, dx, dWeights, dBiases, accumulate);
            return;
        }
        int bound = FLOAT.loopBound(inputs);
        int pairBound = bound - bound % (2 * LANES);
        for (int i = 0; i < pairBound; i += 2 * LANES) {
            if (dWeights != null) {
                weightGradientPairColumn(x, samples, inputs, outputs, dLogits, dWeights, i, accumulate);
            }
            if (dx != null) {
                int s = 0;
                for (; s + BLOCK <= samples; s += BLOCK) {
                    inputGradientPairs(s, inputs, weights, outputs, dLogits, dx, i);
                }
                for (; s < samples; s++) {
                    inputGradientPair(s, inputs, weights, outputs, dLogits, dx, i);
                }
            }
        }
        if (pairBound < bound) {
            backwardColumn(x, samples, inputs, weights, outputs, dLogits, dx, dWeights, pairBound, 0, accumulate);
        }
        if (bound < inputs) {
            int last = inputs - LANES;
            backwardColumn(x, samples, inputs, weights, outputs, dLogits, dx, dWeights, last, bound - last, accumulate);
        }
        if (!accumulate) {
            Arrays.fill(dBiases, 0, outputs, 0f);
        }
        for (int s = 0; s < samples; s++) {
            for (int o = 0; o < outputs; o++) {
                dBiases[o] += dLogits[s * outputs + o];
            }
        }
    }

    // The single block at `at` of every row, new from lane `fresh` on: the leftover block (fresh = 0,
    // every lane) or the shifted tail (the lanes no block before it covered). dWeights changes only in
    // the new lanes. dx is stored whole: in the lanes already written, each sample's FMA chain over o
    // is the one the block before it ran on the same weights, so it writes the same values again
    private static void backwardColumn(float[] x, int samples, int inputs, float[] weights, int outputs,
                                       float[] dLogits, float[] dx, float[] dWeights, int at, int fresh,
                                       boolean accumulate) {
        if (dWeights != null) {
            weightGradientColumn(x, samples, inputs, outputs, dLogits, dWeights, at, fresh, accumulate);
        }
        if (dx != null) {
            int s = 0;
            for (; s + BLOCK <= samples; s += BLOCK) {
                inputGradientBlocks(s, inputs, weights, outputs, dLogits, dx, at);
            }
            for (; s < samples; s++) {
                inputGradientBlock(s, inputs, weights, outputs, dLogits, dx, at);
            }
        }
    }

    // dWeights[every o][i..i+2L): four outputs at a time, then two, then the last odd one
    private static void weightGradientPairColumn(float[] x, int samples, int inputs, int outputs, float[] dLogits,
                                                 float[] dWeights, int i, boolean accumulate) {
        int o = 0;
        for (; o + 3 < outputs; o += 4) {
            weightGradientQuads(x, samples, inputs, outputs, dLogits, dWeights, o, i, accumulate);
        }
        for (; o + 1 < outputs; o += 2) {
            weightGradientPairs(x, samples, inputs, outputs, dLogits, dWeights, o, i, accumulate);
        }
        if (o < outputs) {
            weightGradientPair(x, samples, inputs, outputs, dLogits, dWeights, o, i, accumulate);
        }
    }

    // dWeights[o..o+3][i..i+2L) += dLogits[s][o] * x[s][i..i+2L) for every sample in turn: eight add
    // chains, each x vector loaded feeding four outputs (two outputs a pass, two x loads and two
    // broadcasts for 4 muls, took dense1's weight gradient 83 us a batch of 32 instead of 54)
    private static void weightGradientQuads(float[] x, int samples, int inputs, int outputs, float[] dLogits,
                                            float[] dWeights, int o, int i, boolean accumulate) {
        int aAt = o * inputs + i;
        int bAt = aAt + inputs;
        int cAt = bAt + inputs;
        int dAt = cAt + inputs;
        FloatVector a0 = start(dWeights, aAt, accumulate);
        FloatVector a1 = start(dWeights, aAt + LANES, accumulate);
        FloatVector b0 = start(dWeights, bAt, accumulate);
        FloatVector b1 = start(dWeights, bAt + LANES, accumulate);
        FloatVector c0 = start(dWeights, cAt, accumulate);
        FloatVector c1 = start(dWeights, cAt + LANES, accumulate);
        FloatVector d0 = start(dWeights, dAt, accumulate);
        FloatVector d1 = start(dWeights, dAt + LANES, accumulate);
        for (int s = 0; s < samples; s++) {
            int xAt = s * inputs + i;
            int gAt = s * outputs + o;
            FloatVector x0 = FloatVector.fromArray(FLOAT, x, xAt);
            FloatVector x1 = FloatVector.fromArray(FLOAT, x, xAt + LANES);
            FloatVector g = FloatVector.broadcast(FLOAT, dLogits[gAt]);
            a0 = a0.add(x0.mul(g));
            a1 = a1.add(x1.mul(g));
            g = FloatVector.broadcast(FLOAT, dLogits[gAt + 1]);
            b0 = b0.add(x0.mul(g));
            b1 = b1.add(x1.mul(g));
            g = FloatVector.broadcast(FLOAT, dLogits[gAt + 2]);
            c0 = c0.add(x0.mul(g));
            c1 = c1.add(x1.mul(g));
            g = FloatVector.broadcast(FLOAT, dLogits[gAt + 3]);
            d0 = d0.add(x0.mul(g));
            d1 = d1.add(x1.mul(g));
        }
        a0.intoArray(dWeights, aAt);
        a1.intoArray(dWeights, aAt + LANES);
        b0.intoArray(dWeights, bAt);
        b1.intoArray(dWeights, bAt + LANES);
        c0.intoArray(dWeights, cAt);
        c1.intoArray(dWeights, cAt + LANES);
        d0.intoArray(dWeights, dAt);
        d1.intoArray(dWeights, dAt + LANES);
    }

    // as weightGradientQuads for two outputs o, o+1 past the last four
    private static void weightGradientPairs(float[] x, int samples, int inputs, int outputs, float[] dLogits,
                                            float[] dWeights, int o, int i, boolean accumulate) {
        int oAt = o * inputs + i;
        int pAt = oAt + inputs;
        FloatVector o0 = start(dWeights, oAt, accumulate);
        FloatVector o1 = start(dWeights, oAt + LANES, accumulate);
        FloatVector p0 = start(dWeights, pAt, accumulate);
        FloatVector p1 = start(dWeights, pAt + LANES, accumulate);
        for (int s = 0; s < samples; s++) {
            int xAt = s * inputs + i;
            FloatVector x0 = FloatVector.fromArray(FLOAT, x, xAt);
            FloatVector x1 = FloatVector.fromArray(FLOAT, x, xAt + LANES);
            FloatVector go = FloatVector.broadcast(FLOAT, dLogits[s * outputs + o]);
            FloatVector gp = FloatVector.broadcast(FLOAT, dLogits[s * outputs + o + 1]);
            o0 = o0.add(x0.mul(go));
            o1 = o1.add(x1.mul(go));
            p0 = p0.add(x0.mul(gp));
            p1 = p1.add(x1.mul(gp));
        }
        o0.intoArray(dWeights, oAt);
        o1.intoArray(dWeights, oAt + LANES);
        p0.intoArray(dWeights, pAt);
        p1.intoArray(dWeights, pAt + LANES);
    }

    // as weightGradientQuads for a last odd output o alone
    private static void weightGradientPair(float[] x, int samples, int inputs, int outputs, float[] dLogits,
                                           float[] dWeights, int o, int i, boolean accumulate) {
        int oAt = o * inputs + i;
        FloatVector o0 = start(dWeights, oAt, accumulate);
        FloatVector o1 = start(dWeights, oAt + LANES, accumulate);
        for (int s = 0; s < samples; s++) {
            int xAt = s * inputs + i;
            FloatVector g = FloatVector.broadcast(FLOAT, dLogits[s * outputs + o]);
            o0 = o0.add(FloatVector.fromArray(FLOAT, x, xAt).mul(g));
            o1 = o1.add(FloatVector.fromArray(FLOAT, x, xAt + LANES).mul(g));
        }
        o0.intoArray(dWeights, oAt);
        o1.intoArray(dWeights, oAt + LANES);
    }

    // dWeights[o][at..at+L) += dLogits[s][o] * x[s][at..at+L) for every output and every sample in
    // turn, kept only in lanes fresh..L-1 (whose sums start from zero when not accumulating: the lanes
    // below fresh are this call's own). The one method with a mask: made once, here, it stays in a
    // register (a mask made in each of several inlined methods came back boxed, 24-48 B a call)
    private static void weightGradientColumn(float[] x, int samples, int inputs, int outputs, float[] dLogits,
                                             float[] dWeights, int at, int fresh, boolean accumulate) {
        VectorMask<Float> lanes = lanesFrom(fresh);
        for (int o = 0; o < outputs; o++) {
            int wAt = o * inputs + at;
            FloatVector old = FloatVector.fromArray(FLOAT, dWeights, wAt);
            FloatVector sum = accumulate ? old : FloatVector.zero(FLOAT);
            for (int s = 0; s < samples; s++) {
                FloatVector g = FloatVector.broadcast(FLOAT, dLogits[s * outputs + o]);
                sum = sum.add(FloatVector.fromArray(FLOAT, x, s * inputs + at).mul(g));
            }
            old.blend(sum, lanes).intoArray(dWeights, wAt);
        }
    }

    // Rows [fromRow, toRow) of dWeights [O][I] from x [S][I] and dLogits [S][O], as the scalar
    // reference takes them: four rows and two vectors of columns at a time, each shard's eight chains
    // over its samples from zero (a mul then an add, as per sample; each x vector loaded feeds four
    // rows, each broadcast two columns) left in scratch, the shards' sums then added along the tree in
    // scratch, and the eight result vectors stored; then the columns left, a vector at a time, the
    // last shifted left to end where the row ends when the row is no multiple of L: its lanes hold the
    // same elements' sums, so it rewrites the overlap with the same values. Rows past the last four go
    // one at a time. Inputs shorter than one vector go to the reference
    static void denseWeightGradientShards(float[] x, float[] dLogits, int samples, int shardSize, int inputs,
                                          int outputs, int fromRow, int toRow, float[] dWeights) {
        if (inputs < LANES) {
            SCALAR.denseWeightGradientShards(x, dLogits, samples, shardSize, inputs, outputs, fromRow, toRow, dWeights);
            return;
        }
        int shards = (samples + shardSize - 1) / shardSize;
        float[] sums = SCRATCH.get().shardSums(shards * 8 * LANES); // [shard][row of four][column vector][L]
        int pairBound = inputs - inputs % (2 * LANES);
        int o = fromRow;
        for (; o + 3 < toRow; o += 4) {
            for (int i = 0; i < pairBound; i += 2 * LANES) {
                shardSumsQuadPair(x, dLogits, samples, shardSize, shards, inputs, outputs, o, i, sums);
                addShardTree(sums, shards, 8);
                for (int r = 0; r < 4; r++) {
                    FloatVector.fromArray(FLOAT, sums, 2 * r * LANES).intoArray(dWeights, (o + r) * inputs + i);
                    FloatVector.fromArray(FLOAT, sums, (2 * r + 1) * LANES)
                            .intoArray(dWeights, (o + r) * inputs + i + LANES);
                }
            }
            for (int i = pairBound; i < inputs; i += LANES) {
                int at = Math.min(i, inputs - LANES);
                shardSumsQuad(x, dLogits, samples, shardSize, shards, inputs, outputs, o, at, sums);
                addShardTree(sums, shards, 4);
                for (int r = 0; r < 4; r++) {
                    FloatVector.fromArray(FLOAT, sums, r * LANES).intoArray(dWeights, (o + r) * inputs + at);
                }
            }
        }
        for (; o < toRow; o++) {
            for (int i = 0; i < inputs; i += LANES) {
                int at = Math.min(i, inputs - LANES);
                for (int k = 0; k < shards; k++) {
                    FloatVector sum = FloatVector.zero(FLOAT);
                    for (int s = k * shardSize; s < Math.min(samples, (k + 1) * shardSize); s++) {
                        FloatVector g = FloatVector.broadcast(FLOAT, dLogits[s * outputs + o]);
                        sum = sum.add(FloatVector.fromArray(FLOAT, x, s * inputs + at).mul(g));
                    }
                    sum.intoArray(sums, k * LANES);
                }
                addShardTree(sums, shards, 1);
                FloatVector.fromArray(FLOAT, sums, 0).intoArray(dWeights, o * inputs + at);
            }
        }
    }

    // each shard's eight chains for rows o..o+3 at columns i..i+2L, into sums[shard][row][column vector]
    private static void shardSumsQuadPair(float[] x, float[] dLogits, int samples, int shardSize, int shards,
                                          int inputs, int outputs, int o, int i, float[] sums) {
        for (int k = 0; k < shards; k++) {
            FloatVector a0 = FloatVector.zero(FLOAT), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
            for (int s = k * shardSize; s < Math.min(samples, (k + 1) * shardSize); s++) {
                FloatVector x0 = FloatVector.fromArray(FLOAT, x, s * inputs + i);
                FloatVector x1 = FloatVector.fromArray(FLOAT, x, s * inputs + i + LANES);
                int g = s * outputs + o;
                FloatVector ga = FloatVector.broadcast(FLOAT, dLogits[g]);
                a0 = a0.add(x0.mul(ga));
                a1 = a1.add(x1.mul(ga));
                FloatVector gb = FloatVector.broadcast(FLOAT, dLogits[g + 1]);
                b0 = b0.add(x0.mul(gb));
                b1 = b1.add(x1.mul(gb));
                FloatVector gc = FloatVector.broadcast(FLOAT, dLogits[g + 2]);
                c0 = c0.add(x0.mul(gc));
                c1 = c1.add(x1.mul(gc));
                FloatVector gd = FloatVector.broadcast(FLOAT, dLogits[g + 3]);
                d0 = d0.add(x0.mul(gd));
                d1 = d1.add(x1.mul(gd));
            }
            int at = k * 8 * LANES;
            a0.intoArray(sums, at);
            a1.intoArray(sums, at + LANES);
            b0.intoArray(sums, at + 2 * LANES);
            b1.intoArray(sums, at + 3 * LANES);
            c0.intoArray(sums, at + 4 * LANES);
            c1.intoArray(sums, at + 5 * LANES);
            d0.intoArray(sums, at + 6 * LANES);
            d1.intoArray(sums, at + 7 * LANES);
        }
    }

    // each shard's four chains for rows o..o+3 at columns at..at+L, into sums[shard][row]
    private static void shardSumsQuad(float[] x, float[] dLogits, int samples, int shardSize, int shards, int inputs,
                                      int outputs, int o, int at, float[] sums) {
        for (int k = 0; k < shards; k++) {
            FloatVector a = FloatVector.zero(FLOAT), b = a, c = a, d = a;
            for (int s = k * shardSize; s < Math.min(samples, (k + 1) * shardSize); s++) {
                FloatVector xs = FloatVector.fromArray(FLOAT, x, s * inputs + at);
                int g = s * outputs + o;
                a = a.add(xs.mul(FloatVector.broadcast(FLOAT, dLogits[g])));
                b = b.add(xs.mul(FloatVector.broadcast(FLOAT, dLogits[g + 1])));
                c = c.add(xs.mul(FloatVector.broadcast(FLOAT, dLogits[g + 2])));
                d = d.add(xs.mul(FloatVector.broadcast(FLOAT, dLogits[g + 3])));
            }
            int row = k * 4 * LANES; // [shard][row][L]: four vectors a shard
            a.intoArray(sums, row);
            b.intoArray(sums, row + LANES);
            c.intoArray(sums, row + 2 * LANES);
            d.intoArray(sums, row + 3 * LANES);
        }
    }

    // the fixed tree over the shards' sums in scratch [shard][perShard][L]: at stride 1, 2, 4, ...
    // shard k adds shard k + stride; the result is shard 0's
    private static void addShardTree(float[] sums, int shards, int perShard) {
        for (int stride = 1; stride < shards; stride *= 2) {
            for (int k = 0; k + stride < shards; k += 2 * stride) {
                for (int r = 0; r < perShard; r++) {
                    int left = (k * perShard + r) * LANES;
                    int right = ((k + stride) * perShard + r) * LANES;
                    FloatVector.fromArray(FLOAT, sums, left).add(FloatVector.fromArray(FLOAT, sums, right))
                            .intoArray(sums, left);
                }
            }
        }
    }

    // where a weight gradient chain starts: the vector of dWeights at `at`, or zero
    private static FloatVector start(float[] dWeights, int at, boolean accumulate) {
        return accumulate ? FloatVector.fromArray(FLOAT, dWeights, at) : FloatVector.zero(FLOAT);
    }

    // dx[s..s+3][i..i+2L) = sum_o weights[o][i..i+2L) * dLogits[s+k][o]: eight FMA chains over o
    private static void inputGradientPairs(int s, int inputs, float[] weights, int outputs, float[] dLogits,
                                           float[] dx, int i) {
        int g0 = s * outputs;
        int g1 = g0 + outputs;
        int g2 = g1 + outputs;
        int g3 = g2 + outputs;
        FloatVector a0 = FloatVector.zero(FLOAT), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        for (int o = 0; o < outputs; o++) {
            int at = o * inputs + i;
            FloatVector w0 = FloatVector.fromArray(FLOAT, weights, at);
            FloatVector w1 = FloatVector.fromArray(FLOAT, weights, at + LANES);
            FloatVector g = FloatVector.broadcast(FLOAT, dLogits[g0 + o]);
            a0 = w0.fma(g, a0);
            a1 = w1.fma(g, a1);
            g = FloatVector.broadcast(FLOAT, dLogits[g1 + o]);
            b0 = w0.fma(g, b0);
            b1 = w1.fma(g, b1);
            g = FloatVector.broadcast(FLOAT, dLogits[g2 + o]);
            c0 = w0.fma(g, c0);
            c1 = w1.fma(g, c1);
            g = FloatVector.broadcast(FLOAT, dLogits[g3 + o]);
            d0 = w0.fma(g, d0);
            d1 = w1.fma(g, d1);
        }
        int row = s * inputs + i;
        a0.intoArray(dx, row);
        a1.intoArray(dx, row + LANES);
        row += inputs;
        b0.intoArray(dx, row);
        b1.intoArray(dx, row + LANES);
        row += inputs;
        c0.intoArray(dx, row);
        c1.intoArray(dx, row + LANES);
        row += inputs;
        d0.intoArray(dx, row);
        d1.intoArray(dx, row + LANES);
    }

    // dx[s][i..i+2L) for one sample past the last block of four: two FMA chains over o
    private static void inputGradientPair(int s, int inputs, float[] weights, int outputs, float[] dLogits,
                                          float[] dx, int i) {
        FloatVector a0 = FloatVector.zero(FLOAT), a1 = a0;
        for (int o = 0; o < outputs; o++) {
            int at = o * inputs + i;
            FloatVector g = FloatVector.broadcast(FLOAT, dLogits[s * outputs + o]);
            a0 = FloatVector.fromArray(FLOAT, weights, at).fma(g, a0);
            a1 = FloatVector.fromArray(FLOAT, weights, at + LANES).fma(g, a1);
        }
        int row = s * inputs + i;
        a0.intoArray(dx, row);
        a1.intoArray(dx, row + LANES);
    }

    // dx[s..s+3][at..at+L): four FMA chains over o
    private static void inputGradientBlocks(int s, int inputs, float[] weights, int outputs, float[] dLogits,
                                            float[] dx, int at) {
        int g0 = s * outputs;
        int g1 = g0 + outputs;
        int g2 = g1 + outputs;
        int g3 = g2 + outputs;
        FloatVector a = FloatVector.zero(FLOAT), b = a, c = a, d = a;
        for (int o = 0; o < outputs; o++) {
            FloatVector w = FloatVector.fromArray(FLOAT, weights, o * inputs + at);
            a = w.fma(FloatVector.broadcast(FLOAT, dLogits[g0 + o]), a);
            b = w.fma(FloatVector.broadcast(FLOAT, dLogits[g1 + o]), b);
            c = w.fma(FloatVector.broadcast(FLOAT, dLogits[g2 + o]), c);
            d = w.fma(FloatVector.broadcast(FLOAT, dLogits[g3 + o]), d);
        }
        int row = s * inputs + at;
        a.intoArray(dx, row);
        b.intoArray(dx, row + inputs);
        c.intoArray(dx, row + 2 * inputs);
        d.intoArray(dx, row + 3 * inputs);
    }

    // dx[s][at..at+L) for one sample past the last block of four
    private static void inputGradientBlock(int s, int inputs, float[] weights, int outputs, float[] dLogits,
                                           float[] dx, int at) {
        FloatVector a = FloatVector.zero(FLOAT);
        for (int o = 0; o < outputs; o++) {
            FloatVector g = FloatVector.broadcast(FLOAT, dLogits[s * outputs + o]);
            a = FloatVector.fromArray(FLOAT, weights, o * inputs + at).fma(g, a);
        }
        a.intoArray(dx, s * inputs + at);
    }
}
