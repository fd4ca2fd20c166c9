package dev.vcnn.engine.training;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.network.Network;

import java.util.List;

/**
 * Mini-batch SGD with momentum, as PyTorch's {@code torch.optim.SGD}: the gradient is averaged over
 * the batch, {@code v = momentum * v + g}, {@code w -= learningRate * v}. A batch of 1 without momentum
 * is the seed's per-sample SGD, which the network runs with each layer's update fused into its
 * backward pass.
 */
public record Sgd(float learningRate, int batchSize, float momentum) {

    public Sgd {
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("the learning rate must be a positive finite number, got "
                    + learningRate);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("the batch size must be at least 1, got " + batchSize);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("the momentum must be at least 0 and below 1, got " + momentum);
        }
    }

    /** The seed's per-sample SGD at {@code learningRate}. */
    public static Sgd perSample(float learningRate) {
        return new Sgd(learningRate, 1, 0f);
    }

    /** Whether each sample's update is applied at once, inside its backward pass: batch 1, no momentum. */
    public boolean perSample() {
        return batchSize == 1 && momentum == 0f;
    }

    /** Applies the gradients summed over {@code samples} samples, then zeroes them. */
    void update(Network network, int samples) {
        List<Parameter> parameters = network.parameters();
        for (int k = 0; k < parameters.size(); k++) { // indexed: no iterator to allocate per update
            Parameter p = parameters.get(k);
            update(network.kernels(), p, p.gradient(), 0, p.size(), samples);
        }
        network.zeroGradients();
    }

    /**
     * Applies elements [from, to) of {@code gradient}, parameter p's gradient summed over
     * {@code samples} samples, to p: one piece of the update, which the data-parallel trainer hands
     * to whichever thread claims it. Each element's update depends on that element alone, so the
     * pieces give the same bits as one whole update.
     */
    void update(Kernels kernels, Parameter p, float[] gradient, int from, int to, int samples) {
        update(kernels, p.values(), p.velocity(), gradient, from, to, samples);
    }

    /** The same piece of an update on {@code values} and {@code velocity}: a parameter's, or a copy of its values. */
    void update(Kernels kernels, float[] values, float[] velocity, float[] gradient, int from, int to, int samples) {
        kernels.sgdMomentumUpdate(values, velocity, gradient, from, to, learningRate, momentum, 1f / samples);
    }
}
