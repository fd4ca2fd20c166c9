package dev.vcnn.engine.layers;

import java.util.List;

/**
 * One stage of a network, over flat channel-major buffers: it owns its output and input-gradient
 * buffers, sized once from its shapes, and keeps what its backward pass needs from the last forward
 * pass. A network runs the layers' forward passes in order, each on the output of the one before,
 * and their backward passes in reverse (as darknet does; no graph, no tensor objects).
 */
public interface Layer {

    Shape inputShape();

    Shape outputShape();

    /**
     * in [input shape] -> this layer's output buffer [output shape], reused by the next call. With
     * {@code training} false the layer may skip what only a backward pass needs.
     */
    float[] forward(float[] in, boolean training);

    /**
     * dOut [output shape] -> dIn [input shape] (this layer's buffer), or null when
     * {@code wantInputGradient} is false, as for the first layer. Adds the parameter gradients of this
     * sample to each {@link Parameter#gradient()} (a batch sums them; the trainer zeroes them after
     * each update). Uses the parameters as the last forward pass did.
     */
    float[] backward(float[] dOut, boolean wantInputGradient);

    /**
     * Per-sample SGD, the seed's training: the backward pass with this sample's gradient applied at
     * once, {@code p -= lr * gradient}, through fused kernels where the layer has them. The input
     * gradient is computed with the parameters from before the update. Parameter gradients are left
     * as they were (zero).
     */
    float[] backwardAndUpdate(float[] dOut, boolean wantInputGradient, float lr);

    /** The trainable arrays, weight first; empty for relu and pooling. */
    List<Parameter> parameters();

    /** The spec token this layer was built from, e.g. {@code conv3x3:16} (a fused layer: both tokens). */
    String describe();
}
