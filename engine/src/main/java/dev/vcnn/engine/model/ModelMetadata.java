package dev.vcnn.engine.model;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.training.Evaluation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * The model file's {@code metadata} entry, a JSON object, to and from {@link ModelInfo}. Reading
 * checks the format and its version first, so a future format is refused before anything else is
 * asked of it. Problems are {@link IllegalArgumentException}s saying what is wrong with the metadata.
 */
final class ModelMetadata {
    static final String FORMAT = "vcnn-model";
    /** Any layer stack, arrays named as PyTorch's state_dict. */
    static final int VERSION = 2;
    /** The seed's stack only, arrays conv_filters, dense_weights and dense_biases; still read. */
    static final int VERSION_1 = 1;
    static final String LAYERS_1 = "conv3x3-maxpool2x2-softmax";

    private ModelMetadata() {
    }

    static String toJson(ModelInfo info, SequencedMap<String, int[]> arrays) {
        Architecture architecture = info.architecture();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("format_version", VERSION);

        Map<String, Object> layers = new LinkedHashMap<>();
        layers.put("spec", architecture.spec().text());
        layers.put("preset", architecture.spec().preset());
        Shape input = architecture.input();
        layers.put("input_shape", List.of(input.channels(), input.height(), input.width()));
        layers.put("classes", architecture.classes());
        root.put("architecture", layers);
        root.put("class_names", info.classNames());

        TrainingRecord training = info.training();
        Map<String, Object> trained = new LinkedHashMap<>();
        trained.put("optimizer", "SGD");
        trained.put("seed", training.seed());
        // through the float's shortest text, so 0.005f is written 0.005 and read back as 0.005f
        trained.put("learning_rate", Double.parseDouble(Float.toString(training.learningRate())));
        trained.put("batch_size", training.batchSize());
        trained.put("momentum", Double.parseDouble(Float.toString(training.momentum())));
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

        Map<String, Object> described = new LinkedHashMap<>();
        for (var array : arrays.entrySet()) {
            described.put(array.getKey(), "float32 " + NpyArray.shapeText(array.getValue()) + ": "
                    + describe(array.getKey(), array.getValue().length));
        }
        root.put("arrays", described);
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).with(JSON.Feature.WRITE_NULL_PROPERTIES)
                    .asString(root);
        } catch (IOException e) {
            throw new UncheckedIOException("maps of strings and numbers always serialise", e);
        }
    }

    // what an array's axes are, for a reader of the JSON
    private static String describe(String name, int dimensions) {
        String what = dimensions == 4 ? "conv weight [filter][channel][row][col]"
                : dimensions == 2 ? "dense weight [output][input], inputs flattened channel-major" : "bias [output]";
        return name.endsWith(ModelFile.VELOCITY_SUFFIX) ? "SGD momentum buffer of " + what : what;
    }

    /** What the metadata says, and in which format version, which decides the parameter arrays' names. */
    record Read(ModelInfo info, int version) {
    }

    static Read fromJson(String json) {
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
        if (version != VERSION && version != VERSION_1) {
            throw new IllegalArgumentException("says format version " + version
                    + ", and this vcnn reads versions " + VERSION_1 + " and " + VERSION + " only");
        }

        Fields layers = root.object("architecture");
        List<?> inputShape = layers.list("input_shape");
        if (inputShape.size() != 3) {
            throw new IllegalArgumentException("has architecture.input_shape " + inputShape
                    + ", not [channels, height, width]");
        }
        int channels = whole(inputShape.get(0));
        int height = whole(inputShape.get(1));
        int width = whole(inputShape.get(2));
        int classes = layers.int32("classes");
        NetworkSpec spec;
        if (version == VERSION_1) {
            // version 1 knew one stack, the seed's, with any number of filters
            if (!LAYERS_1.equals(layers.string("layers"))) {
                throw new IllegalArgumentException("describes layers " + layers.string("layers")
                        + ", and format version 1 has " + LAYERS_1 + " only");
            }
            spec = seedLike(layers.int32("conv_filters"), classes);
        } else {
            try {
                spec = NetworkSpec.parse(layers.string("spec"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("has an impossible architecture.spec: " + e.getMessage(), e);
            }
        }
        Architecture architecture;
        try {
            architecture = new Architecture(spec, new Shape(channels, height, width), classes);
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
        // the fields are read outside the try: a missing or mistyped one says so, not "impossible settings"
        long seed = trained.integer("seed");
        float learningRate = (float) trained.number("learning_rate");
        int batchSize = version == VERSION_1 ? 1 : trained.int32("batch_size");
        float momentum = version == VERSION_1 ? 0f : (float) trained.number("momentum");
        int epochsDone = trained.int32("epochs_done");
        int trainImages = trained.int32("train_images");
        String data = trained.string("data");
        String engine = trained.string("engine");
        TrainingRecord training;
        try {
            training = new TrainingRecord(seed, learningRate, batchSize, momentum, epochsDone, trainImages, data,
                    engine);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("has impossible training settings: " + e.getMessage(), e);
        }

        Evaluation test = null;
        if (root.optional("test") != null) {
            Fields tested = root.object("test");
            double loss = tested.number("loss");
            int correct = tested.int32("correct");
            int count = tested.int32("count");
            // refused rather than ignored, as the training settings are: a file that says impossible things
            // is damaged or forged. A cross-entropy is never below 0; NaN and infinity the writer may store
            if (count < 1 || correct < 0 || correct > count || loss < 0) {
                throw new IllegalArgumentException("has an impossible test result: " + correct + " of " + count
                        + " images right, loss " + loss);
            }
            test = new Evaluation(loss, correct, count);
        }
        return new Read(new ModelInfo(architecture, names, training, test), (int) version);
    }

    // the seed's stack with F filters and K classes, as version 1 described it
    private static NetworkSpec seedLike(int filters, int classes) {
        if (filters < 1 || classes < 1) {
            throw new IllegalArgumentException("has an impossible architecture: " + filters + " filters and "
                    + classes + " classes");
        }
        return NetworkSpec.parse("conv3x3:" + filters + ":nobias,maxpool2,dense:" + classes);
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
