package dev.vcnn.engine.model;

import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.io.FileWriteException;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.Set;

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

    // a model's arrays are at most Architecture.MAX_FLOATS floats; the metadata, a page of JSON, is far
    // below its limit. Reading grows with the bytes that really arrive, so these caps only bite on
    // archives that really inflate to that much (a zip bomb), not on forged headers.
    private static final long MAX_ARRAY_BYTES = 4L * Architecture.MAX_FLOATS;
    private static final long MAX_METADATA_BYTES = 1024 * 1024;

    private ModelFile() {
    }

    /**
     * Writes the network's parameters and {@code info} atomically: an earlier file survives any failure.
     * A network whose parameters are not all finite (a diverged one) is refused, never written.
     */
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
        for (var array : arrays.entrySet()) {
            String bad = nonFinite(array.getValue().floats());
            if (bad != null) {
                throw new IllegalArgumentException("the network's " + array.getKey() + " hold " + bad
                        + "; a diverged model is not saved");
            }
        }
        arrays.put(METADATA, NpyArray.text(ModelMetadata.toJson(info)));
        Npz.write(file, arrays);
    }

    /**
     * Reads and checks a model file; every problem is one {@link ModelFormatException} sentence. The
     * metadata is read first, and each parameter array's dtype and shape are checked against its
     * architecture from the array's header, before its data is read.
     */
    public static SavedModel load(Path file) throws ModelFormatException {
        try (Npz npz = Npz.open(file)) {
            List<String> names = npz.names();
            if (!names.contains(METADATA)) {
                throw new ModelFormatException(file + ": has no " + METADATA + " array, so it is not a vcnn model"
                        + " (it holds " + (names.isEmpty() ? "no arrays" : String.join(", ", names)) + ")");
            }
            Set<String> seen = new HashSet<>();
            for (String name : names) {
                if (!name.equals(METADATA) && !name.equals(CONV_FILTERS) && !name.equals(DENSE_WEIGHTS)
                        && !name.equals(DENSE_BIASES)) {
                    throw new ModelFormatException(file + ": has an array named " + name
                            + ", which a vcnn model does not have");
                }
                if (!seen.add(name)) {
                    throw new ModelFormatException(file + ": has two arrays named " + name);
                }
            }
            NpyArray metadata = npz.read(METADATA, MAX_METADATA_BYTES, (dtype, shape) -> {
                if (!NpyArray.isText(dtype, shape)) {
                    throw new ModelFormatException(file + ": its " + METADATA + " array is " + dtype + " of shape "
                            + NpyArray.shapeText(shape) + ", not one unicode string of JSON");
                }
            });
            ModelInfo info;
            try {
                info = ModelMetadata.fromJson(metadata.text());
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(file + ": its metadata " + e.getMessage(), e);
            }
            Architecture architecture = info.architecture();
            return new SavedModel(file, info,
                    parameter(file, npz, CONV_FILTERS, architecture.convFiltersShape()),
                    parameter(file, npz, DENSE_WEIGHTS, architecture.denseWeightsShape()),
                    parameter(file, npz, DENSE_BIASES, architecture.denseBiasesShape()));
        }
    }

    private static float[] parameter(Path file, Npz npz, String name, int[] shape) throws ModelFormatException {
        NpyArray array = npz.read(name, MAX_ARRAY_BYTES, (dtype, actual) -> {
            if (!NpyArray.FLOAT32.equals(dtype)) {
                throw new ModelFormatException(file + ": the array " + name + " has dtype " + dtype
                        + ", but a vcnn model stores float32 (" + NpyArray.FLOAT32 + ")");
            }
            if (!Arrays.equals(actual, shape)) {
                throw new ModelFormatException(file + ": the array " + name + " has shape "
                        + NpyArray.shapeText(actual) + ", but the architecture in its metadata needs "
                        + NpyArray.shapeText(shape));
            }
        });
        float[] values = array.floats();
        String bad = nonFinite(values);
        if (bad != null) {
            throw new ModelFormatException(file + ": the array " + name + " holds " + bad
                    + ", so the model is unusable (was it saved from a diverged run?)");
        }
        return values;
    }

    // "NaN at index 17", or null when every value is finite
    private static String nonFinite(float[] values) {
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                return values[k] + " at index " + k;
            }
        }
        return null;
    }
}
