package dev.vcnn.engine.model;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.network.Network;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SequencedMap;

/**
 * A model read from a file: what its metadata says and its parameters, already checked against
 * the metadata's architecture.
 *
 * @param parameters each parameter's values by name ({@code 0.weight}, ...), in the network's order
 * @param velocities each parameter's SGD momentum velocity by the same names; empty when the model was
 *                   trained without momentum
 */
public record SavedModel(Path file, ModelInfo info, SequencedMap<String, float[]> parameters,
                         SequencedMap<String, float[]> velocities) {

    /** A network of the saved architecture holding the saved parameters and velocities. */
    public Network network(Kernels kernels) {
        Network network = info.architecture().build(kernels);
        copyParameters(network);
        return network;
    }

    /**
     * Overwrites the parameters (and velocities) of an existing network, for resuming or fine-tuning.
     * The network's spec, input and parameter shapes must be the saved ones; otherwise the message says
     * what differs, naming the first array that does and both shapes.
     */
    public void copyInto(Network network) throws ModelFormatException {
        Architecture saved = info.architecture();
        if (!saved.input().equals(network.inputShape())) {
            throw new ModelFormatException(file + ": takes images of " + saved.input() + ", but this data has "
                    + network.inputShape());
        }
        SequencedMap<String, int[]> savedShapes = saved.parameterShapes();
        for (Parameter parameter : network.parameters()) {
            float[] values = parameters.get(parameter.name());
            if (values == null) {
                throw new ModelFormatException(file + ": has no array " + parameter.name() + ", which this network ("
                        + network.spec() + ") needs with shape " + NpyArray.shapeText(parameter.shape()));
            }
            int[] savedShape = savedShapes.get(parameter.name());
            if (!Arrays.equals(savedShape, parameter.shape())) {
                throw new ModelFormatException(file + ": the array " + parameter.name() + " has shape "
                        + NpyArray.shapeText(savedShape) + ", but this network (" + network.spec() + ") needs "
                        + NpyArray.shapeText(parameter.shape()));
            }
        }
        if (!saved.spec().equals(network.spec())) {
            throw new ModelFormatException(file + ": is a model of " + saved.spec() + ", not of " + network.spec());
        }
        copyParameters(network);
    }

    private void copyParameters(Network network) {
        for (Parameter parameter : network.parameters()) {
            float[] values = parameters.get(parameter.name());
            System.arraycopy(values, 0, parameter.values(), 0, values.length);
            // a model saved without momentum has no velocities: training on from it starts them at 0
            float[] velocity = velocities.get(parameter.name());
            if (velocity != null) {
                System.arraycopy(velocity, 0, parameter.velocity(), 0, velocity.length);
            } else {
                Arrays.fill(parameter.velocity(), 0f);
            }
        }
    }

    /** The values of the parameter named {@code name}, e.g. {@code 0.weight}, or null. */
    public float[] parameter(String name) {
        return parameters.get(name);
    }
}
