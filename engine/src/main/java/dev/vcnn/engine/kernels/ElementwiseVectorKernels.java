package dev.vcnn.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.util.Arrays;

import static dev.vcnn.engine.kernels.VectorSupport.FLOAT;
import static dev.vcnn.engine.kernels.VectorSupport.LANES;
import static dev.vcnn.engine.kernels.VectorSupport.SCALAR;
import static dev.vcnn.engine.kernels.VectorSupport.SCRATCH;
import static dev.vcnn.engine.kernels.VectorSupport.lanesNotYetCounted;
import static dev.vcnn.engine.kernels.VectorSupport.sumLanes;

/**
 * Element-wise kernels on the Vector API: per-channel bias and its gradient, ReLU forward and
 * backward, adding gradients into a sum, and the momentum step. Except for the channel sums, each
 * lane does exactly the reference's float operations in the reference's order (a mul and an add,
 * never a fused multiply-add), so results are bit for bit the reference's. Lanes and tails: see
 * {@link VectorKernels}.
 */
final class ElementwiseVectorKernels {

    private ElementwiseVectorKernels() {
    }

    // values [C][P]; bias [C]; lanes: positions p..p+L-1 of one channel's plane. A plane's last
    // vector is shifted left to end at the plane's end and adds the bias only to the lanes the vectors
    // before it did not (the others already hold their sums). Planes smaller than one vector go to
    // the reference
    static void addChannelBias(float[] values, int channels, int planeSize, float[] bias) {
        if (planeSize < LANES) {
            SCALAR.addChannelBias(values, channels, planeSize, bias);
            return;
        }
        int bound = FLOAT.loopBound(planeSize);
        int last = planeSize - LANES;
        VectorMask<Float> fresh = lanesNotYetCounted(planeSize);
        for (int c = 0; c < channels; c++) {
            int plane = c * planeSize;
            FloatVector b = FloatVector.broadcast(FLOAT, bias[c]);
            for (int p = 0; p < bound; p += LANES) {
                FloatVector.fromArray(FLOAT, values, plane + p).add(b).intoArray(values, plane + p);
            }
            if (bound < planeSize) {
                FloatVector v = FloatVector.fromArray(FLOAT, values, plane + last);
                v.blend(v.add(b), fresh).intoArray(values, plane + last);
            }
        }
    }

    // dOut [C][P]; dBias [C]; lanes: positions p..p+L-1 of one channel's plane. Two accumulators take
    // turns over the blocks; the last vector is shifted left to end at the plane's end, with the
    // lanes already counted zeroed. The two accumulators are added lane by lane, then the lanes in the
    // fixed order of sumLanes. Planes smaller than one vector go to the reference. No add has an
    // accumulator on its left (a loaded vector is, the same sum), no mask is used (the last vector's
    // new lanes are copied behind zeros in scratch), and the two accumulators meet in sumLanes(a, b):
    // the versions with an accumulator on the left, or a blend, boxed every vector for the whole run
    // in one JVM in three to five under the command line's low compile thresholds (docs/performance.md)
    static void addChannelSums(float[] dOut, int channels, int planeSize, float[] dBias) {
        if (planeSize < LANES) {
            SCALAR.addChannelSums(dOut, channels, planeSize, dBias);
            return;
        }
        int bound = FLOAT.loopBound(planeSize);
        int pairBound = bound - bound % (2 * LANES);
        int last = planeSize - LANES;
        int counted = bound - last; // the last vector's lanes below this were counted already
        FloatVector zero = FloatVector.zero(FLOAT);
        // scratch: [0, 2L) for sumLanes, [2L, 3L) the last vector with its counted lanes zeroed
        float[] scratch = SCRATCH.get().lanes;
        int tail = 2 * LANES;
        Arrays.fill(scratch, tail, tail + counted, 0f);
        for (int c = 0; c < channels; c++) {
            int plane = c * planeSize;
            FloatVector s0 = zero, s1 = zero;
            int p = 0;
            for (; p < pairBound; p += 2 * LANES) {
                s0 = FloatVector.fromArray(FLOAT, dOut, plane + p).add(s0);
                s1 = FloatVector.fromArray(FLOAT, dOut, plane + p + LANES).add(s1);
            }
            if (p < bound) {
                s0 = FloatVector.fromArray(FLOAT, dOut, plane + p).add(s0);
            }
            if (bound < planeSize) {
                System.arraycopy(dOut, plane + bound, scratch, tail + counted, LANES - counted);
                s1 = FloatVector.fromArray(FLOAT, scratch, tail).add(s1);
            }
            dBias[c] += sumLanes(s0, s1, scratch);
        }
    }

    // in, out [n]; lanes: consecutive elements. MAX is Math.max lane by lane, so -0 gives 0 and NaN
    // stays NaN as in the reference (a compare-and-blend would turn NaN into 0). The tail is the last
    // full vector, shifted left to end at n: the lanes it shares with the vector before it are
    // rewritten with the same values, even when out is in (max(max(v, 0), 0) = max(v, 0)). Fewer
    // than L elements go to the reference
    static void reluForward(float[] in, int n, float[] out) {
        if (n < LANES) {
            SCALAR.reluForward(in, n, out);
            return;
        }
        int bound = FLOAT.loopBound(n);
        for (int k = 0; k < bound; k += LANES) {
            FloatVector.fromArray(FLOAT, in, k).lanewise(VectorOperators.MAX, 0f).intoArray(out, k);
        }
        if (bound < n) {
            int last = n - LANES;
            FloatVector.fromArray(FLOAT, in, last).lanewise(VectorOperators.MAX, 0f).intoArray(out, last);
        }
    }

    // dOut, out, dIn [n]; lanes: consecutive elements. dIn takes dOut where out > 0 and +0 elsewhere
    // (NaN included, as the reference's '>'). The tail is the last full vector, shifted left to end at
    // n: shared lanes are rewritten with the same values, even when dIn is dOut (the rule applied
    // twice gives the same). Fewer than L elements go to the reference
    static void reluBackward(float[] dOut, float[] out, int n, float[] dIn) {
        if (n < LANES) {
            SCALAR.reluBackward(dOut, out, n, dIn);
            return;
        }
        FloatVector zero = FloatVector.zero(FLOAT);
        int bound = FLOAT.loopBound(n);
        for (int k = 0; k < bound; k += LANES) {
            VectorMask<Float> positive = FloatVector.fromArray(FLOAT, out, k).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(FLOAT, dOut, k), positive).intoArray(dIn, k);
        }
        if (bound < n) {
            int last = n - LANES;
            VectorMask<Float> positive = FloatVector.fromArray(FLOAT, out, last).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(FLOAT, dOut, last), positive).intoArray(dIn, last);
        }
    }

    // sums, values [n], added in [from, to); lanes: consecutive elements. The tail is the last full
    // vector, shifted left to end at to, adding only to the lanes the vectors before it did not. Fewer
    // than L elements go to the reference
    static void addInto(float[] sums, float[] values, int from, int to) {
        int n = to - from;
        if (n < LANES) {
            SCALAR.addInto(sums, values, from, to);
            return;
        }
        int bound = from + FLOAT.loopBound(n);
        for (int k = from; k < bound; k += LANES) {
            FloatVector.fromArray(FLOAT, sums, k).add(FloatVector.fromArray(FLOAT, values, k)).intoArray(sums, k);
        }
        if (bound < to) {
            int last = to - LANES;
            FloatVector s = FloatVector.fromArray(FLOAT, sums, last);
            s.blend(s.add(FloatVector.fromArray(FLOAT, values, last)), lanesNotYetCounted(n)).intoArray(sums, last);
        }
    }

    // params, velocity, grads [n], updated in [from, to); lanes: consecutive parameters. Each lane rounds
    // as the reference: g = gradScale * grad, v = momentum * v + g, p = p - lr * v, each a separate mul
    // and add or sub, so any cut into pieces gives the same bits. The tail is the last full vector,
    // shifted left to end at {@code to}, updating velocity and params only in the lanes the vectors
    // before it did not. Fewer than L parameters go to the reference
    static void sgdMomentumUpdate(float[] params, float[] velocity, float[] grads, int from, int to, float lr,
                                  float momentum, float gradScale) {
        int n = to - from;
        if (n < LANES) {
            SCALAR.sgdMomentumUpdate(params, velocity, grads, from, to, lr, momentum, gradScale);
            return;
        }
        int bound = from + FLOAT.loopBound(n);
        for (int k = from; k < bound; k += LANES) {
            FloatVector g = FloatVector.fromArray(FLOAT, grads, k).mul(gradScale);
            FloatVector v = FloatVector.fromArray(FLOAT, velocity, k).mul(momentum).add(g);
            v.intoArray(velocity, k);
            FloatVector.fromArray(FLOAT, params, k).sub(v.mul(lr)).intoArray(params, k);
        }
        if (bound < to) {
            int last = to - LANES;
            VectorMask<Float> fresh = lanesNotYetCounted(n);
            FloatVector g = FloatVector.fromArray(FLOAT, grads, last).mul(gradScale);
            FloatVector v = FloatVector.fromArray(FLOAT, velocity, last);
            v = v.blend(v.mul(momentum).add(g), fresh);
            v.intoArray(velocity, last);
            FloatVector p = FloatVector.fromArray(FLOAT, params, last);
            p.blend(p.sub(v.mul(lr)), fresh).intoArray(params, last);
        }
    }

    // values [n], scanned in [from, to); lanes: consecutive values, a vector's first bad lane found by its
    // mask. The tail is the last full vector, shifted left to end at {@code to}: the lanes it shares with
    // the vectors before it were all finite, so its first bad lane is the first of the range. Fewer
    // than L values go to the reference
    static int firstNonFinite(float[] values, int from, int to) {
        int n = to - from;
        if (n < LANES) {
            return SCALAR.firstNonFinite(values, from, to);
        }
        int bound = from + FLOAT.loopBound(n);
        for (int k = from; k < bound; k += LANES) {
            VectorMask<Float> bad = FloatVector.fromArray(FLOAT, values, k).test(VectorOperators.IS_FINITE).not();
            if (bad.anyTrue()) {
                return k + bad.firstTrue();
            }
        }
        if (bound < to) {
            int last = to - LANES;
            VectorMask<Float> bad = FloatVector.fromArray(FLOAT, values, last).test(VectorOperators.IS_FINITE).not();
            if (bad.anyTrue()) {
                return last + bad.firstTrue();
            }
        }
        return -1;
    }
}
