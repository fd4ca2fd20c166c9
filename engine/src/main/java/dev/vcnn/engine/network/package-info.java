/**
 * Networks: a {@code NetworkSpec} (the layer list or a preset) checked against the input shape and built into a {@code Network} that runs forward and backward, ending in softmax and cross-entropy.
 *
 * <p><b>Internal:</b> used by the vcnn command line; not a stable API. Programs that embed vcnn use {@link dev.vcnn.engine.api}.
 */
package dev.vcnn.engine.network;
