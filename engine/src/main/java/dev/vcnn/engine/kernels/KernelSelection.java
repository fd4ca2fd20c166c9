package dev.vcnn.engine.kernels;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * Chooses the kernels once per JVM. The vector implementation is loaded by name, so nothing here
 * links a vector class unless the incubator module is present; without it, or without the C2
 * compiler (interpreted and C1 vector code boxes every vector and runs ~1000x slower), the scalar
 * reference runs and one line on stderr says why and which flag changes that.
 */
public final class KernelSelection {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_CLASS = "dev.vcnn.engine.kernels.VectorKernels";

    private KernelSelection() {
    }

    /** The plain-loop reference, always available. */
    public static Kernels scalar() {
        return Holder.SCALAR;
    }

    /**
     * The fastest implementation this JVM can run; decided once, warning once on fallback. Throws
     * {@link IllegalArgumentException} naming {@code -Dvcnn.vectorBits} when that holds no width: a
     * nonsense value is the user's to fix, not a reason to fall back.
     */
    public static Kernels best() {
        VectorWidth.requestedBits(); // throws on a nonsense value, before the holder's initializer can
        return Holder.BEST;
    }

    /**
     * The vector implementation at the width {@code -Dvcnn.vectorBits} asks for (default: the
     * CPU's preferred one). Throws {@link UnsupportedOperationException} saying why when it cannot run,
     * {@link IllegalArgumentException} when {@code -Dvcnn.vectorBits} holds no width.
     */
    public static Kernels vector() {
        String reason = whyNoVectors();
        if (reason != null) {
            throw new UnsupportedOperationException(reason);
        }
        try {
            return (Kernels) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            if (e.getCause() instanceof RuntimeException refused) {
                throw new UnsupportedOperationException(refused.getMessage(), refused);
            }
            throw new IllegalStateException("cannot load " + VECTOR_CLASS, e);
        }
    }

    /**
     * The vector widths in bits this JVM and CPU can run, narrowest first (e.g. 128, 256, 512);
     * empty when vectors cannot run at all. Pass one as {@code -Dvcnn.vectorBits} to a new JVM to use it.
     * Throws {@link IllegalArgumentException} when this JVM's {@code -Dvcnn.vectorBits} holds no width
     * (the vector class could not even be loaded to ask).
     */
    public static int[] vectorWidths() {
        VectorWidth.requestedBits(); // throws on a nonsense value, before the vector class's initializer can
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty() || !hasOptimizingCompiler()) {
            return new int[0];
        }
        try {
            int widest = (int) Class.forName(VECTOR_CLASS).getDeclaredMethod("widestBits").invoke(null);
            return java.util.stream.IntStream.of(128, 256, 512).filter(bits -> bits <= widest).toArray();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot ask " + VECTOR_CLASS + " for its widths", e);
        }
    }

    /** Null when vector kernels can run here, otherwise one sentence saying why not and what to do. */
    static String whyNoVectors() {
        if (VectorWidth.requestedBits() == 0) {
            return "-D" + VectorWidth.PROPERTY + "=0 asks for the scalar engine";
        }
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return "the Vector API module is not loaded; start java with --add-modules=" + VECTOR_MODULE;
        }
        if (!hasOptimizingCompiler()) {
            return "this JVM runs without the C2 compiler (-Xint or -XX:TieredStopAtLevel below 4), "
                    + "where vector code is far slower than scalar; drop that flag";
        }
        return null;
    }

    private static boolean hasOptimizingCompiler() {
        if (System.getProperty("java.vm.info", "").contains("interpreted mode")) {
            return false;
        }
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            boolean tiered = Boolean.parseBoolean(vm.getVMOption("TieredCompilation").getValue());
            int stopLevel = Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue());
            return !tiered || stopLevel >= 4;
        } catch (RuntimeException e) {
            return true; // not HotSpot: nothing to ask, so trust its compiler
        }
    }

    private static Kernels choose() {
        try {
            return vector();
        } catch (UnsupportedOperationException e) {
            System.err.println("vcnn: using the scalar engine: " + e.getMessage());
            return Holder.SCALAR;
        }
    }

    // initialised on first use, so the warning appears only in programs that ask for kernels
    private static final class Holder {
        static final Kernels SCALAR = new ScalarKernels();
        static final Kernels BEST = choose();
    }
}
