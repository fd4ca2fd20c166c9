package dev.vcnn.engine.network;

import dev.vcnn.engine.layers.DenseLayer;
import dev.vcnn.engine.layers.Parameter;

import java.util.ArrayList;
import java.util.List;

/**
 * What a network's dense layers see of a mini-batch, kept so that their weight gradients can be taken
 * after the batch's shards instead of inside them: for dense layer k, its input rows x[k] [B][I] and
 * output-gradient rows d[k] [B][O], row s for the batch's sample s. Replicas pointed at these arrays
 * ({@link Network#keepDenseRows}) write the rows of their groups' samples and add no weight gradient
 * of their own; the trainer then sums each weight's gradient over the shards with
 * {@code Kernels.denseWeightGradientShards}, by rows, on every thread. Made once per batch size.
 */
public final class DenseRows {
    private final int capacity;
    private final List<Parameter> weights = new ArrayList<>(); // the network's dense weights, layer order
    private final List<float[]> inputs = new ArrayList<>();     // [k]: x [B][I]
    private final List<float[]> gradients = new ArrayList<>();  // [k]: d [B][O]

    DenseRows(Network network, int capacity) {
        this.capacity = capacity;
        for (DenseLayer dense : network.denseLayers()) {
            weights.add(dense.weight());
            inputs.add(new float[Math.multiplyExact(capacity, dense.inputCount())]);
            gradients.add(new float[Math.multiplyExact(capacity, dense.outputCount())]);
        }
    }

    /** The most samples a batch may have. */
    public int capacity() {
        return capacity;
    }

    /** How many dense layers. */
    public int layers() {
        return weights.size();
    }

    /** Dense layer k's weight, [O][I], of the network these rows were made for. */
    public Parameter weight(int k) {
        return weights.get(k);
    }

    /** Dense layer k's I. */
    public int inputCount(int k) {
        return inputs.get(k).length / capacity;
    }

    /** Dense layer k's O. */
    public int outputCount(int k) {
        return gradients.get(k).length / capacity;
    }

    /** Dense layer k's input rows, x [B][I]. */
    public float[] inputs(int k) {
        return inputs.get(k);
    }

    /** Dense layer k's output-gradient rows, d [B][O]. */
    public float[] gradients(int k) {
        return gradients.get(k);
    }
}
