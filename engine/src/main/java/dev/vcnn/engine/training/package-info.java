/**
 * Training and evaluation: SGD per sample or in mini-batches with momentum over shuffled epochs ({@code Trainer}), progress reports, confusion matrices, divergence checks and the kernel warm-up.
 *
 * <p><b>Internal:</b> used by the vcnn command line; not a stable API. Programs that embed vcnn use {@link dev.vcnn.engine.api}.
 */
package dev.vcnn.engine.training;
