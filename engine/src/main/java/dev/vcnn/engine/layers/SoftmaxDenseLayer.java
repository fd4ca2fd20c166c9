package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;

import java.util.random.RandomGenerator;

/**
 * Fully connected layer followed by softmax (the post's "Softmax layer"): x [I] -> probs [O].
 * Weights are stored output-major, [O][I], so each output's weights are one contiguous row;
 * they start as standard normal / I and the biases as 0, as in the seed.
 */
public final class SoftmaxDenseLayer {
    private final Kernels kernels;
    private final int inputs;
    private final int outputs;

    private final float[] weights;  // [O][I]
    private final float[] biases;   // [O]
    private final float[] logits;   // [O]
    private final float[] probs;    // [O]
    private final float[] dLogits;  // [O]
    private final float[] dx;       // [I]
    private float[] lastInput;      // [I], the caller's array, kept for backward

    public SoftmaxDenseLayer(Kernels kernels, int inputs, int outputs, RandomGenerator random) {
        if (inputs < 1 || outputs < 2) {
            throw new IllegalArgumentException("softmax dense needs >= 1 input and >= 2 outputs, got "
                    + inputs + " -> " + outputs);
        }
        this.kernels = kernels;
        this.inputs = inputs;
        this.outputs = outputs;
        this.weights = new float[outputs * inputs];
        this.biases = new float[outputs];
        this.logits = new float[outputs];
        this.probs = new float[outputs];
        this.dLogits = new float[outputs];
        this.dx = new float[inputs];
        for (int k = 0; k < weights.length; k++) {
            weights[k] = (float) (random.nextGaussian() / inputs);
        }
    }

    /** x [I] -> class probabilities [O]; the returned array is this layer's and is reused. */
    public float[] forward(float[] x) {
        lastInput = x;
        kernels.denseForward(x, inputs, weights, biases, outputs, logits);
        kernels.softmax(logits, outputs, probs);
        return probs;
    }

    /**
     * Cross-entropy backward for the true class {@code label}, then the SGD step. The gradient of
     * -ln(probs[label]) with respect to the logits is probs - onehot(label). Returns dx [I],
     * computed with the weights before the update.
     */
    public float[] backward(int label, float lr) {
        for (int o = 0; o < outputs; o++) {
            dLogits[o] = probs[o] - (o == label ? 1f : 0f);
        }
        kernels.denseBackwardUpdate(lastInput, inputs, weights, biases, outputs, dLogits, lr, dx);
        return dx;
    }

    /** The live weights [O][I]; changes to the array change the layer. */
    public float[] weights() {
        return weights;
    }

    /** The live biases [O]. */
    public float[] biases() {
        return biases;
    }

    /** The logits of the last forward pass [O]. */
    public float[] logits() {
        return logits;
    }

    public int inputs() {
        return inputs;
    }

    public int outputs() {
        return outputs;
    }
}
