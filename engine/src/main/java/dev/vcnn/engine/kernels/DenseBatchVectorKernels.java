package dev.vcnn.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import static dev.vcnn.engine.kernels.VectorSupport.FLOAT;
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
    // DenseVectorKernels.denseForward sums it: o0 over the even blocks (the first of each pair, then
    // the leftover block), o1 over the odd blocks and the shifted tail, then the lanes of o0 + o1 in
    // sumLanes' order, then the bias. Register block: 4 samples x 2 outputs x (o0, o1) = 16
    // accumulators, so a pass of the pair loop loads 4 weight and 8 x vectors for 16 FMAs where the
    // per-sample kernel loads 6 for 4. The pair loop leaves the 16 accumulators in scratch, and a
    // small method per (sample, output) adds the leftover block and the tail and sums the lanes: the
    // whole of it in one method went past what C2 inlines (see VectorKernels). Samples past the last
    // block of four go through the per-sample kernel; inputs shorter than one vector to the reference,
    // as there
    static void denseForwardBatch(float[] x, int samples, int inputs, float[] weights, float[] biases, int outputs,
                                  float[] logits) {
        if (inputs < LANES) {
            SCALAR.denseForwardBatch(x, samples, inputs, weights, biases, outputs, logits);
            return;
        }
        VectorSupport.Scratch scratch = SCRATCH.get();
        float[] block = scratch.denseBlock;
        int blocked = samples - samples % BLOCK;
        for (int s = 0; s < blocked; s += BLOCK) {
            for (int o = 0; o < outputs; o += 2) {
                int p = Math.min(o + 1, outputs - 1); // an odd last output pairs with itself
                forwardPairs(x, s, inputs, weights, o, p, block);
                for (int k = 0; k < BLOCK; k++) {
                    forwardFinish(x, s + k, inputs, weights, biases, outputs, o, block, 4 * k * LANES,
                            logits, scratch.lanes);
                    forwardFinish(x, s + k, inputs, weights, biases, outputs, p, block, (4 * k + 2) * LANES,
                            logits, scratch.lanes);
                }
            }
        }
        for (int s = blocked; s < samples; s++) {
            DenseVectorKernels.denseForwardRow(x, s * inputs, inputs, weights, biases, outputs, logits, s * outputs);
        }
    }

    // The pair loop of samples s..s+3 against outputs o and p. Leaves sample s+k's o0 and o1 for
    // output o at block[(4k) L] and block[(4k+1) L], and for output p at block[(4k+2) L] and block[(4k+3) L]
    private static void forwardPairs(float[] x, int s, int inputs, float[] weights, int o, int p, float[] block) {
        int bound = FLOAT.loopBound(inputs);
        int pairBound = bound - bound % (2 * LANES);
        int row0 = s * inputs;
        int row1 = row0 + inputs;
        int row2 = row1 + inputs;
        int row3 = row2 + inputs;
        int oRow = o * inputs;
        int pRow = p * inputs;
        FloatVector a0 = FloatVector.zero(FLOAT), a1 = a0, a2 = a0, a3 = a0; // sample s
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;                        // s + 1
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0;                        // s + 2
        FloatVector d0 = a0, d1 = a0, d2 = a0, d3 = a0;                        // s + 3
        for (int i = 0; i < pairBound; i += 2 * LANES) {
            FloatVector wo0 = FloatVector.fromArray(FLOAT, weights, oRow + i);
            FloatVector wo1 = FloatVector.fromArray(FLOAT, weights, oRow + i + LANES);
            FloatVector wp0 = FloatVector.fromArray(FLOAT, weights, pRow + i);
            FloatVector wp1 = FloatVector.fromArray(FLOAT, weights, pRow + i + LANES);
            FloatVector x0 = FloatVector.fromArray(FLOAT, x, row0 + i);
            FloatVector x1 = FloatVector.fromArray(FLOAT, x, row0 + i + LANES);
            a0 = wo0.fma(x0, a0);
            a1 = wo1.fma(x1, a1);
            a2 = wp0.fma(x0, a2);
            a3 = wp1.fma(x1, a3);
            x0 = FloatVector.fromArray(FLOAT, x, row1 + i);
            x1 = FloatVector.fromArray(FLOAT, x, row1 + i + LANES);
            b0 = wo0.fma(x0, b0);
            b1 = wo1.fma(x1, b1);
            b2 = wp0.fma(x0, b2);
            b3 = wp1.fma(x1, b3);
            x0 = FloatVector.fromArray(FLOAT, x, row2 + i);
            x1 = FloatVector.fromArray(FLOAT, x, row2 + i + LANES);
            c0 = wo0.fma(x0, c0);
            c1 = wo1.fma(x1, c1);
            c2 = wp0.fma(x0, c2);
            c3 = wp1.fma(x1, c3);
            x0 = FloatVector.fromArray(FLOAT, x, row3 + i);
            x1 = FloatVector.fromArray(FLOAT, x, row3 + i + LANES);
            d0 = wo0.fma(x0, d0);
            d1 = wo1.fma(x1, d1);
            d2 = wp0.fma(x0, d2);
            d3 = wp1.fma(x1, d3);
        }
        a0.intoArray(block, 0);
        a1.intoArray(block, LANES);
        a2.intoArray(block, 2 * LANES);
        a3.intoArray(block, 3 * LANES);
        b0.intoArray(block, 4 * LANES);
        b1.intoArray(block, 5 * LANES);
        b2.intoArray(block, 6 * LANES);
        b3.intoArray(block, 7 * LANES);
        c0.intoArray(block, 8 * LANES);
        c1.intoArray(block, 9 * LANES);
        c2.intoArray(block, 10 * LANES);
        c3.intoArray(block, 11 * LANES);
        d0.intoArray(block, 12 * LANES);
        d1.intoArray(block, 13 * LANES);
        d2.intoArray(block, 14 * LANES);
        d3.intoArray(block, 15 * LANES);
    }

    // Finishes (sample s, output o) from its o0 and o1 at block[at...] as the per-sample kernel
    // finishes an output: the leftover block into o0, the shifted tail (against x with the lanes
    // already counted zeroed) into o1, then logits[s][o] = bias + the lanes of o0 + o1
    private static void forwardFinish(float[] x, int s, int inputs, float[] weights, float[] biases, int outputs,
                                      int o, float[] block, int at, float[] logits, float[] lanes) {
        int bound = FLOAT.loopBound(inputs);
        int pairBound = bound - bound % (2 * LANES);
        int xRow = s * inputs;
        int wRow = o * inputs;
        FloatVector o0 = FloatVector.fromArray(FLOAT, block, at);
        FloatVector o1 = FloatVector.fromArray(FLOAT, block, at + LANES);
        if (pairBound < bound) {
            o0 = FloatVector.fromArray(FLOAT, weights, wRow + pairBound)
                    .fma(FloatVector.fromArray(FLOAT, x, xRow + pairBound), o0);
        }
        if (bound < inputs) {
            int last = inputs - LANES;
            FloatVector lastX = FloatVector.zero(FLOAT)
                    .blend(FloatVector.fromArray(FLOAT, x, xRow + last), lanesNotYetCounted(inputs));
            o1 = FloatVector.fromArray(FLOAT, weights, wRow + last).fma(lastX, o1);
        }
        logits[s * outputs + o] = biases[o] + sumLanes(o0.add(o1), lanes);
    }

    // x, dx [S][I]; weights, dWeights [O][I]; dLogits [S][O]; dBiases [O]. Column by column, as the
    // per-sample kernel walks a row: pairs of blocks, the leftover block, then the shifted tail. In
    // each column dWeights comes first: each of its blocks is loaded once, gets dLogits[s][o] * x[s]
    // added for s = 0, 1, ... in turn (a mul then an add, not an FMA, as per sample: the same numbers
    // in the same order, with S times less memory traffic) and is stored once; a tail block keeps its
    // lanes already counted, as per sample. Then dx: each (sample, block) is an FMA chain over o from
    // zero, as per sample, four samples at a time so that each weight vector loaded feeds four chains.
    // Not all S from one load: that takes S accumulators per block, past the 32 registers, and kept in
    // memory they cost a load and a store per FMA. The weight column (O x 2L floats) stays in L1
    // between the blocks of four. Inputs shorter than one vector go to the reference, as per sample
    static void denseBackwardBatch(float[] x, int samples, int inputs, float[] weights, int outputs,
                                   float[] dLogits, float[] dx, float[] dWeights, float[] dBiases) {
        if (inputs < LANES) {
            SCALAR.denseBackwardBatch(x, samples, inputs, weights, outputs, dLogits, dx, dWeights, dBiases);
            return;
        }
        int bound = FLOAT.loopBound(inputs);
        int pairBound = bound - bound % (2 * LANES);
        for (int i = 0; i < pairBound; i += 2 * LANES) {
            int o = 0;
            for (; o + 1 < outputs; o += 2) {
                weightGradientPairs(x, samples, inputs, outputs, dLogits, dWeights, o, i);
            }
            if (o < outputs) {
                weightGradientBlock(x, samples, inputs, outputs, dLogits, dWeights, o, i, 0);
                weightGradientBlock(x, samples, inputs, outputs, dLogits, dWeights, o, i + LANES, 0);
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
            backwardColumn(x, samples, inputs, weights, outputs, dLogits, dx, dWeights, pairBound, 0);
        }
        if (bound < inputs) {
            int last = inputs - LANES;
            backwardColumn(x, samples, inputs, weights, outputs, dLogits, dx, dWeights, last, bound - last);
        }
        for (int s = 0; s < samples; s++) {
            for (int o = 0; o < outputs; o++) {
                dBiases[o] += dLogits[s * outputs + o];
            }
        }
    }

    // the single block at x[s][at...] of every row, changing only its lanes from `fresh` on: the
    // leftover block (fresh = 0, every lane) or the shifted tail (the lanes no block before it covered)
    private static void backwardColumn(float[] x, int samples, int inputs, float[] weights, int outputs,
                                       float[] dLogits, float[] dx, float[] dWeights, int at, int fresh) {
        for (int o = 0; o < outputs; o++) {
            weightGradientBlock(x, samples, inputs, outputs, dLogits, dWeights, o, at, fresh);
        }
        if (dx != null) {
            int s = 0;
            for (; s + BLOCK <= samples; s += BLOCK) {
                inputGradientBlocks(s, inputs, weights, outputs, dLogits, dx, at, fresh);
            }
            for (; s < samples; s++) {
                inputGradientBlock(s, inputs, weights, outputs, dLogits, dx, at, fresh);
            }
        }
    }

    // dWeights[o..o+1][i..i+2L) += dLogits[s][o] * x[s][i..i+2L) for every sample in turn: four add
    // chains, so that each x vector loaded feeds two outputs and the adds' latency is hidden
    private static void weightGradientPairs(float[] x, int samples, int inputs, int outputs, float[] dLogits,
                                            float[] dWeights, int o, int i) {
        int oAt = o * inputs + i;
        int pAt = oAt + inputs;
        FloatVector o0 = FloatVector.fromArray(FLOAT, dWeights, oAt);
        FloatVector o1 = FloatVector.fromArray(FLOAT, dWeights, oAt + LANES);
        FloatVector p0 = FloatVector.fromArray(FLOAT, dWeights, pAt);
        FloatVector p1 = FloatVector.fromArray(FLOAT, dWeights, pAt + LANES);
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

    // dWeights[o][at..at+L) += dLogits[s][o] * x[s][at..at+L) for every sample in turn, in lanes fresh..L-1
    private static void weightGradientBlock(float[] x, int samples, int inputs, int outputs, float[] dLogits,
                                            float[] dWeights, int o, int at, int fresh) {
        int wAt = o * inputs + at;
        FloatVector old = FloatVector.fromArray(FLOAT, dWeights, wAt);
        FloatVector sum = old;
        for (int s = 0; s < samples; s++) {
            FloatVector g = FloatVector.broadcast(FLOAT, dLogits[s * outputs + o]);
            sum = sum.add(FloatVector.fromArray(FLOAT, x, s * inputs + at).mul(g));
        }
        old.blend(sum, lanesFrom(fresh)).intoArray(dWeights, wAt);
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

    // dx[s..s+3][at..at+L) in lanes fresh..L-1: four FMA chains over o
    private static void inputGradientBlocks(int s, int inputs, float[] weights, int outputs, float[] dLogits,
                                            float[] dx, int at, int fresh) {
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
        VectorMask<Float> lanes = lanesFrom(fresh);
        int row = s * inputs + at;
        FloatVector.fromArray(FLOAT, dx, row).blend(a, lanes).intoArray(dx, row);
        row += inputs;
        FloatVector.fromArray(FLOAT, dx, row).blend(b, lanes).intoArray(dx, row);
        row += inputs;
        FloatVector.fromArray(FLOAT, dx, row).blend(c, lanes).intoArray(dx, row);
        row += inputs;
        FloatVector.fromArray(FLOAT, dx, row).blend(d, lanes).intoArray(dx, row);
    }

    // dx[s][at..at+L) in lanes fresh..L-1, for one sample past the last block of four
    private static void inputGradientBlock(int s, int inputs, float[] weights, int outputs, float[] dLogits,
                                           float[] dx, int at, int fresh) {
        FloatVector a = FloatVector.zero(FLOAT);
        for (int o = 0; o < outputs; o++) {
            FloatVector g = FloatVector.broadcast(FLOAT, dLogits[s * outputs + o]);
            a = FloatVector.fromArray(FLOAT, weights, o * inputs + at).fma(g, a);
        }
        int row = s * inputs + at;
        FloatVector.fromArray(FLOAT, dx, row).blend(a, lanesFrom(fresh)).intoArray(dx, row);
    }
}
