package dev.vcnn.engine.model;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.network.Network;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * A model read from a file: what its metadata says and its parameters, already checked against
 * the metadata's architecture.
 *
 * @param convFilters  [F][C][3][3]
 * @param denseWeights [classes][F * pooled height * pooled width], output-major
 * @param denseBiases  [classes]
 */
public record SavedModel(Path file, ModelInfo info, float[] convFilters, float[] denseWeights,
                         float[] denseBiases) {

    /** A network of the saved architecture holding the saved parameters. */
    public Network network(Kernels kernels) {
        Network network = info.architecture().build(kernels);
        copyParameters(network);
        return network;
    }

    /**
     * Overwrites the parameters of an existing network, for resuming or fine-tuning. The network's
     * shapes must be the saved ones; otherwise the message names the first array that differs.
     */
    public void copyInto(Network network) throws ModelFormatException {
        Architecture wanted = Architecture.of(network);
        Architecture saved = info.architecture();
        check(ModelFile.CONV_FILTERS, saved.convFiltersShape(), wanted.convFiltersShape());
        check(ModelFile.DENSE_WEIGHTS, saved.denseWeightsShape(), wanted.denseWeightsShape());
        check(ModelFile.DENSE_BIASES, saved.denseBiasesShape(), wanted.denseBiasesShape());
        if (saved.height() != wanted.height() || saved.width() != wanted.width()) {
            throw new ModelFormatException(file + ": takes " + saved.height() + "x" + saved.width()
                    + " images, but this data has " + wanted.height() + "x" + wanted.width());
        }
        copyParameters(network);
    }

    private void check(String array, int[] saved, int[] wanted) throws ModelFormatException {
        if (!Arrays.equals(saved, wanted)) {
            throw new ModelFormatException(file + ": the array " + array + " has shape " + NpyArray.shapeText(saved)
                    + ", but this network needs " + NpyArray.shapeText(wanted));
        }
    }

    private void copyParameters(Network network) {
        System.arraycopy(convFilters, 0, network.conv().filters(), 0, convFilters.length);
        System.arraycopy(denseWeights, 0, network.dense().weights(), 0, denseWeights.length);
        System.arraycopy(denseBiases, 0, network.dense().biases(), 0, denseBiases.length);
    }
}
