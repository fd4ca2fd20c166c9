package dev.vcnn.engine.network;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Conv3x3Layer;
import dev.vcnn.engine.layers.Conv3x3MaxPoolLayer;
import dev.vcnn.engine.layers.DenseLayer;
import dev.vcnn.engine.layers.Layer;
import dev.vcnn.engine.layers.MaxPool2x2Layer;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.layers.ReluLayer;
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
 */
public final class Network {
    public static final int SEED_CLASSES = 10;

    private final Kernels kernels;
    private final NetworkSpec spec;
    private final Shape input;
    private final List<Layer> layers;
    private final List<Parameter> parameters;
    private final int classes;
    private final float[] probs;    // [classes]
    private final float[] dLogits;  // [classes]
    private int lastPredicted = -1;

    private Network(Kernels kernels, NetworkSpec spec, Shape input, List<Layer> layers) {
        this.kernels = kernels;
        this.spec = spec;
        this.input = input;
        this.layers = List.copyOf(layers);
        List<Parameter> all = new ArrayList<>();
        for (Layer layer : layers) {
            all.addAll(layer.parameters());
        }
        this.parameters = List.copyOf(all);
        this.classes = spec.classes();
        this.probs = new float[classes];
        this.dLogits = new float[classes];
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
        List<Layer> layers = new ArrayList<>();
        List<LayerSpec> tokens = spec.layers();
        Shape shape = input;
        for (int k = 0; k < tokens.size(); k++) {
            LayerSpec token = tokens.get(k);
            // a conv without a bias and the pool after it run as one kernel each way, as in the seed
            boolean fusePool = k + 1 < tokens.size() && tokens.get(k + 1) instanceof LayerSpec.MaxPool2
                    && shape.height() >= 4 && shape.width() >= 4;
            Layer layer = switch (token) {
                case LayerSpec.Conv3x3 conv when !conv.bias() && fusePool -> {
                    k++;
                    yield new Conv3x3MaxPoolLayer(kernels, k - 1, shape, conv.filters());
                }
                case LayerSpec.Conv3x3 conv -> new Conv3x3Layer(kernels, k, shape, conv.filters(), conv.bias());
                case LayerSpec.MaxPool2 pool -> new MaxPool2x2Layer(kernels, shape);
                case LayerSpec.Relu relu -> new ReluLayer(kernels, shape);
                case LayerSpec.Dense dense -> new DenseLayer(kernels, k, shape, dense.outputs());
            };
            layers.add(layer);
            shape = layer.outputShape();
        }
        Network network = new Network(kernels, spec, input, layers);
        network.initialise(random);
        return network;
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

    /** Sets every parameter's batch gradient to zero. */
    public void zeroGradients() {
        for (int k = 0; k < parameters.size(); k++) {
            Arrays.fill(parameters.get(k).gradient(), 0f);
        }
    }

    /**
     * Null when every parameter is a finite number, else what is not, e.g. "2.bias holds -Infinity at
     * index 3": a diverged network says so here.
     */
    public String nonFiniteParameter() {
        for (int k = 0; k < parameters.size(); k++) {
            Parameter parameter = parameters.get(k);
            String bad = parameter.nonFinite();
            if (bad != null) {
                return parameter.name() + " holds " + bad;
            }
        }
        return null;
    }

    /** The class the last forward pass ranked highest. */
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
