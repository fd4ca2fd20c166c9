/**
 * The layers a network is made of (3x3 convolution, 2x2 max pool, the two fused, ReLU, dense), each with its forward and backward pass, and the {@code Parameter}s they train.
 *
 * <p><b>Internal:</b> used by the vcnn command line; not a stable API. Programs that embed vcnn use {@link dev.vcnn.engine.api}.
 */
package dev.vcnn.engine.layers;
