package dev.vcnn.engine.kernels;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Lengths that hunt for tail bugs at L float lanes: one either side of each small lane multiple,
 * primes (never multiples of L), the seed's real sizes, and, half the time, any length up to the maximum.
 */
final class TailSizes {
    private static final int[] PRIMES = {
            2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 97, 1021, 2039};

    private TailSizes() {
    }

    /** Lengths from min to max around multiples of {@code lanes}, plus those of {@code realSizes} in range. */
    static Arbitrary<Integer> around(int lanes, int min, int max, int... realSizes) {
        TreeSet<Integer> special = new TreeSet<>(List.of(
                1, 2, 3, lanes - 1, lanes, lanes + 1, 2 * lanes - 1, 2 * lanes, 2 * lanes + 1, 2 * lanes + 3,
                3 * lanes + 1));
        IntStream.of(PRIMES).forEach(special::add);
        IntStream.of(realSizes).forEach(special::add);
        special.removeIf(n -> n < min || n > max);
        return Arbitraries.oneOf(Arbitraries.of(special), Arbitraries.integers().between(min, max));
    }

    /** The largest row width the plane properties use: past three lane multiples and the seed's 26. */
    static int maxRowWidth(int lanes) {
        return Math.max(3 * lanes + 4, 30);
    }
}
