package dev.vcnn.cli;

import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.data.DataFormatException;
import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.model.Architecture;

import java.nio.file.Path;

/**
 * Whether data and a network go together, checked before any step is taken so that a mismatch is one
 * sentence naming the file rather than an exception from deep inside the engine.
 */
final class DataFit {

    private DataFit() {
    }

    /** The architecture vcnn train builds for these training images, or why there can be none. */
    static Architecture forTraining(Dataset train) throws DataFormatException {
        try {
            return new Architecture(1, train.rows(), train.cols(), Network.SEED_FILTERS, Network.SEED_CLASSES);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(train.source() + ": holds images of " + train.rows() + "x" + train.cols()
                    + " pixels, for which vcnn builds no network (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Checks that the network (from {@code model}, or trained on other images when it is null) takes
     * these images and knows every one of their labels.
     */
    static void check(Dataset data, Network network, Path model) throws DataFormatException {
        String whose = model != null ? "the model " + model : "the network trained here";
        if (data.rows() != network.height() || data.cols() != network.width() || network.channels() != 1) {
            throw new DataFormatException(data.source() + ": holds images of " + data.rows() + "x" + data.cols()
                    + " pixels, but " + whose + " takes " + network.height() + "x" + network.width());
        }
        for (int k = 0; k < data.count(); k++) {
            if (data.label(k) >= network.classes()) {
                throw new DataFormatException(data.source() + ": image " + k + " has label " + data.label(k)
                        + ", but " + whose + " knows only " + network.classes() + " classes");
            }
        }
    }
}
