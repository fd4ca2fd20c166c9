package dev.vcnn.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;

/**
 * The machine's single-core FP32 peak as the Vector API reaches it: twelve independent FMA chains,
 * enough to cover FMA latency times the FMA units on current x86 cores, at the preferred width.
 * Each invocation does {@link #FMAS} vector FMAs, i.e. FMAS * 2 * lanes FLOP.
 */
public class PeakBenchmark extends KernelBenchmark {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int ROUNDS = 1024;
    static final int CHAINS = 12;
    static final int FMAS = ROUNDS * CHAINS;

    @Benchmark
    @OperationsPerInvocation(FMAS)
    public float fmaChains() {
        FloatVector b = FloatVector.broadcast(SPECIES, 0.999f);
        FloatVector c = FloatVector.broadcast(SPECIES, 1e-3f);
        FloatVector a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b;
        FloatVector a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
        for (int r = 0; r < ROUNDS; r++) {
            a0 = a0.fma(b, c);
            a1 = a1.fma(b, c);
            a2 = a2.fma(b, c);
            a3 = a3.fma(b, c);
            a4 = a4.fma(b, c);
            a5 = a5.fma(b, c);
            a6 = a6.fma(b, c);
            a7 = a7.fma(b, c);
            a8 = a8.fma(b, c);
            a9 = a9.fma(b, c);
            a10 = a10.fma(b, c);
            a11 = a11.fma(b, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    /** FLOP of one operation as counted by {@code @OperationsPerInvocation}: one FMA on every lane. */
    static long flopsPerOperation() {
        return 2L * SPECIES.length();
    }
}
