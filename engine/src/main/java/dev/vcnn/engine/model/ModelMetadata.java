package dev.vcnn.engine.model;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.vcnn.engine.training.Evaluation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model file's {@code metadata} entry, a JSON object, to and from {@link ModelInfo}. Reading
 * checks the format and its version first, so a future format is refused before anything else is
 * asked of it. Problems are {@link IllegalArgumentException}s saying what is wrong with the metadata.
 */
final class ModelMetadata {
    static final String FORMAT = "vcnn-model";
    static final int VERSION = 1;

    private ModelMetadata() {
    }

    static String toJson(ModelInfo info) {
        Architecture architecture = info.architecture();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("format_version", VERSION);

        Map<String, Object> layers = new LinkedHashMap<>();
        layers.put("layers", Architecture.LAYERS);
        layers.put("input_shape", List.of(architecture.channels(), architecture.height(), architecture.width()));
        layers.put("conv_filters", architecture.filters());
        layers.put("classes", architecture.classes());
        root.put("architecture", layers);
        root.put("class_names", info.classNames());

        TrainingRecord training = info.training();
        Map<String, Object> trained = new LinkedHashMap<>();
        trained.put("optimizer", "per-sample SGD");
        trained.put("seed", training.seed());
        // through the float's shortest text, so 0.005f is written 0.005 and read back as 0.005f
        trained.put("learning_rate", Double.parseDouble(Float.toString(training.learningRate())));
        trained.put("epochs_done", training.epochsDone());
        trained.put("train_images", training.trainImages());
        trained.put("data", training.data());
        trained.put("engine", training.engine());
        root.put("training", trained);

        Evaluation test = info.test();
        if (test == null) {
            root.put("test", null);
        } else {
            Map<String, Object> tested = new LinkedHashMap<>();
            tested.put("loss", test.loss());
            tested.put("accuracy", test.accuracy());
            tested.put("correct", test.correct());
            tested.put("count", test.count());
            root.put("test", tested);
        }

        int[] pooled = architecture.denseWeightsShape();
        Map<String, Object> arrays = new LinkedHashMap<>();
        arrays.put(ModelFile.CONV_FILTERS, "float32 " + NpyArray.shapeText(architecture.convFiltersShape())
                + ": [filter][channel][row][col]");
        arrays.put(ModelFile.DENSE_WEIGHTS, "float32 " + NpyArray.shapeText(pooled)
                + ": [class][input], input = (filter * " + (architecture.height() - 2) / 2 + " + row) * "
                + (architecture.width() - 2) / 2 + " + col of the pooled feature maps");
        arrays.put(ModelFile.DENSE_BIASES, "float32 " + NpyArray.shapeText(architecture.denseBiasesShape())
                + ": [class]");
        root.put("arrays", arrays);
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).with(JSON.Feature.WRITE_NULL_PROPERTIES)
                    .asString(root);
        } catch (IOException e) {
            throw new UncheckedIOException("maps of strings and numbers always serialise", e);
        }
    }

    static ModelInfo fromJson(String json) {
        Object parsed;
        try {
            parsed = JSON.std.anyFrom(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("is not valid JSON", e);
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("is not a JSON object");
        }
        Fields root = new Fields("", map);
        if (!FORMAT.equals(root.optional("format"))) {
            throw new IllegalArgumentException("does not say \"format\": \"" + FORMAT
                    + "\", so this is not a vcnn model");
        }
        long version = root.integer("format_version");
        if (version != VERSION) {
            throw new IllegalArgumentException("says format version " + version
                    + ", and this vcnn reads version " + VERSION + " only");
        }

        Fields layers = root.object("architecture");
        if (!Architecture.LAYERS.equals(layers.string("layers"))) {
            throw new IllegalArgumentException("describes layers " + layers.string("layers")
                    + ", and vcnn builds " + Architecture.LAYERS + " only");
        }
        List<?> input = layers.list("input_shape");
        if (input.size() != 3) {
            throw new IllegalArgumentException("has architecture.input_shape " + input
                    + ", not [channels, height, width]");
        }
        int channels = whole(input.get(0));
        int height = whole(input.get(1));
        int width = whole(input.get(2));
        int filters = layers.int32("conv_filters");
        int classes = layers.int32("classes");
        Architecture architecture;
        try {
            architecture = new Architecture(channels, height, width, filters, classes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("has an impossible architecture: " + e.getMessage(), e);
        }

        List<String> names = new ArrayList<>();
        for (Object name : root.list("class_names")) {
            if (!(name instanceof String text)) {
                throw new IllegalArgumentException("has a class name " + name + " that is not a string");
            }
            names.add(text);
        }
        if (names.size() != architecture.classes()) {
            throw new IllegalArgumentException("names " + names.size() + " classes, but its architecture has "
                    + architecture.classes());
        }

        Fields trained = root.object("training");
        TrainingRecord training = new TrainingRecord(trained.integer("seed"),
                (float) trained.number("learning_rate"), trained.int32("epochs_done"),
                trained.int32("train_images"), trained.string("data"), trained.string("engine"));

        Evaluation test = null;
        if (root.optional("test") != null) {
            Fields tested = root.object("test");
            test = new Evaluation(tested.number("loss"), tested.int32("correct"), tested.int32("count"));
        }
        return new ModelInfo(architecture, names, training, test);
    }

    private static int whole(Object value) {
        if (value instanceof Integer number) {
            return number;
        }
        throw new IllegalArgumentException("has a size " + value
                + " in architecture.input_shape that is not a whole number");
    }

    // one JSON object, with getters whose messages name the full path of a missing or mistyped field
    private record Fields(String path, Map<?, ?> map) {

        Object optional(String key) {
            return map.get(key);
        }

        private Object required(String key) {
            Object value = map.get(key);
            if (value == null) {
                throw new IllegalArgumentException("lacks " + path + key);
            }
            return value;
        }

        long integer(String key) {
            Object value = required(key);
            if (value instanceof Integer || value instanceof Long) {
                return ((Number) value).longValue();
            }
            throw new IllegalArgumentException("has " + path + key + " = " + value + ", not a whole number");
        }

        // a cast would quietly turn a forged 4294967304 into 8
        int int32(String key) {
            long value = integer(key);
            if (value != (int) value) {
                throw new IllegalArgumentException("has " + path + key + " = " + value + ", too large a number");
            }
            return (int) value;
        }

        double number(String key) {
            Object value = required(key);
            if (value instanceof Number number) {
                return number.doubleValue();
            }
            // JSON has no NaN or infinity; the writer quotes them, as a diverged run's loss may be one
            if (value instanceof String text && (text.equals("NaN") || text.endsWith("Infinity"))) {
                return Double.parseDouble(text);
            }
            throw new IllegalArgumentException("has " + path + key + " = " + map.get(key) + ", not a number");
        }

        String string(String key) {
            if (required(key) instanceof String text) {
                return text;
            }
            throw new IllegalArgumentException("has " + path + key + " = " + map.get(key) + ", not a string");
        }

        List<?> list(String key) {
            if (required(key) instanceof List<?> list) {
                return list;
            }
            throw new IllegalArgumentException("has " + path + key + " = " + map.get(key) + ", not a list");
        }

        Fields object(String key) {
            if (required(key) instanceof Map<?, ?> object) {
                return new Fields(path + key + ".", object);
            }
            throw new IllegalArgumentException("has " + path + key + " = " + map.get(key) + ", not an object");
        }
    }
}
