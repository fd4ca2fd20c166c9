package dev.vcnn.engine.layers;

import java.util.Arrays;

/**
 * One trainable array of a layer, with what training keeps beside it: the gradient summed over the
 * current batch and the momentum velocity, all of the same length, allocated once.
 * The name and shape are those of PyTorch's {@code state_dict} for the equivalent
 * {@code nn.Sequential}: {@code "<i>.weight"} or {@code "<i>.bias"}, i the layer's position in the spec.
 *
 * <p>A replica's parameter reads another's values ({@link #shareValues}), and the per-image layers a
 * replica keeps for each image of a group add into one gradient ({@link #shareGradient}); layers
 * therefore ask for {@link #values()} and {@link #gradient()} at each call and never keep the arrays.
 */
public final class Parameter {
    private final String name;
    private final int[] shape;
    private final float[] ownGradient;
    private final float[] velocity;
    private float[] values;           // its own, or a master's after shareValues
    private float[] gradient;         // ownGradient, or a buffer given to gradientInto
    private Parameter gradientOwner;  // after shareGradient: the parameter whose gradient this one is

    public Parameter(String name, int... shape) {
        long size = 1;
        for (int d : shape) {
            size *= d;
        }
        if (size < 1 || size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(name + ": no array has shape " + Arrays.toString(shape));
        }
        this.name = name;
        this.shape = shape.clone();
        this.values = new float[(int) size];
        this.ownGradient = new float[values.length];
        this.gradient = ownGradient;
        this.velocity = new float[values.length];
    }

    /** e.g. {@code 0.weight}. */
    public String name() {
        return name;
    }

    /** e.g. [F, C, 3, 3] for a conv weight, [out, in] for a dense one. */
    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return values.length;
    }

    /** The live values; changes to the array change the network. */
    public float[] values() {
        return values;
    }

    /**
     * From now on, this parameter's values are {@code master}'s array itself, not a copy: an update of
     * either is seen by both at once. For replicas that compute gradients or forward passes for the
     * master; the velocity stays this parameter's own, as only the master is updated. Throws
     * {@link IllegalArgumentException} unless both have the same name and shape.
     */
    public void shareValues(Parameter master) {
        requireTwin(master);
        this.values = master.values;
    }

    /**
     * From now on, {@link #gradient()} is {@code master}'s, whatever array that is at the time (its own
     * or a buffer given to its {@link #gradientInto}): backward passes through this parameter add into
     * the same sums as those through {@code master}. {@code master} must not itself follow another's
     * gradient (so no chain or cycle forms); throws {@link IllegalArgumentException} unless both have the
     * same name and shape.
     */
    public void shareGradient(Parameter master) {
        requireTwin(master);
        if (master == this || master.gradientOwner != null) {
            throw new IllegalArgumentException(name + ": can only follow a parameter with a gradient of its own");
        }
        this.gradientOwner = master;
    }

    /**
     * From now on, this parameter's values are an array of its own that starts as a copy of the
     * current values (after {@link #shareValues}, of the master's): updates of the master are no longer
     * seen here until copied over. For data-parallel training, where each thread keeps its own copy
     * of the dense weights and the trainer copies the updates over (see {@code DenseWeightCopies}).
     */
    public void keepOwnValues() {
        this.values = values.clone();
    }

    private void requireTwin(Parameter master) {
        if (!name.equals(master.name) || !Arrays.equals(shape, master.shape)) {
            throw new IllegalArgumentException(name + " " + Arrays.toString(shape) + " cannot share with "
                    + master.name + " " + Arrays.toString(master.shape));
        }
    }

    /** The gradient summed over the samples of the current batch (zero between batches). */
    public float[] gradient() {
        return gradientOwner == null ? gradient : gradientOwner.gradient;
    }

    /**
     * Makes backward passes add this parameter's gradients into {@code buffer} (of {@link #size()}
     * floats) from now on, or into its own array again when {@code buffer} is null. Data-parallel
     * training points a worker's replica at the buffer of the shard it is computing, so that no
     * gradient is copied between shards.
     */
    public void gradientInto(float[] buffer) {
        if (gradientOwner != null) {
            throw new IllegalStateException(name + " adds into another parameter's gradient; point that one instead");
        }
        if (buffer != null && buffer.length != values.length) {
            throw new IllegalArgumentException(name + ": a gradient buffer of " + buffer.length + " floats for "
                    + values.length + " values");
        }
        this.gradient = buffer == null ? ownGradient : buffer;
    }

    /** The momentum buffer, zero until the first update with momentum. */
    public float[] velocity() {
        return velocity;
    }

    /** "2.bias holds NaN at index 17": how a divergence names value k of this parameter. */
    public String describeValue(int k) {
        return name + " holds " + values[k] + " at index " + k;
    }
}
