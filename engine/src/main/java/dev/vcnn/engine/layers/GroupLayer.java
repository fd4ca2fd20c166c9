package dev.vcnn.engine.layers;

/**
 * A layer that also runs over a group of samples at once, as the dense part of a network replica does
 * (dense and relu), so that a dense layer reads its weights once per group instead of once per sample.
 * Group buffers are [group][size], one contiguous row per sample, made once at construction; a call
 * over {@code count <= group} samples reads and writes rows 0..count-1 only. Each row holds exactly what
 * {@link #forward} and {@link #backward} give that sample alone, bit for bit, and parameter gradients
 * are added sample after sample, s = 0, 1, ..., as that many backward calls in turn would add them.
 * The group state (last input, output) is apart from the per-sample one: neither call disturbs the other.
 */
public interface GroupLayer extends Layer {

    /** The most samples a group call takes; 0 for a layer built without group buffers. */
    int groupCapacity();

    /** in [count][input size] -> this layer's group output buffer [group][output size], rows 0..count-1 written. */
    float[] forwardGroup(float[] in, int count);

    /**
     * dOut [count][output size] -> this layer's group input gradient [group][input size], or null when
     * {@code wantInputGradient} is false; adds each sample's parameter gradients, in sample order, to
     * what they hold ({@code accumulate}) or to zero (every element written, none read: as zeroing
     * them first would give, without the pass over memory).
     */
    float[] backwardGroup(float[] dOut, int count, boolean wantInputGradient, boolean accumulate);
}
