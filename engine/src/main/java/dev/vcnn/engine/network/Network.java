package dev.vcnn.engine.network;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Conv3x3Layer;
import dev.vcnn.engine.layers.Conv3x3MaxPoolLayer;
import dev.vcnn.engine.layers.DenseLayer;
import dev.vcnn.engine.layers.Layer;
import dev.vcnn.engine.layers.MaxPool2x2Layer;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.layers.ReluLayer;
import dev.vcnn.engine.layers.ReluMaxPool2x2Layer;
import dev.vcnn.engine.layers.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A stack of layers built from a {@link NetworkSpec}, ending in softmax and cross-entropy. The seed's:
 * <pre>
 *   image  [C][H][W]              1x28x28
 *   conv3x3:8:nobias + maxpool2   8x13x13 = 1352 values (one fused layer)
 *   dense:10 + softmax            10 probabilities
 * </pre>
 * Forward runs the layers in order, each on the output of the one before; backward runs them in
 * reverse, each handing the one before it its input gradient (the first layer computes none).
 * Buffers are sized once here; a training step allocates nothing.
 *
 * <p>A {@link #replica} shares this network's values and also runs a group of images at once: the
 * layers before the first dense one per image, on a stack of their own for each image of the group,
 * and the dense part over the whole group, which reads each weight matrix once per group
 * (see {@link GroupRunner}). Its results are those of one image after another, bit for bit.
 */
public final class Network {
    public static final int SEED_CLASSES = 10;
    // nonFiniteParameter's scan: the scalar reference whatever the network's kernels. A trainer calls
    // it once a window, too seldom for C2 to compile a vector loop before a short run ends, and the
    // Vector API runs hundreds of times slower until then: the seed job's 30 scans took 100-130 ms
    // with the vector kernel, under 1 ms this way; hot, the scalar loop takes 4.5 us for the seed
    private static final Kernels SCAN = KernelSelection.scalar();

    private final Kernels kernels;
    private final NetworkSpec spec;
    private final Shape input;
    private final List<Layer> layers;
    private final List<Parameter> parameters;
    private final int classes;
    private final float[] probs;    // [classes]
    private final float[] dLogits;  // [classes]
    private final DenseLayer[] denseLayers; // those of layers, in order
    private final GroupRunner group; // a replica's, else null
    private int lastPredicted = -1;

    // with a master, the parameters share its values; with a group size, the layers' dense part has
    // group buffers and the per-image part is built once more for every further slot of the group
    private Network(Kernels kernels, NetworkSpec spec, Shape input, List<Layer> layers, Network master, int group) {
        this.kernels = kernels;
        this.spec = spec;
        this.input = input;
        this.layers = List.copyOf(layers);
        List<Parameter> all = new ArrayList<>();
        List<DenseLayer> dense = new ArrayList<>();
        for (Layer layer : layers) {
            all.addAll(layer.parameters());
            if (layer instanceof DenseLayer d) {
                dense.add(d);
            }
        }
        this.parameters = List.copyOf(all);
        this.denseLayers = dense.toArray(new DenseLayer[0]);
        this.classes = spec.classes();
        this.probs = new float[classes];
        this.dLogits = new float[classes];
        if (master != null) {
            for (int p = 0; p < parameters.size(); p++) {
                parameters.get(p).shareValues(master.parameters.get(p));
            }
        }
        // after the sharing above, so that the other slots' stacks share the master's arrays too
        this.group = group > 0 ? new GroupRunner(kernels, spec, input, this.layers, parameters, group) : null;
    }

    /**
     * Builds {@code spec} for {@code input} images and {@code classes} classes, drawing the initial
     * parameters from {@code random}: the seed's network as the seed does (filters normal / 9, dense
     * weights normal / inputs, biases 0), any other as PyTorch does by default (weights and biases
     * uniform in +-1/sqrt(fan_in)), layer by layer, weight before bias. Throws
     * {@link NetworkSpecException} when the spec does not fit the input or the classes.
     */
    public static Network build(Kernels kernels, NetworkSpec spec, Shape input, int classes,
                                RandomGenerator random) {
        spec.shapes(input, classes); // every shape and size problem, as one sentence, before any allocation
        Network network = new Network(kernels, spec, input, layers(kernels, spec, input, 0, false), null, 0);
        network.initialise(random);
        return network;
    }

    // spec's layers for input images, in order. The dense part (the first dense layer and all after it)
    // gets buffers for groups of `group` images, none for 0; perImageOnly stops before it
    static List<Layer> layers(Kernels kernels, NetworkSpec spec, Shape input, int group, boolean perImageOnly) {
        List<Layer> layers = new ArrayList<>();
        List<LayerSpec> tokens = spec.layers();
        Shape shape = input;
        boolean densePart = false;
        for (int k = 0; k < tokens.size(); k++) {
            LayerSpec token = tokens.get(k);
            densePart |= token instanceof LayerSpec.Dense;
            if (densePart && perImageOnly) {
                break;
            }
            // a conv without a bias and the pool after it run as one kernel each way, as in the seed
            // (fusePool); a relu and the pool after it as one layer that applies the relu to the pooled
            // quarter of the values
            boolean poolNext = k + 1 < tokens.size() && tokens.get(k + 1) instanceof LayerSpec.MaxPool2;
            boolean fusePool = poolNext && shape.height() >= 4 && shape.width() >= 4;
            boolean fuseRelu = poolNext && shape.height() >= 2 && shape.width() >= 2;
            Layer layer = switch (token) {
                case LayerSpec.Conv3x3 conv when !conv.bias() && fusePool -> {
                    k++;
                    yield new Conv3x3MaxPoolLayer(kernels, k - 1, shape, conv.filters());
                }
                case LayerSpec.Relu relu when fuseRelu -> {
                    k++;
                    yield new ReluMaxPool2x2Layer(kernels, shape);
                }
                case LayerSpec.Conv3x3 conv -> new Conv3x3Layer(kernels, k, shape, conv.filters(), conv.bias());
                case LayerSpec.MaxPool2 pool -> new MaxPool2x2Layer(kernels, shape);
                case LayerSpec.Relu relu -> new ReluLayer(kernels, shape, densePart ? group : 0);
                case LayerSpec.Dense dense -> new DenseLayer(kernels, k, shape, dense.outputs(), group);
            };
            layers.add(layer);
            shape = layer.outputShape();
        }
        return layers;
    }

    /**
     * A network of the same spec, input shape and classes whose parameters hold this network's values
     * arrays themselves (shared, not copied: an update of this network is seen by the replica at once),
     * with gradients, velocities and buffers of its own, that also runs groups of up to {@code group}
     * images ({@link #addGradients}, {@link #forwardGroup}). Its per-sample methods work as this
     * network's do. A replica is for gradients and forward passes: only this network is to be updated.
     */
    public Network replica(int group) {
        if (group < 1) {
            throw new IllegalArgumentException("a replica runs groups of at least 1 image, got " + group);
        }
        return new Network(kernels, spec, input, layers(kernels, spec, input, group, false), this, group);
    }

    /** The seed's network: one 28x28 channel, 8 filters, 10 classes. */
    public static Network seed(Kernels kernels, RandomGenerator random) {
        return build(kernels, NetworkSpec.seed(), new Shape(1, 28, 28), SEED_CLASSES, random);
    }

    private void initialise(RandomGenerator random) {
        if (spec.isSeed()) {
            // the seed's draws, in its order: all filters, then the dense weights; biases stay 0
            Parameter filters = parameters.getFirst();
            Parameter weights = parameters.get(1);
            for (int k = 0; k < filters.size(); k++) {
                filters.values()[k] = (float) (random.nextGaussian() / 9.0);
            }
            int inputs = weights.shape()[1];
            for (int k = 0; k < weights.size(); k++) {
                weights.values()[k] = (float) (random.nextGaussian() / inputs);
            }
            return;
        }
        for (Parameter parameter : parameters) {
            // a bias takes the fan-in of its weight, which comes just before it
            int[] weightShape = parameter.shape().length > 1 ? parameter.shape()
                    : parameters.get(parameters.indexOf(parameter) - 1).shape();
            double bound = 1.0 / Math.sqrt(fanIn(weightShape));
            float[] values = parameter.values();
            for (int k = 0; k < values.length; k++) {
                values[k] = (float) random.nextDouble(-bound, bound);
            }
        }
    }

    // a weight's values per output: C*3*3 for a conv's [F][C][3][3], the inputs for a dense [O][I]
    private static int fanIn(int[] weightShape) {
        int fanIn = 1;
        for (int d = 1; d < weightShape.length; d++) {
            fanIn *= weightShape[d];
        }
        return fanIn;
    }

    /** image [C][H][W] -> class probabilities [classes] (this network's array, reused). */
    public float[] forward(float[] image) {
        return forward(image, false);
    }

    private float[] forward(float[] image, boolean training) {
        // indexed loops here and below: a for-each's iterator is an allocation per step wherever C2's
        // escape analysis does not remove it (C1 code, or a JVM whose profiles other networks have shaped)
        float[] values = image;
        for (int k = 0; k < layers.size(); k++) {
            values = layers.get(k).forward(values, training);
        }
        kernels.softmax(values, classes, probs);
        lastPredicted = argmax(probs);
        return probs;
    }

    /**
     * One step of per-sample SGD, the seed's training: forward, cross-entropy loss, backward through
     * every layer with each layer's update applied as it goes. Returns the loss -ln(probs[label]) of the
     * forward pass, before the update.
     */
    public double trainStep(float[] image, int label, float lr) {
        double loss = lossGradient(image, label);
        float[] gradient = dLogits;
        for (int k = layers.size() - 1; k >= 0; k--) {
            gradient = layers.get(k).backwardAndUpdate(gradient, k > 0, lr);
        }
        return loss;
    }

    /**
     * Forward and backward for one sample of a batch: adds its parameter gradients to each parameter's
     * {@link Parameter#gradient()} and changes no parameter. Returns the sample's loss.
     */
    public double addGradient(float[] image, int label) {
        double loss = lossGradient(image, label);
        float[] gradient = dLogits;
        for (int k = layers.size() - 1; k >= 0; k--) {
            gradient = layers.get(k).backward(gradient, k > 0);
        }
        return loss;
    }

    // forward for training; dLogits = probs - onehot(label), the gradient of -ln(probs[label])
    private double lossGradient(float[] image, int label) {
        float[] p = forward(image, true);
        for (int o = 0; o < classes; o++) {
            dLogits[o] = p[o] - (o == label ? 1f : 0f);
        }
        return -Math.log(p[label]);
    }

    /**
     * {@link #addGradient} for images 0..count-1 of {@code images} (each [C][H][W]) with their
     * {@code labels}, as a group: the per-image layers image by image, the dense part over all of them
     * at once. Adds the very same gradient sums, bit for bit, as addGradient for s = 0, 1, ... in turn;
     * writes each image's loss to {@code losses[s]} and the class it ranked highest to
     * {@code predicted[s]}, and returns the losses' sum. Only on a {@link #replica}, for 1 to
     * {@link #groupCapacity()} images; allocates nothing.
     */
    public double addGradients(float[][] images, int[] labels, int count, double[] losses, int[] predicted) {
        double loss = group(count).addGradients(images, labels, count, losses, predicted, true);
        lastPredicted = predicted[count - 1];
        return loss;
    }

    /**
     * {@link #addGradients} onto zero gradients: every parameter's gradient is set to the group's sum,
     * bit for bit what {@link #zeroGradients} and then addGradients give, without reading what the
     * gradients held (a shard of data-parallel training starts its sums this way, so its buffer needs
     * no zeroing pass). After {@link #keepDenseRows}, the dense weights' gradients are left alone, in
     * this call as in addGradients.
     */
    public double setGradients(float[][] images, int[] labels, int count, double[] losses, int[] predicted) {
        double loss = group(count).addGradients(images, labels, count, losses, predicted, false);
        lastPredicted = predicted[count - 1];
        return loss;
    }

    /**
     * {@link #forward} for images 0..count-1 of {@code images}, as a group: writes the class
     * probabilities of image s to {@code probs[s]} (of at least {@link #classes()} floats) and the class
     * it ranked highest to {@code predicted[s]}, the same numbers bit for bit as one forward pass after
     * another. Only on a {@link #replica}, for 1 to {@link #groupCapacity()} images; allocates nothing.
     */
    public void forwardGroup(float[][] images, int count, float[][] probs, int[] predicted) {
        group(count).forwardGroup(images, count, probs, predicted);
        lastPredicted = predicted[count - 1];
    }

    /** Rows for the dense layers of batches of up to {@code capacity} samples: see {@link DenseRows}. */
    public DenseRows denseRows(int capacity) {
        return new DenseRows(this, capacity);
    }

    /**
     * Makes this replica's dense layers keep their rows in {@code rows} (made by this network or the
     * master it replicates) instead of adding their weight gradients; null: back to adding them.
     */
    public void keepDenseRows(DenseRows rows) {
        for (int k = 0; k < denseLayers.length; k++) {
            denseLayers[k].keepRows(rows == null ? null : rows.inputs(k), rows == null ? null : rows.gradients(k));
        }
    }

    /** The batch row of the next group's first image, for {@link #keepDenseRows}. */
    public void denseRowsFrom(int row) {
        for (DenseLayer dense : denseLayers) {
            dense.keepRowsFrom(row);
        }
    }

    /** The dense layers, in order. */
    List<DenseLayer> denseLayers() {
        return List.of(denseLayers);
    }

    private GroupRunner group(int count) {
        if (group == null) {
            throw new IllegalStateException("only a replica runs groups of images: see Network.replica");
        }
        if (count < 1 || count > group.size()) {
            throw new IllegalArgumentException("a group of " + count + " images for a replica that takes 1 to "
                    + group.size());
        }
        return group;
    }

    /** The most images {@link #addGradients} and {@link #forwardGroup} take: a replica's group size, else 0. */
    public int groupCapacity() {
        return group == null ? 0 : group.size();
    }

    /** Sets every parameter's batch gradient to zero. */
    public void zeroGradients() {
        for (int k = 0; k < parameters.size(); k++) {
            Arrays.fill(parameters.get(k).gradient(), 0f);
        }
    }

    /**
     * Null when every parameter is a finite number, else what is not, e.g. "2.bias holds -Infinity at
     * index 3": a diverged network says so here. (A trainer in batches has each thread scan its own
     * share instead, with the network's kernels: see ShardedStep.)
     */
    public String nonFiniteParameter() {
        for (int k = 0; k < parameters.size(); k++) {
            float[] values = parameters.get(k).values();
            int bad = SCAN.firstNonFinite(values, 0, values.length);
            if (bad >= 0) {
                return parameters.get(k).describeValue(bad);
            }
        }
        return null;
    }

    /** The class the last forward pass ranked highest; after a group, the class of its last image. */
    public int lastPredicted() {
        return lastPredicted;
    }

    public Kernels kernels() {
        return kernels;
    }

    public NetworkSpec spec() {
        return spec;
    }

    /** The input images' shape. */
    public Shape inputShape() {
        return input;
    }

    /** Values per input image: channels * height * width. */
    public int imageSize() {
        return Math.toIntExact(input.size());
    }

    public int classes() {
        return classes;
    }

    /** The layers in order; a fused layer stands for two spec tokens. */
    public List<Layer> layers() {
        return layers;
    }

    /** Every trainable array, in spec order, weight before bias. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** The parameter named {@code name}, e.g. {@code 0.weight}, or null. */
    public Parameter parameter(String name) {
        for (Parameter parameter : parameters) {
            if (parameter.name().equals(name)) {
                return parameter;
            }
        }
        return null;
    }

    /** The first layer's conv filters [F][C][3][3], or null when the network starts with another layer. */
    public Parameter firstConvWeight() {
        Parameter first = parameter("0.weight");
        return first != null && first.shape().length == 4 ? first : null;
    }

    /** Index of the largest value; the first one on ties. */
    static int argmax(float[] values) {
        int best = 0;
        for (int k = 1; k < values.length; k++) {
            if (values[k] > values[best]) {
                best = k;
            }
        }
        return best;
    }
}
