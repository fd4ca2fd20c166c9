package dev.vcnn.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import static dev.vcnn.engine.kernels.VectorSupport.FLOAT;
import static dev.vcnn.engine.kernels.VectorSupport.LANES;
import static dev.vcnn.engine.kernels.VectorSupport.SCALAR;
import static dev.vcnn.engine.kernels.VectorSupport.SCRATCH;
import static dev.vcnn.engine.kernels.VectorSupport.lanesNotYetCounted;
import static dev.vcnn.engine.kernels.VectorSupport.sumLanes;

/**
 * The dense layer (forward, fused backward update, batch backward), softmax and the plain SGD
 * step on the Vector API. Lanes and tails: see {@link VectorKernels}.
 */
final class DenseVectorKernels {

    private DenseVectorKernels() {
    }

    // x [I]; weights [O][I]; biases, logits [O]; lanes: inputs i..i+L-1 of one weight row. Two
    // outputs (o, p) per pass, so each x vector is loaded once for two weight rows, and two
    // accumulators per output take turns over the blocks: four FMA chains overlap. The tail is the
    // last full vector of the row, shifted left to end at the row's end, against an x whose lanes
    // already counted are zeroed (computed once per call): no masks in the row loop. Inputs shorter
    // than one vector go to the reference
    static void denseForward(float[] x, int inputs, float[] weights, float[] biases, int outputs, float[] logits) {
        if (inputs < LANES) {
            SCALAR.denseForward(x, inputs, weights, biases, outputs, logits);
            return;
        }
        denseForwardRow(x, 0, inputs, weights, biases, outputs, logits, 0);
    }

    // denseForward of the row x[xAt..xAt+I) into logits[logitsAt..logitsAt+O), for inputs >= L; the
    // batch kernel runs the samples past its last block of four through this, so that they are summed
    // exactly as a per-sample call sums them
    static void denseForwardRow(float[] x, int xAt, int inputs, float[] weights, float[] biases, int outputs,
                                float[] logits, int logitsAt) {
        int bound = FLOAT.loopBound(inputs);
        int pairBound = bound - bound % (2 * LANES);
        int last = inputs - LANES;
        VectorMask<Float> fresh = lanesNotYetCounted(inputs);
        FloatVector lastX = FloatVector.zero(FLOAT).blend(FloatVector.fromArray(FLOAT, x, xAt + last), fresh);
        float[] scratch = SCRATCH.get().lanes;
        for (int o = 0; o < outputs; o += 2) {
            int p = Math.min(o + 1, outputs - 1); // an odd last output pairs with itself
            int oRow = o * inputs;
            int pRow = p * inputs;
            FloatVector o0 = FloatVector.zero(FLOAT), o1 = o0, p0 = o0, p1 = o0;
            int i = 0;
            for (; i < pairBound; i += 2 * LANES) {
                FloatVector x0 = FloatVector.fromArray(FLOAT, x, xAt + i);
                FloatVector x1 = FloatVector.fromArray(FLOAT, x, xAt + i + LANES);
                o0 = FloatVector.fromArray(FLOAT, weights, oRow + i).fma(x0, o0);
                o1 = FloatVector.fromArray(FLOAT, weights, oRow + i + LANES).fma(x1, o1);
                p0 = FloatVector.fromArray(FLOAT, weights, pRow + i).fma(x0, p0);
                p1 = FloatVector.fromArray(FLOAT, weights, pRow + i + LANES).fma(x1, p1);
            }
            if (i < bound) {
                FloatVector x0 = FloatVector.fromArray(FLOAT, x, xAt + i);
                o0 = FloatVector.fromArray(FLOAT, weights, oRow + i).fma(x0, o0);
                p0 = FloatVector.fromArray(FLOAT, weights, pRow + i).fma(x0, p0);
            }
            if (bound < inputs) {
                o1 = FloatVector.fromArray(FLOAT, weights, oRow + last).fma(lastX, o1);
                p1 = FloatVector.fromArray(FLOAT, weights, pRow + last).fma(lastX, p1);
            }
            logits[logitsAt + o] = biases[o] + sumLanes(o0.add(o1), scratch);
            logits[logitsAt + p] = biases[p] + sumLanes(p0.add(p1), scratch);
        }
    }

    // ten values are less than one vector, and exp() has no vector form that rounds like Math.exp
    static void softmax(float[] logits, int n, float[] probs) {
        SCALAR.softmax(logits, n, probs);
    }

    // x, dx [I]; weights [O][I]; biases, dLogits [O]; lanes: inputs i..i+L-1. One pass over the weights:
    // each block of a weight row is read once, feeds dx, and is written back updated. Blocks go two at
    // a time, so two dx chains of O dependent FMAs overlap; the leftover block goes singly, and the
    // tail is the last full vector, shifted left to end at the row's end: in the lanes the blocks
    // before it covered, weights and dx keep the values those blocks wrote. (Masked tail vectors ran
    // off the arrays on the last row, and C2 compiled that path so that the kernel took 0.71-0.80 us
    // in some JVMs and 0.89-1.08 us in others.) Inputs shorter than one vector go to the reference
    static void denseBackwardUpdate(float[] x, int inputs, float[] weights, float[] biases, int outputs,
                                    float[] dLogits, float lr, float[] dx) {
        if (inputs < LANES) {
            SCALAR.denseBackwardUpdate(x, inputs, weights, biases, outputs, dLogits, lr, dx);
            return;
        }
        int bound = FLOAT.loopBound(inputs);
        int pairBound = bound - bound % (2 * LANES);
        int i = 0;
        for (; i < pairBound; i += 2 * LANES) {
            FloatVector input0 = FloatVector.fromArray(FLOAT, x, i);
            FloatVector input1 = FloatVector.fromArray(FLOAT, x, i + LANES);
            FloatVector gradient0 = FloatVector.zero(FLOAT);
            FloatVector gradient1 = gradient0;
            for (int o = 0; o < outputs; o++) {
                int at = o * inputs + i;
                FloatVector g = FloatVector.broadcast(FLOAT, dLogits[o]);
                FloatVector step = FloatVector.broadcast(FLOAT, -lr * dLogits[o]);
                FloatVector w0 = FloatVector.fromArray(FLOAT, weights, at);
                FloatVector w1 = FloatVector.fromArray(FLOAT, weights, at + LANES);
                gradient0 = w0.fma(g, gradient0);
                gradient1 = w1.fma(g, gradient1);
                input0.fma(step, w0).intoArray(weights, at);
                input1.fma(step, w1).intoArray(weights, at + LANES);
            }
            if (dx != null) {
                gradient0.intoArray(dx, i);
                gradient1.intoArray(dx, i + LANES);
            }
        }
        if (i < bound) {
            FloatVector input = FloatVector.fromArray(FLOAT, x, i);
            FloatVector gradient = FloatVector.zero(FLOAT);
            for (int o = 0; o < outputs; o++) {
                int at = o * inputs + i;
                FloatVector w = FloatVector.fromArray(FLOAT, weights, at);
                gradient = w.fma(FloatVector.broadcast(FLOAT, dLogits[o]), gradient);
                input.fma(FloatVector.broadcast(FLOAT, -lr * dLogits[o]), w).intoArray(weights, at);
            }
            if (dx != null) {
                gradient.intoArray(dx, i);
            }
        }
        if (bound < inputs) {
            int last = inputs - LANES;
            VectorMask<Float> fresh = lanesNotYetCounted(inputs);
            FloatVector input = FloatVector.fromArray(FLOAT, x, last);
            FloatVector gradient = FloatVector.zero(FLOAT);
            for (int o = 0; o < outputs; o++) {
                int at = o * inputs + last;
                FloatVector w = FloatVector.fromArray(FLOAT, weights, at);
                gradient = w.fma(FloatVector.broadcast(FLOAT, dLogits[o]), gradient);
                w.blend(input.fma(FloatVector.broadcast(FLOAT, -lr * dLogits[o]), w), fresh).intoArray(weights, at);
            }
            if (dx != null) {
                FloatVector.fromArray(FLOAT, dx, last).blend(gradient, fresh).intoArray(dx, last);
            }
        }
        for (int o = 0; o < outputs; o++) {
            biases[o] -= lr * dLogits[o];
        }
    }

    // x, dx [I]; weights, dWeights [O][I]; dLogits, dBiases [O]; lanes: inputs i..i+L-1. As
    // denseBackwardUpdate, one pass over the rows: each block of a weight row feeds dx, and the same
    // block of dWeights gets dLogits[o] * x added, a mul then an add as in the reference (not an FMA),
    // so dWeights is bit for bit the reference's. Blocks go two at a time, then the leftover block,
    // then the tail: the last full vector, shifted left to end at the row's end, which adds to
    // dWeights and writes dx only in the lanes the blocks before it did not. Each part is its own
    // method so C2 inlines every Vector API call in it. Inputs shorter than one vector go to the reference
    static void denseBackward(float[] x, int inputs, float[] weights, int outputs, float[] dLogits,
                              float[] dx, float[] dWeights, float[] dBiases) {
        if (inputs < LANES) {
            SCALAR.denseBackward(x, inputs, weights, outputs, dLogits, dx, dWeights, dBiases);
            return;
        }
        int bound = FLOAT.loopBound(inputs);
        int pairBound = bound - bound % (2 * LANES);
        for (int i = 0; i < pairBound; i += 2 * LANES) {
            denseBackwardPair(x, inputs, weights, outputs, dLogits, dx, dWeights, i);
        }
        if (pairBound < bound) {
            denseBackwardBlock(x, inputs, weights, outputs, dLogits, dx, dWeights, pairBound);
        }
        if (bound < inputs) {
            denseBackwardTail(x, inputs, weights, outputs, dLogits, dx, dWeights);
        }
        for (int o = 0; o < outputs; o++) {
            dBiases[o] += dLogits[o];
        }
    }

    // blocks i and i + L of every row: two dx chains of O dependent FMAs overlap
    private static void denseBackwardPair(float[] x, int inputs, float[] weights, int outputs, float[] dLogits,
                                          float[] dx, float[] dWeights, int i) {
        FloatVector input0 = FloatVector.fromArray(FLOAT, x, i);
        FloatVector input1 = FloatVector.fromArray(FLOAT, x, i + LANES);
        FloatVector gradient0 = FloatVector.zero(FLOAT);
        FloatVector gradient1 = gradient0;
        for (int o = 0; o < outputs; o++) {
            int at = o * inputs + i;
            FloatVector g = FloatVector.broadcast(FLOAT, dLogits[o]);
            gradient0 = FloatVector.fromArray(FLOAT, weights, at).fma(g, gradient0);
            gradient1 = FloatVector.fromArray(FLOAT, weights, at + LANES).fma(g, gradient1);
            FloatVector.fromArray(FLOAT, dWeights, at).add(input0.mul(g)).intoArray(dWeights, at);
            FloatVector.fromArray(FLOAT, dWeights, at + LANES).add(input1.mul(g)).intoArray(dWeights, at + LANES);
        }
        if (dx != null) {
            gradient0.intoArray(dx, i);
            gradient1.intoArray(dx, i + LANES);
        }
    }

    // block i of every row
    private static void denseBackwardBlock(float[] x, int inputs, float[] weights, int outputs, float[] dLogits,
                                           float[] dx, float[] dWeights, int i) {
        FloatVector input = FloatVector.fromArray(FLOAT, x, i);
        FloatVector gradient = FloatVector.zero(FLOAT);
        for (int o = 0; o < outputs; o++) {
            int at = o * inputs + i;
            FloatVector g = FloatVector.broadcast(FLOAT, dLogits[o]);
            gradient = FloatVector.fromArray(FLOAT, weights, at).fma(g, gradient);
            FloatVector.fromArray(FLOAT, dWeights, at).add(input.mul(g)).intoArray(dWeights, at);
        }
        if (dx != null) {
            gradient.intoArray(dx, i);
        }
    }

    // the last full vector of every row, shifted left to end at the row's end; only its fresh lanes change
    private static void denseBackwardTail(float[] x, int inputs, float[] weights, int outputs, float[] dLogits,
                                          float[] dx, float[] dWeights) {
        int last = inputs - LANES;
        VectorMask<Float> fresh = lanesNotYetCounted(inputs);
        FloatVector input = FloatVector.fromArray(FLOAT, x, last);
        FloatVector gradient = FloatVector.zero(FLOAT);
        for (int o = 0; o < outputs; o++) {
            int at = o * inputs + last;
            FloatVector g = FloatVector.broadcast(FLOAT, dLogits[o]);
            gradient = FloatVector.fromArray(FLOAT, weights, at).fma(g, gradient);
            FloatVector dw = FloatVector.fromArray(FLOAT, dWeights, at);
            dw.blend(dw.add(input.mul(g)), fresh).intoArray(dWeights, at);
        }
        if (dx != null) {
            FloatVector.fromArray(FLOAT, dx, last).blend(gradient, fresh).intoArray(dx, last);
        }
    }

    // params, grads [n]; lanes: consecutive parameters. The tail is the last full vector, shifted left
    // to end at n, updating only the lanes the vectors before it did not; fewer than L parameters go
    // to the reference
    static void sgdUpdate(float[] params, float[] grads, int n, float lr) {
        if (n < LANES) {
            SCALAR.sgdUpdate(params, grads, n, lr);
            return;
        }
        FloatVector step = FloatVector.broadcast(FLOAT, -lr);
        int bound = FLOAT.loopBound(n);
        for (int k = 0; k < bound; k += LANES) {
            FloatVector p = FloatVector.fromArray(FLOAT, params, k);
            FloatVector.fromArray(FLOAT, grads, k).fma(step, p).intoArray(params, k);
        }
        if (bound < n) {
            int last = n - LANES;
            FloatVector p = FloatVector.fromArray(FLOAT, params, last);
            p.blend(FloatVector.fromArray(FLOAT, grads, last).fma(step, p), lanesNotYetCounted(n)).intoArray(params, last);
        }
    }
}
