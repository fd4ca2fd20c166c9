package dev.vcnn.engine.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Proves which implementation a test run really used. Each surefire execution sets
 * {@code -Dvcnn.expectImpl} (and possibly {@code -Dvcnn.vectorBits}); a run without it, from an
 * IDE say, has nothing to check and is skipped.
 */
class KernelSelectionTest {
    private static final String EXPECTED = System.getProperty(KernelPair.EXPECT_PROPERTY);

    @Test
    void theExpectedImplementationIsSelected() {
        assumeTrue(EXPECTED != null, "-D" + KernelPair.EXPECT_PROPERTY + " is unset, so no implementation is expected");
        assertEquals(EXPECTED, KernelSelection.best().name(), KernelSelection.best().description());
    }

    @Test
    void vectorsRunAtTheForcedWidth() {
        assumeTrue("vector".equals(EXPECTED), "this run does not expect vector kernels");
        int bits = VectorWidth.requestedBits();
        assumeTrue(bits > 0, "-D" + VectorWidth.PROPERTY + " is unset, so the CPU's preferred width is the right one");
        int lanes = bits / Float.SIZE;
        Kernels best = KernelSelection.best();
        // VectorKernels is linked only here, where the module is known to be loaded
        assertEquals(lanes, VectorSupport.FLOAT.length(), best.description());
        assertTrue(best.description().contains(bits + "-bit, " + lanes + " float lanes"), best.description());
    }

    @Test
    void withoutTheModuleTheRefusalNamesTheFlagThatLoadsIt() {
        assumeTrue("scalar".equals(EXPECTED), "this run does not expect the scalar fallback");
        assumeTrue(ModuleLayer.boot().findModule(KernelSelection.VECTOR_MODULE).isEmpty(),
                "the module is loaded, so the fallback has another reason");
        UnsupportedOperationException refused =
                assertThrows(UnsupportedOperationException.class, KernelSelection::vector);
        assertTrue(refused.getMessage().contains(KernelSelection.VECTOR_MODULE), refused.getMessage());
    }
}
