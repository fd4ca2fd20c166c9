package dev.vcnn.engine.model;

import dev.vcnn.engine.io.FileWriteException;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.network.Network;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;

/**
 * Saves and loads a network as a numpy {@code .npz} archive that {@code numpy.load} opens directly,
 * one float32 array per parameter, named and shaped as PyTorch's {@code state_dict} of the
 * equivalent {@code nn.Sequential} (i = the layer's position in the spec, from 0):
 * <pre>
 *   i.weight                  float32 (F, C, 3, 3)  conv3x3 [filter][channel][row][col]
 *                             float32 (out, in)     dense [output][input], inputs flattened channel-major
 *   i.bias                    float32 (F,) / (out,)
 *   i.weight.momentum_buffer  the SGD velocity of each parameter, only when trained with momentum,
 *   i.bias.momentum_buffer    so that a resumed run goes on exactly
 *   metadata                  0-d unicode string (&lt;U n): JSON with the format and version, the spec,
 *                             input shape and classes, class names, training settings, test metrics
 * </pre>
 * Format version 1 files (the seed's stack: conv_filters, dense_weights, dense_biases) still load.
 * Loading refuses, with one sentence naming the file and the array, anything but exactly the arrays
 * the metadata's architecture has, with those dtypes and shapes.
 */
public final class ModelFile {
    public static final String METADATA = "metadata";
    /** Appended to a parameter's name for its momentum velocity, as PyTorch's SGD state names it. */
    public static final String VELOCITY_SUFFIX = ".momentum_buffer";

    /** The format version this code writes; it reads this one and version 1. */
    public static final int FORMAT_VERSION = ModelMetadata.VERSION;

    // version 1's names for the seed's parameters 0.weight, 2.weight and 2.bias
    private static final Map<String, String> VERSION_1_NAMES = Map.of(
            "0.weight", "conv_filters", "2.weight", "dense_weights", "2.bias", "dense_biases");

    // a model's arrays are at most Architecture.MAX_FLOATS floats; the metadata, a page of JSON, is far
    // below its limit. Reading grows with the bytes that really arrive, so these caps only bite on
    // archives that really inflate to that much (a zip bomb), not on forged headers.
    private static final long MAX_ARRAY_BYTES = 4L * Architecture.MAX_FLOATS;
    private static final long MAX_METADATA_BYTES = 1024 * 1024;

    private ModelFile() {
    }

    /**
     * Writes the network's parameters (and their velocities when {@code info} says it was trained with
     * momentum) and {@code info} atomically: an earlier file survives any failure. A network whose
     * parameters are not all finite (a diverged one) is refused, never written.
     */
    public static void save(Path file, Network network, ModelInfo info) throws FileWriteException {
        Architecture architecture = Architecture.of(network);
        if (!architecture.equals(info.architecture())) {
            throw new IllegalArgumentException("the info describes " + info.architecture()
                    + ", the network is " + architecture);
        }
        SequencedMap<String, NpyArray> arrays = new LinkedHashMap<>();
        SequencedMap<String, int[]> shapes = new LinkedHashMap<>();
        for (Parameter parameter : network.parameters()) {
            arrays.put(parameter.name(), NpyArray.float32(parameter.shape(), parameter.values()));
            shapes.put(parameter.name(), parameter.shape());
        }
        if (info.training().keepsVelocity()) {
            for (Parameter parameter : network.parameters()) {
                arrays.put(parameter.name() + VELOCITY_SUFFIX,
                        NpyArray.float32(parameter.shape(), parameter.velocity()));
                shapes.put(parameter.name() + VELOCITY_SUFFIX, parameter.shape());
            }
        }
        for (var array : arrays.entrySet()) {
            String bad = nonFinite(array.getValue().floats());
            if (bad != null) {
                throw new IllegalArgumentException("the network's " + array.getKey() + " holds " + bad
                        + "; a diverged model is not saved");
            }
        }
        arrays.put(METADATA, NpyArray.text(ModelMetadata.toJson(info, shapes)));
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
            NpyArray metadata = npz.read(METADATA, MAX_METADATA_BYTES, (dtype, shape) -> {
                if (!NpyArray.isText(dtype, shape)) {
                    throw new ModelFormatException(file + ": its " + METADATA + " array is " + dtype + " of shape "
                            + NpyArray.shapeText(shape) + ", not one unicode string of JSON");
                }
            });
            ModelMetadata.Read read;
            try {
                read = ModelMetadata.fromJson(metadata.text());
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(file + ": its metadata " + e.getMessage(), e);
            }
            ModelInfo info = read.info();
            boolean version1 = read.version() == ModelMetadata.VERSION_1;
            SequencedMap<String, int[]> wanted = info.architecture().parameterShapes();
            // the name each parameter has in this file
            SequencedMap<String, String> stored = new LinkedHashMap<>();
            for (String name : wanted.keySet()) {
                stored.put(name, version1 ? VERSION_1_NAMES.get(name) : name);
            }
            Set<String> expected = new HashSet<>(stored.values());
            if (info.training().keepsVelocity()) {
                for (String name : wanted.keySet()) {
                    expected.add(name + VELOCITY_SUFFIX);
                }
            }
            Set<String> seen = new HashSet<>();
            for (String name : names) {
                if (!name.equals(METADATA) && !expected.contains(name)) {
                    throw new ModelFormatException(file + ": has an array named " + name + ", which a model of "
                            + info.architecture().spec() + " does not have");
                }
                if (!seen.add(name)) {
                    throw new ModelFormatException(file + ": has two arrays named " + name);
                }
            }
            SequencedMap<String, float[]> parameters = new LinkedHashMap<>();
            SequencedMap<String, float[]> velocities = new LinkedHashMap<>();
            for (var entry : wanted.entrySet()) {
                String name = stored.get(entry.getKey());
                parameters.put(entry.getKey(), parameter(file, npz, names, name, entry.getValue()));
            }
            if (info.training().keepsVelocity()) {
                for (var entry : wanted.entrySet()) {
                    String name = entry.getKey() + VELOCITY_SUFFIX;
                    velocities.put(entry.getKey(), parameter(file, npz, names, name, entry.getValue()));
                }
            }
            return new SavedModel(file, info, parameters, velocities);
        }
    }

    private static float[] parameter(Path file, Npz npz, List<String> names, String name, int[] shape)
            throws ModelFormatException {
        if (!names.contains(name)) {
            throw new ModelFormatException(file + ": has no array " + name + ", which its metadata's architecture "
                    + "needs with shape " + NpyArray.shapeText(shape));
        }
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
