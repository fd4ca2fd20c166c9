package dev.vcnn.engine.kernels;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * Skips a property class, with the reason, when this JVM cannot run vector kernels; a run started
 * with {@code -Dvcnn.expectImpl=vector} is never skipped, so its properties fail instead.
 */
final class SkipUnlessVectors implements SkipExecutionHook {

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        String reason = KernelPair.whyUnavailable();
        if (reason == null || KernelPair.vectorsExpected()) {
            return SkipResult.doNotSkip();
        }
        return SkipResult.skip("no vector kernels to compare: " + reason);
    }
}
