/**
 * Writing files atomically ({@code AtomicFiles}: an earlier file survives any failure) and reading input in growing pieces, so a forged size never causes a large allocation.
 *
 * <p><b>Internal:</b> used by the vcnn command line; not a stable API. Programs that embed vcnn use {@link dev.vcnn.engine.api}.
 */
package dev.vcnn.engine.io;
