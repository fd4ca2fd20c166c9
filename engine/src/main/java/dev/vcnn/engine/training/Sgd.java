package dev.vcnn.engine.training;

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

    /** Whether each sample's update is applied at once, inside its backward pass. */
    boolean perSample() {
        return batchSize == 1 && momentum == 0f;
    }

    /** Applies the gradients summed over {@code samples} samples, then zeroes them. */
    void update(Network network, int samples) {
        float scale = 1f / samples;
        List<Parameter> parameters = network.parameters();
        for (int k = 0; k < parameters.size(); k++) { // indexed: no iterator to allocate per update
            Parameter p = parameters.get(k);
            network.kernels().sgdMomentumUpdate(p.values(), p.velocity(), p.gradient(), p.size(), learningRate,
                    momentum, scale);
        }
        network.zeroGradients();
    }

    /**
     * Applies {@code gradients[p]}, the gradient of parameter p summed over {@code samples} samples
     * (the data-parallel trainer's reduced shard sums), to the network's parameters; leaves the arrays as they are.
     */
    void update(Network network, float[][] gradients, int samples) {
        float scale = 1f / samples;
        var parameters = network.parameters();
        for (int k = 0; k < parameters.size(); k++) {
            Parameter p = parameters.get(k);
            network.kernels().sgdMomentumUpdate(p.values(), p.velocity(), gradients[k], p.size(), learningRate,
                    momentum, scale);
        }
    }
}
