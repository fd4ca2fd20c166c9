package dev.vcnn.engine.network;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Conv3x3Layer;
import dev.vcnn.engine.layers.MaxPool2x2Layer;
import dev.vcnn.engine.layers.SoftmaxDenseLayer;

import java.util.random.RandomGenerator;

/**
 * The seed's CNN: conv3x3 -> max-pool 2x2 -> softmax dense, trained one sample at a time.
 * <pre>
 *   image  [C][H][W]          1x28x28 in the seed
 *   conv   [F][H-2][W-2]      8x26x26
 *   pool   [F][(H-2)/2][(W-2)/2]  8x13x13 = 1352 values
 *   dense  [classes]          10 probabilities
 * </pre>
 * Buffers are sized once here; a training step allocates nothing.
 */
public final class Network {
    public static final int SEED_FILTERS = 8;
    public static final int SEED_CLASSES = 10;

    private final Conv3x3Layer conv;
    private final MaxPool2x2Layer pool;
    private final SoftmaxDenseLayer dense;
    private final int channels;
    private final int height;
    private final int width;
    private int lastPredicted = -1;

    /** Initialises the parameters from {@code random}, conv filters first, then dense weights. */
    public Network(Kernels kernels, int channels, int height, int width, int filters, int classes,
                   RandomGenerator random) {
        this.conv = new Conv3x3Layer(kernels, channels, height, width, filters, random);
        this.pool = new MaxPool2x2Layer(kernels, filters, conv.outputHeight(), conv.outputWidth());
        this.dense = new SoftmaxDenseLayer(kernels, filters * pool.outputHeight() * pool.outputWidth(),
                classes, random);
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /** The seed's shapes: one 28x28 channel, 8 filters, 10 classes. */
    public static Network seed(Kernels kernels, RandomGenerator random) {
        return new Network(kernels, 1, 28, 28, SEED_FILTERS, SEED_CLASSES, random);
    }

    /** image [C][H][W] -> class probabilities [classes] (this network's array, reused). */
    public float[] forward(float[] image) {
        return forward(image, false);
    }

    // conv and pool run as one kernel, which records the pool's argmax only for a backward pass
    private float[] forward(float[] image, boolean forBackward) {
        float[] probs = dense.forward(pool.forward(conv, image, forBackward));
        lastPredicted = argmax(probs);
        return probs;
    }

    /**
     * One step of per-sample SGD: forward, cross-entropy loss, backward through every layer and
     * update. Returns the loss -ln(probs[label]) of the forward pass, before the update.
     */
    public double trainStep(float[] image, int label, float lr) {
        float[] probs = forward(image, true);
        double loss = -Math.log(probs[label]);
        float[] dPooled = dense.backward(label, lr);
        // the pool's backward and the conv's filter gradient run as one kernel, so dConv is never built
        conv.backwardThroughPool(dPooled, pool, lr);
        return loss;
    }

    /**
     * Null when every parameter is a finite number, else what is not, e.g. "the dense biases hold
     * -Infinity at index 3": a diverged network says so here.
     */
    public String nonFiniteParameter() {
        String bad = nonFinite("conv filters", conv.filters());
        if (bad == null) {
            bad = nonFinite("dense weights", dense.weights());
        }
        return bad != null ? bad : nonFinite("dense biases", dense.biases());
    }

    private static String nonFinite(String name, float[] values) {
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                return "the " + name + " hold " + values[k] + " at index " + k;
            }
        }
        return null;
    }

    /** The class the last forward pass ranked highest. */
    public int lastPredicted() {
        return lastPredicted;
    }

    /** Values per input image: channels * height * width. */
    public int imageSize() {
        return channels * height * width;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int classes() {
        return dense.outputs();
    }

    public Conv3x3Layer conv() {
        return conv;
    }

    public MaxPool2x2Layer pool() {
        return pool;
    }

    public SoftmaxDenseLayer dense() {
        return dense;
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
