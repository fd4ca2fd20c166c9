package dev.vcnn.engine.network;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.DenseLayer;
import dev.vcnn.engine.layers.GroupLayer;
import dev.vcnn.engine.layers.Layer;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.layers.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A replica's way through a group of images. The network splits at its first dense layer: the
 * per-image part before it (conv, relu, pool, conv + pool) exists once per slot of the group, each
 * stack with its own buffers and per-image state (argmax, last input, relu output); the dense part (the
 * first dense layer and everything after it, dense and relu) exists once and runs over the group.
 * For the deep preset on 28x28 images and a group of S:
 * <pre>
 *   images[s] 1x28x28 -> slot s's stack -> 32x5x5, copied to row s of denseIn [S][800]
 *   denseIn [S][800] -> dense:128, relu, dense:10 over the group -> logits [S][10]
 *   softmax and cross-entropy per image
 * </pre>
 * Backward runs the dense part over the group, then the stacks for s = 0, 1, ... in order, each from
 * row s of the dense part's input gradient. Each parameter thus receives the images' gradient terms in
 * image order, as addGradient for one image after another adds them: the batch kernels add a group's
 * dense terms sample after sample, and the slots' parameters share slot 0's values and gradient, so
 * their terms land, in slot order, in one sum. Slot 0's stack and the dense part are the network's own
 * layers, which its per-sample methods use.
 */
final class GroupRunner {
    private final Kernels kernels;
    private final int group;
    private final int classes;
    private final Layer[][] perImage;   // [slot][layer], empty stacks when the network starts with dense
    private final Parameter[] perImageParameters; // slot 0's, which all slots add into
    private final GroupLayer[] dense;   // the dense part, over the group
    private final int denseInputs;      // I, values per image into the first dense layer
    private final float[] denseIn;      // [group][I]: row s is slot s's output, or image s itself
    private final float[] rowGradient;  // [I], one row of the dense part's input gradient
    private final float[] logits;       // [classes], one image's
    private final float[] probs;        // [classes], one image's
    private final float[] dLogits;      // [group][classes]

    /**
     * {@code layers} and {@code parameters}: the network's, with group buffers in the dense part; the
     * other slots' stacks are built here and share those parameters' values and gradients.
     */
    GroupRunner(Kernels kernels, NetworkSpec spec, Shape input, List<Layer> layers, List<Parameter> parameters,
                int group) {
        this.kernels = kernels;
        this.group = group;
        this.classes = spec.classes();
        int split = 0;
        while (!(layers.get(split) instanceof DenseLayer)) {
            split++; // a spec ends with dense:K, so there is one
        }
        perImage = new Layer[group][];
        perImage[0] = layers.subList(0, split).toArray(new Layer[0]);
        List<Parameter> own = new ArrayList<>();
        for (Layer layer : perImage[0]) {
            own.addAll(layer.parameters());
        }
        perImageParameters = own.toArray(new Parameter[0]);
        for (int s = 1; s < group; s++) {
            perImage[s] = Network.layers(kernels, spec, input, 0, true).toArray(new Layer[0]);
            int p = 0; // the per-image part's parameters come first in the network's list, in the same order
            for (Layer layer : perImage[s]) {
                for (Parameter parameter : layer.parameters()) {
                    parameter.shareValues(parameters.get(p));
                    parameter.shareGradient(parameters.get(p));
                    p++;
                }
            }
        }
        dense = new GroupLayer[layers.size() - split];
        for (int d = 0; d < dense.length; d++) {
            if (!(layers.get(split + d) instanceof GroupLayer layer) || layer.groupCapacity() < group) {
                throw new IllegalStateException(layers.get(split + d).describe() + " after the first dense layer "
                        + "cannot run over a group of " + group);
            }
            dense[d] = layer;
        }
        denseInputs = Math.toIntExact(layers.get(split).inputShape().size());
        denseIn = new float[Math.multiplyExact(group, denseInputs)];
        rowGradient = new float[denseInputs];
        logits = new float[classes];
        probs = new float[classes];
        dLogits = new float[group * classes];
    }

    /** The most images a call takes. */
    int size() {
        return group;
    }

    // images 0..count-1 through their slots' stacks into the rows of denseIn, then the dense part over
    // the group: logits [group][classes], rows 0..count-1 filled (indexed loops: no iterator to allocate)
    private float[] forward(float[][] images, int count, boolean training) {
        for (int s = 0; s < count; s++) {
            Layer[] stack = perImage[s];
            float[] values = images[s];
            for (int k = 0; k < stack.length; k++) {
                values = stack[k].forward(values, training);
            }
            System.arraycopy(values, 0, denseIn, s * denseInputs, denseInputs);
        }
        float[] values = denseIn;
        for (int d = 0; d < dense.length; d++) {
            values = dense[d].forwardGroup(values, count);
        }
        return values;
    }

    // image s's row of logitRows, through softmax into probs
    private void softmax(float[] logitRows, int s) {
        System.arraycopy(logitRows, s * classes, logits, 0, classes);
        kernels.softmax(logits, classes, probs);
    }

    void forwardGroup(float[][] images, int count, float[][] probsOut, int[] predicted) {
        float[] logitRows = forward(images, count, false);
        for (int s = 0; s < count; s++) {
            softmax(logitRows, s);
            System.arraycopy(probs, 0, probsOut[s], 0, classes);
            predicted[s] = Network.argmax(probs);
        }
    }

    // accumulate false: the gradients start from zero, not from what they hold. The per-image part's
    // (conv weights, small) are zeroed here; the dense layers', nearly all the bytes, are written by
    // their backward without being read
    double addGradients(float[][] images, int[] labels, int count, double[] losses, int[] predicted,
                        boolean accumulate) {
        if (!accumulate) {
            for (Parameter parameter : perImageParameters) {
                Arrays.fill(parameter.gradient(), 0f);
            }
        }
        float[] logitRows = forward(images, count, true);
        double total = 0;
        for (int s = 0; s < count; s++) {
            // dLogits[s] = probs - onehot(label), the gradient of -ln(probs[label]), as Network has it
            softmax(logitRows, s);
            int label = labels[s];
            int row = s * classes;
            for (int o = 0; o < classes; o++) {
                dLogits[row + o] = probs[o] - (o == label ? 1f : 0f);
            }
            losses[s] = -Math.log(probs[label]);
            predicted[s] = Network.argmax(probs);
            total += losses[s];
        }
        boolean perImagePart = perImage[0].length > 0;
        float[] gradient = dLogits;
        for (int d = dense.length - 1; d >= 0; d--) {
            gradient = dense[d].backwardGroup(gradient, count, d > 0 || perImagePart, accumulate);
        }
        if (!perImagePart) {
            return total;
        }
        // slot by slot in image order, so that each shared gradient receives its terms as one image
        // after another would add them; the first layer computes no input gradient, as in Network
        for (int s = 0; s < count; s++) {
            System.arraycopy(gradient, s * denseInputs, rowGradient, 0, denseInputs);
            Layer[] stack = perImage[s];
            float[] g = rowGradient;
            for (int k = stack.length - 1; k >= 0; k--) {
                g = stack[k].backward(g, k > 0);
            }
        }
        return total;
    }
}
