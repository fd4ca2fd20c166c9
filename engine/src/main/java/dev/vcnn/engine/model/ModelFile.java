package dev.vcnn.engine.model;

import dev.vcnn.engine.Network;
import dev.vcnn.engine.io.FileWriteException;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * Saves and loads a network as a numpy {@code .npz} archive that {@code numpy.load} opens directly:
 * <pre>
 *   conv_filters   float32 (F, C, 3, 3)            [filter][channel][row][col]
 *   dense_weights  float32 (classes, F*PH*PW)      [class][input], output-major as the engine keeps
 *                                                  them; input = (filter * PH + row) * PW + col
 *   dense_biases   float32 (classes,)
 *   metadata       0-d unicode string (&lt;U n)      JSON: format and version, architecture, class
 *                                                  names, training settings, test metrics
 * </pre>
 * PH x PW is the pooled plane, 13x13 for 28x28 images. Loading refuses, with one sentence naming the
 * file and the array, anything but exactly these arrays with these dtypes and shapes.
 */
public final class ModelFile {
    public static final String CONV_FILTERS = "conv_filters";
    public static final String DENSE_WEIGHTS = "dense_weights";
    public static final String DENSE_BIASES = "dense_biases";
    public static final String METADATA = "metadata";

    /** The format version this code writes and the only one it reads. */
    public static final int FORMAT_VERSION = ModelMetadata.VERSION;

    // far above any model vcnn builds; keeps a forged header from asking for gigabytes
    private static final long MAX_ARRAY_BYTES = 256L * 1024 * 1024;

    private ModelFile() {
    }

    /** Writes the network's parameters and {@code info} atomically: an earlier file survives any failure. */
    public static void save(Path file, Network network, ModelInfo info) throws FileWriteException {
        Architecture architecture = Architecture.of(network);
        if (!architecture.equals(info.architecture())) {
            throw new IllegalArgumentException("the info describes " + info.architecture()
                    + ", the network is " + architecture);
        }
        SequencedMap<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put(CONV_FILTERS, NpyArray.float32(architecture.convFiltersShape(), network.conv().filters()));
        arrays.put(DENSE_WEIGHTS, NpyArray.float32(architecture.denseWeightsShape(), network.dense().weights()));
        arrays.put(DENSE_BIASES, NpyArray.float32(architecture.denseBiasesShape(), network.dense().biases()));
        arrays.put(METADATA, NpyArray.text(ModelMetadata.toJson(info)));
        Npz.write(file, arrays);
    }

    /** Reads and checks a model file; every problem is one {@link ModelFormatException} sentence. */
    public static SavedModel load(Path file) throws ModelFormatException {
        SequencedMap<String, NpyArray> arrays = Npz.read(file, MAX_ARRAY_BYTES);
        NpyArray metadata = arrays.get(METADATA);
        if (metadata == null) {
            throw new ModelFormatException(file + ": has no " + METADATA + " array, so it is not a vcnn model"
                    + " (it holds " + (arrays.isEmpty() ? "no arrays" : String.join(", ", arrays.keySet())) + ")");
        }
        if (!metadata.isText()) {
            throw new ModelFormatException(file + ": its " + METADATA + " array is " + metadata.dtype() + " of shape "
                    + NpyArray.shapeText(metadata.shape()) + ", not one unicode string of JSON");
        }
        ModelInfo info;
        try {
            info = ModelMetadata.fromJson(metadata.text());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": its metadata " + e.getMessage(), e);
        }
        Architecture architecture = info.architecture();
        for (String name : arrays.keySet()) {
            if (!name.equals(METADATA) && !name.equals(CONV_FILTERS) && !name.equals(DENSE_WEIGHTS)
                    && !name.equals(DENSE_BIASES)) {
                throw new ModelFormatException(file + ": has an array named " + name
                        + ", which a vcnn model does not have");
            }
        }
        return new SavedModel(file, info,
                parameter(file, arrays, CONV_FILTERS, architecture.convFiltersShape()),
                parameter(file, arrays, DENSE_WEIGHTS, architecture.denseWeightsShape()),
                parameter(file, arrays, DENSE_BIASES, architecture.denseBiasesShape()));
    }

    private static float[] parameter(Path file, SequencedMap<String, NpyArray> arrays, String name, int[] shape)
            throws ModelFormatException {
        NpyArray array = arrays.get(name);
        if (array == null) {
            throw new ModelFormatException(file + ": has no array " + name);
        }
        if (!NpyArray.FLOAT32.equals(array.dtype())) {
            throw new ModelFormatException(file + ": the array " + name + " has dtype " + array.dtype()
                    + ", but a vcnn model stores float32 (" + NpyArray.FLOAT32 + ")");
        }
        if (!Arrays.equals(array.shape(), shape)) {
            throw new ModelFormatException(file + ": the array " + name + " has shape "
                    + NpyArray.shapeText(array.shape()) + ", but the architecture in its metadata needs "
                    + NpyArray.shapeText(shape));
        }
        return array.floats();
    }
}
