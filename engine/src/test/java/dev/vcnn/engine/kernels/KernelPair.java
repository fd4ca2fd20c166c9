package dev.vcnn.engine.kernels;

import java.util.function.Consumer;

/**
 * The scalar reference and the vector kernels, side by side in one JVM, with the lane count the
 * vectors run at. Vectors are looked up once; when they cannot run here the reason is kept, and
 * {@link SkipUnlessVectors} skips the properties, unless {@value #EXPECT_PROPERTY}=vector says
 * this run exists to test them.
 */
final class KernelPair {
    /** Set by each surefire execution to the implementation it must end up testing. */
    static final String EXPECT_PROPERTY = "vcnn.expectImpl";

    final Kernels scalar;
    final Kernels vector;
    /** Float lanes per vector, L: the sizes properties straddle. */
    final int lanes;

    private KernelPair(Kernels scalar, Kernels vector, int lanes) {
        this.scalar = scalar;
        this.vector = vector;
        this.lanes = lanes;
    }

    /** The pair, or an AssertionError giving the reason vectors cannot run in this JVM. */
    static KernelPair get() {
        if (Lookup.PAIR == null) {
            throw new AssertionError("vector kernels are unavailable: " + Lookup.REASON);
        }
        return Lookup.PAIR;
    }

    /** Null when vector kernels run here, else why not. */
    static String whyUnavailable() {
        return Lookup.REASON;
    }

    /** True when this run was started to test vectors, so skipping them would hide a broken setup. */
    static boolean vectorsExpected() {
        return "vector".equals(System.getProperty(EXPECT_PROPERTY));
    }

    /**
     * Runs one call on the vector kernels. An exception from it (an index check, say) fails with
     * the context, since the stack trace alone names neither the shape nor the vector width.
     */
    void onVector(String context, Consumer<Kernels> call) {
        try {
            call.accept(vector);
        } catch (RuntimeException e) {
            throw new AssertionError(context + ": the vector kernel threw " + e, e);
        }
    }

    /** Names the kernel, the shape and the vector width, for the start of every failure message. */
    String context(String kernel, String shape) {
        return kernel + " " + shape + " on " + vector.description();
    }

    private static final class Lookup {
        static final KernelPair PAIR;
        static final String REASON;

        static {
            KernelPair pair = null;
            String reason = null;
            try {
                Kernels vector = KernelSelection.vector();
                // VectorKernels is linked only now that the module is known to be present
                pair = new KernelPair(KernelSelection.scalar(), vector, VectorSupport.FLOAT.length());
            } catch (UnsupportedOperationException e) {
                reason = e.getMessage();
            }
            PAIR = pair;
            REASON = reason;
        }
    }
}
