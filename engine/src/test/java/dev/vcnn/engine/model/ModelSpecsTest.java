package dev.vcnn.engine.model;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.network.Prediction;
import dev.vcnn.engine.training.Evaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Format 2 for any spec: a saved network loads with the same parameters bit for bit and predicts the
 * same, its arrays named as PyTorch's state_dict names them; files of format 1 (the previous release)
 * still load; and a file whose arrays do not match its spec is refused naming the array.
 */
class ModelSpecsTest {
    private static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    private static final Shape MNIST = new Shape(1, 28, 28);
    private static final String MIXED = "conv3x3:4,relu,conv3x3:3:nobias,maxpool2,dense:6,relu,dense:10";

    /** Each spec with the arrays a file of it holds, as {@code torch.nn.Sequential(...).state_dict()} has them. */
    private static final Map<String, List<String>> SPECS = new LinkedHashMap<>();

    static {
        SPECS.put(NetworkSpec.SEED, List.of("0.weight", "2.weight", "2.bias"));
        SPECS.put(NetworkSpec.DEEP, List.of("0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias",
                "8.weight", "8.bias"));
        SPECS.put("relu,dense:10", List.of("1.weight", "1.bias"));
        SPECS.put(MIXED, List.of("0.weight", "0.bias", "2.weight", "4.weight", "4.bias", "6.weight", "6.bias"));
        SPECS.put("dense:10", List.of("0.weight", "0.bias"));
    }

    private static Network network(String spec, long seed) {
        return Network.build(KernelSelection.scalar(), NetworkSpec.parse(spec), MNIST, 10, new SplittableRandom(seed));
    }

    private static ModelInfo info(Network network, int batchSize, float momentum) {
        return new ModelInfo(Architecture.of(network), DIGITS,
                new TrainingRecord(77, 0.01f, batchSize, momentum, 4, 1000, "somewhere", "scalar"),
                new Evaluation(0.25, 90, 100));
    }

    // velocities as a run with momentum leaves them: all different, none zero
    private static void stirVelocities(Network network, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (Parameter parameter : network.parameters()) {
            float[] velocity = parameter.velocity();
            for (int k = 0; k < velocity.length; k++) {
                velocity[k] = (float) random.nextGaussian() * 1e-3f;
            }
        }
    }

    private static List<float[]> images() {
        SplittableRandom pixels = new SplittableRandom(7);
        List<float[]> images = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            float[] image = new float[784];
            for (int k = 0; k < image.length; k++) {
                image[k] = (float) pixels.nextDouble(-0.5, 0.5);
            }
            images.add(image);
        }
        return images;
    }

    private static List<String> names(List<String> parameters, boolean withVelocity) {
        List<String> names = new ArrayList<>(parameters);
        if (withVelocity) {
            for (String name : parameters) {
                names.add(name + ModelFile.VELOCITY_SUFFIX);
            }
        }
        names.add(ModelFile.METADATA);
        return names;
    }

    @Test
    void everySpecLoadsBitForBitAndPredictsTheSame(@TempDir Path tmp) throws Exception {
        for (var entry : SPECS.entrySet()) {
            String spec = entry.getKey();
            for (float momentum : new float[] {0f, 0.9f}) {
                Network original = network(spec, 31);
                stirVelocities(original, 32);
                ModelInfo info = info(original, momentum > 0 ? 8 : 1, momentum);
                Path file = tmp.resolve("model-" + spec.hashCode() + "-" + momentum + ".npz");
                ModelFile.save(file, original, info);

                // on disk: the PyTorch names, with momentum buffers only when trained with momentum
                SequencedMap<String, NpyArray> arrays = Npz.read(file, Long.MAX_VALUE);
                assertEquals(names(entry.getValue(), momentum > 0), List.copyOf(arrays.keySet()), spec);
                for (Parameter parameter : original.parameters()) {
                    assertArrayEquals(parameter.shape(), arrays.get(parameter.name()).shape(), parameter.name());
                }

                SavedModel saved = ModelFile.load(file);
                assertEquals(info, saved.info(), spec);
                assertEquals(entry.getValue(), List.copyOf(saved.parameters().keySet()), spec);
                assertEquals(momentum > 0 ? entry.getValue() : List.of(), List.copyOf(saved.velocities().keySet()));
                Network loaded = saved.network(KernelSelection.scalar());
                assertEquals(NetworkSpec.parse(spec), loaded.spec());
                for (Parameter parameter : original.parameters()) {
                    Parameter back = loaded.parameter(parameter.name());
                    assertArrayEquals(parameter.values(), back.values(), spec + " " + parameter.name());
                    assertArrayEquals(momentum > 0 ? parameter.velocity() : new float[parameter.size()],
                            back.velocity(), spec + " " + parameter.name() + " velocity");
                }
                for (float[] image : images()) {
                    assertArrayEquals(Prediction.of(original, image).probabilities(),
                            Prediction.of(loaded, image).probabilities(), spec);
                }
            }
        }
    }

    // ---- version 1 ----

    private static Path versionOne() throws Exception {
        var url = ModelSpecsTest.class.getResource("seed-v1.npz");
        assertNotNull(url, "the fixture seed-v1.npz is missing from the test resources");
        return Path.of(url.toURI());
    }

    @Test
    void aVersionOneFileFromThePreviousReleaseLoadsAsTheSeed() throws Exception {
        // written by vcnn 0.1 (train --epochs 1 --train-size 200 --test-size 100): conv_filters, dense_weights,
        // dense_biases and metadata format_version 1
        Path file = versionOne();
        SequencedMap<String, NpyArray> raw = Npz.read(file, Long.MAX_VALUE);
        assertEquals(List.of("conv_filters", "dense_weights", "dense_biases", "metadata"), List.copyOf(raw.keySet()));
        assertTrue(raw.get("metadata").text().contains("\"format_version\" : 1"));

        SavedModel saved = ModelFile.load(file);
        ModelInfo info = saved.info();
        assertEquals(Architecture.seed(28, 28), info.architecture());
        assertTrue(info.architecture().spec().isSeed());
        assertEquals(DIGITS, info.classNames());
        assertEquals(new TrainingRecord(1, 0.005f, 1, 0f, 1, 200,
                "bundled MNIST slice (the first 1,000 training and test images)", "vector (512-bit, 16 float lanes)"),
                info.training());
        assertEquals(new Evaluation(2.0736124667156552, 30, 100), info.test());

        assertEquals(List.of("0.weight", "2.weight", "2.bias"), List.copyOf(saved.parameters().keySet()));
        assertEquals(Map.of(), saved.velocities());
        assertArrayEquals(raw.get("conv_filters").floats(), saved.parameter("0.weight"));
        assertArrayEquals(raw.get("dense_weights").floats(), saved.parameter("2.weight"));
        assertArrayEquals(raw.get("dense_biases").floats(), saved.parameter("2.bias"));
        // the bits numpy reads from the fixture (z["conv_filters"].view(np.uint32)), so that the reader is not
        // checked against itself alone
        assertEquals(List.of(0xbdb782db, 0xbdad0b8a, 0xbb375fe0), bits(saved.parameter("0.weight"), 0, 1, 2));
        assertEquals(List.of(0x3c359534, 0x3b223087), bits(saved.parameter("2.bias"), 0, 9));

        Network network = saved.network(KernelSelection.scalar());
        assertEquals(NetworkSpec.seed(), network.spec());
        assertArrayEquals(raw.get("dense_weights").floats(), network.parameter("2.weight").values());
        Network seed = Network.seed(KernelSelection.scalar(), new SplittableRandom(3));
        saved.copyInto(seed);
        for (float[] image : images()) {
            assertArrayEquals(Prediction.of(network, image).probabilities(), Prediction.of(seed, image).probabilities());
        }
    }

    private static List<Integer> bits(float[] values, int... indices) {
        List<Integer> bits = new ArrayList<>();
        for (int k : indices) {
            bits.add(Float.floatToRawIntBits(values[k]));
        }
        return bits;
    }

    @Test
    void aVersionOneModelSavedAgainIsVersionTwoWithTheSameNumbers(@TempDir Path tmp) throws Exception {
        SavedModel old = ModelFile.load(versionOne());
        Path file = tmp.resolve("v2.npz");
        ModelFile.save(file, old.network(KernelSelection.scalar()), old.info());
        SequencedMap<String, NpyArray> raw = Npz.read(file, Long.MAX_VALUE);
        assertEquals(List.of("0.weight", "2.weight", "2.bias", "metadata"), List.copyOf(raw.keySet()));
        assertTrue(raw.get("metadata").text().contains("\"format_version\" : 2"));
        SavedModel again = ModelFile.load(file);
        assertEquals(old.info(), again.info());
        for (String name : old.parameters().keySet()) {
            assertArrayEquals(old.parameter(name), again.parameter(name), name);
        }
    }

    @Test
    void aVersionOneFileWithVersionTwoNamesIsRefused(@TempDir Path tmp) throws Exception {
        SequencedMap<String, NpyArray> arrays = new LinkedHashMap<>(Npz.read(versionOne(), Long.MAX_VALUE));
        arrays.put("2.bias", arrays.remove("dense_biases"));
        Path bad = tmp.resolve("mixed.npz");
        Npz.write(bad, arrays);
        assertEquals(bad + ": has an array named 2.bias, which a model of conv3x3:8:nobias,maxpool2,dense:10 does"
                + " not have", assertThrows(ModelFormatException.class, () -> ModelFile.load(bad)).getMessage());
    }

    // ---- arrays that do not match the spec ----

    private static String refusal(Path tmp, float momentum, Consumer<SequencedMap<String, NpyArray>> damage)
            throws Exception {
        Path good = tmp.resolve("good.npz");
        Network network = network(MIXED, 5);
        stirVelocities(network, 6);
        ModelFile.save(good, network, info(network, 2, momentum));
        SequencedMap<String, NpyArray> arrays = new LinkedHashMap<>(Npz.read(good, Long.MAX_VALUE));
        damage.accept(arrays);
        Path bad = tmp.resolve("bad.npz");
        Npz.write(bad, arrays);
        String message = assertThrows(ModelFormatException.class, () -> ModelFile.load(bad)).getMessage();
        assertTrue(message.startsWith(bad + ": ") && !message.contains("\n"), message);
        Files.delete(bad);
        return message.substring((bad + ": ").length());
    }

    @Test
    void arraysThatDoNotMatchTheSpecAreRefusedNamingThem(@TempDir Path tmp) throws Exception {
        assertEquals("the array 0.weight has shape (8, 1, 3, 3), but the architecture in its metadata needs"
                        + " (4, 1, 3, 3)",
                refusal(tmp, 0f, arrays -> arrays.put("0.weight",
                        NpyArray.float32(new int[] {8, 1, 3, 3}, new float[72]))));
        assertEquals("the array 4.weight has shape (6, 433), but the architecture in its metadata needs"
                        + " (6, 432)",
                refusal(tmp, 0f, arrays -> arrays.put("4.weight",
                        NpyArray.float32(new int[] {6, 433}, new float[6 * 433]))));
        assertEquals("has an array named 2.bias, which a model of " + MIXED + " does not have",
                refusal(tmp, 0f, arrays -> arrays.put("2.bias", NpyArray.float32(new int[] {3}, new float[3]))));
        assertEquals("has an array named 8.weight, which a model of " + MIXED + " does not have",
                refusal(tmp, 0f, arrays -> arrays.put("8.weight", NpyArray.float32(new int[] {1}, new float[1]))));
        assertEquals("has no array 4.bias, which its metadata's architecture needs with shape (6,)",
                refusal(tmp, 0f, arrays -> arrays.remove("4.bias")));
        assertEquals("has no array 2.weight, which its metadata's architecture needs with shape (3, 4, 3, 3)",
                refusal(tmp, 0f, arrays -> arrays.remove("2.weight")));
    }

    @Test
    void momentumBuffersMustBeThereExactlyWhenTheModelWasTrainedWithMomentum(@TempDir Path tmp) throws Exception {
        assertEquals("has no array 0.bias.momentum_buffer, which its metadata's architecture needs with shape (4,)",
                refusal(tmp, 0.5f, arrays -> arrays.remove("0.bias.momentum_buffer")));
        assertEquals("has no array 0.weight.momentum_buffer, which its metadata's architecture needs with shape"
                        + " (4, 1, 3, 3)",
                refusal(tmp, 0.5f, arrays -> arrays.keySet().removeIf(name -> name.endsWith(".momentum_buffer"))));
        assertEquals("the array 4.weight.momentum_buffer has shape (6,), but the architecture in its metadata needs"
                        + " (6, 432)",
                refusal(tmp, 0.5f, arrays -> arrays.put("4.weight.momentum_buffer",
                        NpyArray.float32(new int[] {6}, new float[6]))));
        assertEquals("has an array named 0.weight.momentum_buffer, which a model of " + MIXED + " does not have",
                refusal(tmp, 0f, arrays -> arrays.put("0.weight.momentum_buffer",
                        NpyArray.float32(new int[] {4, 1, 3, 3}, new float[36]))));
    }
}
