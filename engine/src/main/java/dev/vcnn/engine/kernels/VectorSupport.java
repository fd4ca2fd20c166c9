package dev.vcnn.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * What the vector kernel families share: the species, chosen once, lane tables, sums and scratch
 * arrays.
 */
final class VectorSupport {

    private VectorSupport() {
    }

    // species are static final so the JIT sees constants; never pass them around as values
    static final VectorSpecies<Float> FLOAT = chooseSpecies();
    static final VectorSpecies<Integer> INT = FLOAT.withLanes(int.class);
    static final int LANES = FLOAT.length();

    static final Kernels SCALAR = new ScalarKernels();

    // lane n of a pooled row reads input columns 2n (left of its window) and 2n+1 (right), and lane n
    // of a split row takes the even column 2n and the odd column 2n+1; kept as arrays because building
    // them with addIndex allocated on every call
    static final float[] LEFT_COLUMNS = new float[LANES];
    static final float[] RIGHT_COLUMNS = new float[LANES];
    static final int[] LEFT_OFFSETS = new int[LANES];
    static final float[] LANE_NUMBERS = new float[LANES];

    // Taking L lane sums at a time in sumStoredLanes' order (see DenseBatchVectorKernels.sumChains):
    // level v (half h = L/2, L/4, ..., 1) folds two vectors P and Q, lanes 0..L-1 and L..2L-1 of
    // selectFrom's index space, into FOLD_LOW[v] + FOLD_HIGH[v]: in runs of 2h lanes, the first h lanes
    // of the result get P's run's two halves added, the next h lanes Q's. After log2(L) levels, lane
    // n of the vector folded from L vectors holds the sum of vector BIT_REVERSED[n]
    static final int LEVELS = Integer.numberOfTrailingZeros(LANES);
    static final float[] FOLD_LOW = new float[LEVELS * LANES];
    static final float[] FOLD_HIGH = new float[LEVELS * LANES];
    static final int[] BIT_REVERSED = new int[LANES];

    static {
        for (int n = 0; n < LANES; n++) {
            LANE_NUMBERS[n] = n;
            LEFT_COLUMNS[n] = 2 * n;
            RIGHT_COLUMNS[n] = 2 * n + 1;
            LEFT_OFFSETS[n] = 2 * n;
            BIT_REVERSED[n] = Integer.reverse(n) >>> (Integer.SIZE - LEVELS);
        }
        for (int level = 0, half = LANES / 2; half > 0; level++, half /= 2) {
            for (int n = 0; n < LANES; n++) {
                boolean fromP = (n / half) % 2 == 0;
                FOLD_LOW[level * LANES + n] = fromP ? n : LANES + n - half;
                FOLD_HIGH[level * LANES + n] = fromP ? n + half : LANES + n;
            }
        }
    }

    static VectorSpecies<Float> chooseSpecies() {
        int bits = VectorWidth.requestedBits();
        return bits > 0 ? VectorSpecies.of(float.class, VectorShape.forBitSize(bits)) : FloatVector.SPECIES_PREFERRED;
    }

    // reduceLanes(ADD) may add the lanes in one order when interpreted and in another once C2 has
    // compiled it, so a run's numbers depended on JIT timing. Storing the lanes and adding them in a
    // fixed pairwise order (lane n with lane n + L/2, then n + L/4, ...) gives the same float either
    // way. For 4, 8 and 16 lanes the tree is spelled out in locals: adding in place in the scratch
    // array chained every add through a store and a load, and made the filter gradient's 72 sums
    // half its time. scratch is the calling thread's Scratch.lanes
    static float sumLanes(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        return sumStoredLanes(scratch, 0);
    }

    // sumLanes(a.add(b), scratch), the same float, for two accumulators: a and b are stored and added
    // lane by lane in scalar code, so no vector add has an accumulator (a loop phi, whose exact class
    // C2 may not see) on its left, which inlines only through the Vector API's profile of add and
    // boxed every vector of addChannelSums in some JVMs (docs/performance.md). Uses scratch[0, 2L)
    static float sumLanes(FloatVector a, FloatVector b, float[] scratch) {
        a.intoArray(scratch, 0);
        b.intoArray(scratch, LANES);
        for (int lane = 0; lane < LANES; lane++) {
            scratch[lane] += scratch[LANES + lane];
        }
        return sumStoredLanes(scratch, 0);
    }

    // the same pairwise sum of the LANES floats stored at s[at...]
    static float sumStoredLanes(float[] s, int at) {
        if (LANES == 16) {
            float a0 = s[at] + s[at + 8];
            float a1 = s[at + 1] + s[at + 9];
            float a2 = s[at + 2] + s[at + 10];
            float a3 = s[at + 3] + s[at + 11];
            float a4 = s[at + 4] + s[at + 12];
            float a5 = s[at + 5] + s[at + 13];
            float a6 = s[at + 6] + s[at + 14];
            float a7 = s[at + 7] + s[at + 15];
            return ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7));
        }
        if (LANES == 8) {
            return ((s[at] + s[at + 4]) + (s[at + 2] + s[at + 6])) + ((s[at + 1] + s[at + 5]) + (s[at + 3] + s[at + 7]));
        }
        if (LANES == 4) {
            return (s[at] + s[at + 2]) + (s[at + 1] + s[at + 3]);
        }
        for (int width = LANES / 2; width > 0; width /= 2) {
            for (int n = 0; n < width; n++) {
                s[at + n] += s[at + n + width];
            }
        }
        return s[at];
    }

    // A row of n >= LANES values ends in a full vector shifted left to start at n - LANES; the full
    // vectors before it covered up to loopBound(n), so its lanes below loopBound(n) - (n - LANES) are
    // counted already. This mask selects the rest.
    static VectorMask<Float> lanesNotYetCounted(int n) {
        return FloatVector.fromArray(FLOAT, LANE_NUMBERS, 0)
                .compare(VectorOperators.GE, FLOAT.loopBound(n) - (n - LANES));
    }

    // lanes first..L-1; lanesFrom(0) is every lane, for a block whose lanes are all new. Not called by
    // lanesNotYetCounted: one more level of calls there left its mask boxed in the per-sample dense
    // forward (48 B a call)
    static VectorMask<Float> lanesFrom(int first) {
        return FloatVector.fromArray(FLOAT, LANE_NUMBERS, 0).compare(VectorOperators.GE, first);
    }

    // The calling thread's work arrays, grown to the largest shape it has seen and then reused, so a
    // call allocates nothing once a shape has been seen; per thread, as kernels may run concurrently.
    // Each array is made a cache line longer than asked (LINE_SLACK), and that line is never
    // written: the garbage collector may move two threads' scratch arrays next to each other, and an
    // array's last written line would then be the next one's first (its header and first values),
    // written by the other core. Measured: in 5 JVMs of 24, two workers' shard sums lay end to end
    // and dense1's weight gradient took 114-157 us a worker instead of 58-83
    static final class Scratch {
        final float[] lanes = floats(18 * LANES); // the accumulators of a filter-gradient pass
        final float[] denseChains = floats(2 * 16 * LANES); // batch dense forward: a block's 16 o0 and o1
        final float[] denseSums = floats(16);                   // and their sums
        float[] denseTails = new float[0];                      // and each sample's tail vector of x
        float[] shardSums = new float[0];             // dense weight gradient by shards: [shard][up to 8][L]
        float[] split = new float[0];                 // an image split into even and odd columns
        float[] windowMax = new float[0];             // conv + pool: the max of each window's top row
        int[] windowAt = new int[0];                  // and where it is
        float[] pooledValues = new float[0];          // pooled values (or their gradients) and argmax,
        int[] pooledArgmax = new int[0];              // with a vector of slack
        float[] conv = new float[0];                  // the unfused kernels' conv output or its gradient
        float[] wide = new float[0];                  // conv: an output or input gradient on the wide plane
        float[] wideSource = new float[0];            // conv: a padded copy of what the wide kernel reads
        float[] wideWeights = new float[0];           // conv: filters transposed and flipped for dIn
        int[] filterRows = new int[0];                // conv: where each filter's dOut plane starts

        float[] shardSums(int n) {
            return shardSums = atLeast(shardSums, n);
        }

        float[] denseTails(int n) {
            return denseTails = atLeast(denseTails, n);
        }

        float[] split(int n) {
            return split = atLeast(split, n);
        }

        float[] windowMax(int n) {
            return windowMax = atLeast(windowMax, n);
        }

        int[] windowAt(int n) {
            return windowAt = atLeast(windowAt, n);
        }

        float[] pooledValues(int n) {
            return pooledValues = atLeast(pooledValues, n);
        }

        int[] pooledArgmax(int n) {
            return pooledArgmax = atLeast(pooledArgmax, n);
        }

        float[] conv(int n) {
            return conv = atLeast(conv, n);
        }

        float[] wide(int n) {
            return wide = atLeast(wide, n);
        }

        float[] wideSource(int n) {
            return wideSource = atLeast(wideSource, n);
        }

        float[] wideWeights(int n) {
            return wideWeights = atLeast(wideWeights, n);
        }

        int[] filterRows(int n) {
            return filterRows = atLeast(filterRows, n);
        }

        static float[] atLeast(float[] array, int n) {
            return array.length >= n + LINE_SLACK ? array : floats(n);
        }

        static int[] atLeast(int[] array, int n) {
            return array.length >= n + LINE_SLACK ? array : ints(n);
        }

        static float[] floats(int n) {
            return new float[n + LINE_SLACK];
        }

        static int[] ints(int n) {
            return new int[n + LINE_SLACK];
        }

        // 4-byte elements in a 64-byte cache line
        private static final int LINE_SLACK = 16;
    }

    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
}
