package dev.vcnn.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What it costs this host to move data from one core to the other: two threads take turns on one
 * array of 205 KB (half of the deep preset's dense1 weights, the rows one of two threads updates),
 * and the turn's owner times its pass. Three passes, as data-parallel training meets them:
 * <ul>
 *   <li>reading lines the other core wrote last (a replica's first read of rows another thread updated);
 *   <li>writing lines the other core has only read (an update of weights both cores read: each line's
 *       other copy must be invalidated before the write completes);
 *   <li>writing lines the other core wrote last (what {@code DenseWeightCopies} arranges: the reader
 *       clears the rows it has read, so the owner's write moves each line over in one transfer).
 * </ul>
 * and the round trip of one cache line (a counter passed back and forth), which shows how far apart
 * the host has placed the two virtual CPUs. A diagnostic beside {@link InterleavedScaling}: about 2 s.
 * <pre>java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar dev.vcnn.bench.CoreHandoff</pre>
 */
public final class CoreHandoff {
    private static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;
    private static final int FLOATS = 51_200; // 205 KB
    private static final int TURNS = 5_000; // the first half warms the JIT up
    private static final int ROUND_TRIPS = 200_000;

    /** Microseconds per 205 KB pass (the median turn), and nanoseconds per round trip (the mean). */
    public record Costs(double readOthers, double writeShared, double writeOthers, double roundTripNanos) {
        @Override
        public String toString() {
            return String.format("205 KB from the other core: read %.1f us; written over while it holds a copy %.1f us,"
                    + " after it wrote them %.1f us; a cache line's round trip %.0f ns",
                    readOthers, writeShared, writeOthers, roundTripNanos);
        }
    }

    private CoreHandoff() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println(measure());
    }

    /** Runs the three passes and the round trips on two threads; needs two cores to mean anything. */
    public static Costs measure() throws InterruptedException {
        double read = handoff(false, true);
        double writeShared = handoff(true, false);
        double writeOthers = handoff(true, true);
        return new Costs(read, writeShared, writeOthers, roundTrip());
    }

    // Thread A writes the array (timed when timeWrite), then thread B reads it (timed when !timeWrite)
    // and, when bWrites, writes it too; A's write after a B that wrote moves lines B wrote last
    private static double handoff(boolean timeWrite, boolean bWrites) throws InterruptedException {
        float[] shared = new float[FLOATS];
        AtomicInteger turn = new AtomicInteger();
        long[] timed = new long[TURNS - TURNS / 2]; // per measured turn
        float[] sink = new float[1]; // a heap write the reads feed, so that they stay
        Thread other = Thread.ofPlatform().daemon().start(() -> {
            for (int t = 0; t < TURNS; t++) {
                while (turn.get() != 2 * t + 1) {
                    Thread.onSpinWait();
                }
                long start = System.nanoTime();
                sink[0] += readEveryLine(shared);
                if (!timeWrite && t >= TURNS / 2) {
                    timed[t - TURNS / 2] = System.nanoTime() - start;
                }
                if (bWrites) {
                    java.util.Arrays.fill(shared, t);
                }
                turn.set(2 * t + 2);
            }
        });
        for (int t = 0; t < TURNS; t++) {
            while (turn.get() != 2 * t) {
                Thread.onSpinWait();
            }
            long start = System.nanoTime();
            halveAndAdd(shared, t);
            if (timeWrite && t >= TURNS / 2) {
                timed[t - TURNS / 2] = System.nanoTime() - start;
            }
            turn.set(2 * t + 1);
        }
        other.join();
        java.util.Arrays.sort(timed);
        return timed[timed.length / 2] / 1e3; // the median turn
    }

    // read-modify-write in vectors, as the SGD update is (FLOATS is a multiple of every lane count)
    private static void halveAndAdd(float[] values, float t) {
        for (int k = 0; k < values.length; k += FLOAT.length()) {
            FloatVector.fromArray(FLOAT, values, k).mul(0.5f).add(t).intoArray(values, k);
        }
    }

    // one load per 64-byte line, four independent sums: bound by the transfers, not by the adds
    private static float readEveryLine(float[] values) {
        float a = 0;
        float b = 0;
        float c = 0;
        float d = 0;
        for (int k = 0; k + 48 < values.length; k += 64) {
            a += values[k];
            b += values[k + 16];
            c += values[k + 32];
            d += values[k + 48];
        }
        return a + b + c + d;
    }

    private static double roundTrip() throws InterruptedException {
        AtomicInteger ball = new AtomicInteger();
        Thread other = Thread.ofPlatform().daemon().start(() -> {
            for (int k = 0; k < ROUND_TRIPS; k++) {
                while (ball.get() != 2 * k + 1) {
                    Thread.onSpinWait();
                }
                ball.set(2 * k + 2);
            }
        });
        long start = System.nanoTime();
        for (int k = 0; k < ROUND_TRIPS; k++) {
            ball.set(2 * k + 1);
            while (ball.get() != 2 * k + 2) {
                Thread.onSpinWait();
            }
        }
        long elapsed = System.nanoTime() - start;
        other.join();
        return (double) elapsed / ROUND_TRIPS;
    }
}
