package dev.vcnn.cli;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.kernels.ScalarKernels;
import dev.vcnn.engine.training.KernelWarmup;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The warm-up Main starts before parsing is taken over only by a command that runs the same kernels. */
class EarlyWarmupTest {

    private static VcnnCommand command() {
        return (VcnnCommand) VcnnCommand.commandLine(() -> false, () -> 80).getCommand();
    }

    @Test
    void aWarmupOfTheSameImplementationIsTakenOver() {
        VcnnCommand command = command();
        // another instance of the same class: the JIT's work is per class, so it counts as the same
        Kernels scalar = new ScalarKernels();
        try (KernelWarmup early = KernelWarmup.start(KernelSelection.scalar())) {
            command.handOver(early);
            assertTrue(early.warms(scalar));
            assertSame(early, command.warmup(scalar));
        }
    }

    @Test
    void aWarmupOfOtherKernelsIsReplaced() {
        // as for 'vcnn train --engine scalar': Main warms the vector kernels up before the options are read
        assumeTrue(KernelSelection.vectorWidths().length > 0, "vectors cannot run in this JVM");
        VcnnCommand command = command();
        Kernels scalar = KernelSelection.scalar();
        try (KernelWarmup early = KernelWarmup.start(KernelSelection.vector())) {
            command.handOver(early);
            assertFalse(early.warms(scalar));
            try (KernelWarmup replacement = command.warmup(scalar)) {
                assertNotSame(early, replacement);
                assertTrue(replacement.warms(scalar));
            }
        }
    }

    @Test
    void withoutAnEarlyWarmupEachCommandStartsItsOwn() {
        VcnnCommand command = command();
        try (KernelWarmup first = command.warmup(KernelSelection.scalar());
             KernelWarmup second = command.warmup(KernelSelection.scalar())) {
            assertNotSame(first, second);
        }
    }
}
