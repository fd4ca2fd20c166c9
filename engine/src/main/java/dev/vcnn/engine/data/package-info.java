/**
 * Training and test data: MNIST's IDX files read and checked ({@code IdxReader}, {@code MnistFiles}), held as bytes in a {@code Dataset}, and the {@code Examples} a trainer reads image by image.
 *
 * <p><b>Internal:</b> used by the vcnn command line; not a stable API. Programs that embed vcnn use {@link dev.vcnn.engine.api}.
 */
package dev.vcnn.engine.data;
