package dev.vcnn.engine.kernels;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A thread's scratch arrays end in a cache line that no kernel writes, so that two threads' arrays
 * moved side by side by the garbage collector never write the same line; and a grown array is reused,
 * so a step allocates nothing.
 */
class ScratchSlackTest {
    private static final int LINE_FLOATS = 64 / Float.BYTES;

    @Test
    void everyArrayAScratchHandsOutHasAnUnwrittenLineAfterWhatWasAsked() throws Exception {
        assumeTrue(KernelPair.whyUnavailable() == null || KernelPair.vectorsExpected(),
                "no vector kernels: " + KernelPair.whyUnavailable());
        VectorSupport.Scratch scratch = new VectorSupport.Scratch();
        int grown = 0;
        for (Method grow : VectorSupport.Scratch.class.getDeclaredMethods()) {
            if (Modifier.isStatic(grow.getModifiers()) || grow.getParameterCount() != 1
                    || grow.getParameterTypes()[0] != int.class || !grow.getReturnType().isArray()) {
                continue;
            }
            Object first = grow.invoke(scratch, 100);
            assertTrue(Array.getLength(first) >= 100 + LINE_FLOATS, grow.getName() + " gave " + Array.getLength(first));
            assertSame(first, grow.invoke(scratch, 100), grow.getName() + " made a new array for the same size");
            assertSame(first, grow.invoke(scratch, 37), grow.getName() + " made a new array for a smaller size");
            grown++;
        }
        assertTrue(grown >= 10, "found only " + grown + " growing arrays");
        // the arrays of fixed size, made with the scratch
        assertEquals(18 * VectorSupport.LANES + LINE_FLOATS, scratch.lanes.length);
        assertEquals(2 * 16 * VectorSupport.LANES + LINE_FLOATS, scratch.denseChains.length);
        assertEquals(16 + LINE_FLOATS, scratch.denseSums.length);
    }
}
