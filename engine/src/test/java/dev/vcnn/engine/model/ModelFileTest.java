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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ModelFileTest {
    private static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private static Network network(long seed) {
        return Network.seed(KernelSelection.scalar(), new SplittableRandom(seed));
    }

    private static ModelInfo info(Network network, List<String> names) {
        return new ModelInfo(Architecture.of(network), names,
                new TrainingRecord(-1234567890123L, 0.005f, 1, 0f, 3, 60000, "/data/mnist", "vector (512-bit, 16 float lanes)"),
                new Evaluation(0.0812, 9745, 10000));
    }

    @Test
    void aSavedModelLoadsWithTheSameParametersAndPredictsTheSame(@TempDir Path tmp) throws Exception {
        Network original = network(42);
        List<String> names = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                "Sneaker", "Bag", "Ankle boot \u00e9\u65e5");
        ModelInfo info = info(original, names);
        Path file = tmp.resolve("model.npz");
        ModelFile.save(file, original, info);

        SavedModel saved = ModelFile.load(file);
        assertEquals(info, saved.info());
        assertEquals(0.005f, saved.info().training().learningRate(), "the float must come back exactly");
        Network loaded = saved.network(KernelSelection.scalar());
        assertEquals(List.of("0.weight", "2.weight", "2.bias"),
                loaded.parameters().stream().map(Parameter::name).toList());
        for (Parameter parameter : original.parameters()) {
            assertArrayEquals(parameter.values(), loaded.parameter(parameter.name()).values(), parameter.name());
        }

        SplittableRandom pixels = new SplittableRandom(7);
        for (int n = 0; n < 20; n++) {
            float[] image = new float[28 * 28];
            for (int k = 0; k < image.length; k++) {
                image[k] = (float) pixels.nextDouble(-0.5, 0.5);
            }
            assertArrayEquals(Prediction.of(original, image).probabilities(), Prediction.of(loaded, image).probabilities());
        }
    }

    @Test
    void copyingIntoANetworkOfOtherShapesNamesTheArrayThatDiffers(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("model.npz");
        ModelFile.save(file, network(1), info(network(1), DIGITS));
        SavedModel saved = ModelFile.load(file);

        Network moreFilters = other("conv3x3:16:nobias,maxpool2,dense:10", 28, 28);
        assertEquals(file + ": the array 0.weight has shape (8, 1, 3, 3), but this network"
                        + " (conv3x3:16:nobias,maxpool2,dense:10) needs (16, 1, 3, 3)",
                assertThrows(ModelFormatException.class, () -> saved.copyInto(moreFilters)).getMessage());
        Network noPool = other("conv3x3:8:nobias,relu,dense:10", 28, 28);
        assertEquals(file + ": the array 2.weight has shape (10, 1352), but this network"
                        + " (conv3x3:8:nobias,relu,dense:10) needs (10, 5408)",
                assertThrows(ModelFormatException.class, () -> saved.copyInto(noPool)).getMessage());
        Network withBias = other("conv3x3:8,maxpool2,dense:10", 28, 28);
        assertEquals(file + ": has no array 0.bias, which this network (conv3x3:8,maxpool2,dense:10) needs"
                        + " with shape (8,)",
                assertThrows(ModelFormatException.class, () -> saved.copyInto(withBias)).getMessage());
        Network biggerImages = other(NetworkSpec.SEED, 32, 32);
        assertEquals(file + ": takes images of 1x28x28, but this data has 1x32x32",
                assertThrows(ModelFormatException.class, () -> saved.copyInto(biggerImages)).getMessage());
        Network sameCount = other(NetworkSpec.SEED, 29, 28);
        assertEquals(file + ": takes images of 1x28x28, but this data has 1x29x28",
                assertThrows(ModelFormatException.class, () -> saved.copyInto(sameCount)).getMessage());

        Network same = network(99);
        saved.copyInto(same);
        for (Parameter parameter : same.parameters()) {
            assertArrayEquals(saved.parameter(parameter.name()), parameter.values(), parameter.name());
        }
    }

    private static Network other(String spec, int height, int width) {
        return Network.build(KernelSelection.scalar(), NetworkSpec.parse(spec), new Shape(1, height, width), 10,
                new SplittableRandom(1));
    }

    // the arrays of a good model file, to be damaged one way at a time
    private static SequencedMap<String, NpyArray> goodArrays(Path tmp) throws Exception {
        Path good = tmp.resolve("good.npz");
        ModelFile.save(good, network(3), info(network(3), DIGITS));
        return Npz.read(good, Long.MAX_VALUE);
    }

    private static String refusal(Path tmp, Consumer<SequencedMap<String, NpyArray>> damage) throws Exception {
        SequencedMap<String, NpyArray> arrays = new LinkedHashMap<>(goodArrays(tmp));
        damage.accept(arrays);
        Path bad = tmp.resolve("bad.npz");
        Npz.write(bad, arrays);
        return assertThrows(ModelFormatException.class, () -> ModelFile.load(bad)).getMessage();
    }

    private static NpyArray metadataWith(SequencedMap<String, NpyArray> arrays, String from, String to) {
        String json = arrays.get(ModelFile.METADATA).text();
        if (!json.contains(from)) {
            throw new IllegalArgumentException("the metadata has no " + from + ": " + json);
        }
        return NpyArray.text(json.replace(from, to));
    }

    @Test
    void everyDamagedModelIsRefusedWithItsOwnSentence(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.npz");
        String prefix = bad + ": ";
        assertEquals(prefix + "has no array 2.bias, which its metadata's architecture needs with shape (10,)",
                refusal(tmp, arrays -> arrays.remove("2.bias")));
        assertEquals(prefix + "the array 2.weight has shape (1352, 10), but the architecture in its metadata"
                        + " needs (10, 1352)",
                refusal(tmp, arrays -> arrays.put("2.weight",
                        NpyArray.float32(new int[] {1352, 10}, new float[13520]))));
        assertEquals(prefix + "the array 0.weight has dtype <f8, but a vcnn model stores float32 (<f4)",
                refusal(tmp, arrays -> arrays.put("0.weight",
                        new NpyArray("<f8", new int[] {8, 1, 3, 3}, new byte[72 * 8]))));
        assertEquals(prefix + "its metadata says format version 3, and this vcnn reads versions 1 and 2 only",
                refusal(tmp, arrays -> arrays.put(ModelFile.METADATA,
                        metadataWith(arrays, "\"format_version\" : 2", "\"format_version\" : 3"))));
        assertEquals(prefix + "has no metadata array, so it is not a vcnn model (it holds 0.weight, 2.weight,"
                        + " 2.bias)",
                refusal(tmp, arrays -> arrays.remove(ModelFile.METADATA)));
        assertEquals(prefix + "its metadata is not valid JSON",
                refusal(tmp, arrays -> arrays.put(ModelFile.METADATA, NpyArray.text("{\"format\": "))));
        assertEquals(prefix + "its metadata does not say \"format\": \"vcnn-model\", so this is not a vcnn model",
                refusal(tmp, arrays -> arrays.put(ModelFile.METADATA, NpyArray.text("{\"weights\": 1}"))));
        assertEquals(prefix + "its metadata lacks training.seed",
                refusal(tmp, arrays -> arrays.put(ModelFile.METADATA,
                        metadataWith(arrays, "\"seed\" :", "\"sowed\" :"))));
        assertEquals(prefix + "its metadata array is <f4 of shape (3,), not one unicode string of JSON",
                refusal(tmp, arrays -> arrays.put(ModelFile.METADATA, NpyArray.float32(new int[] {3}, new float[3]))));
        assertEquals(prefix + "has an array named momentum, which a model of conv3x3:8:nobias,maxpool2,dense:10"
                        + " does not have",
                refusal(tmp, arrays -> arrays.put("momentum", NpyArray.float32(new int[] {1}, new float[1]))));
    }

    @Test
    void filesThatAreNoArchiveAtAllAreRefused(@TempDir Path tmp) throws Exception {
        Path text = tmp.resolve("notes.npz");
        Files.writeString(text, "these are not weights");
        assertEquals(text + ": is not an .npz model (it is not a zip archive)",
                assertThrows(ModelFormatException.class, () -> ModelFile.load(text)).getMessage());
        Path missing = tmp.resolve("missing.npz");
        assertEquals(missing + ": no such file",
                assertThrows(ModelFormatException.class, () -> ModelFile.load(missing)).getMessage());
        assertEquals(tmp + ": is a folder, not a model file",
                assertThrows(ModelFormatException.class, () -> ModelFile.load(tmp)).getMessage());
        Path device = Path.of("/dev/null");
        if (Files.exists(device)) {
            assertEquals(device + ": is a device or other special file, not a model file",
                    assertThrows(ModelFormatException.class, () -> ModelFile.load(device)).getMessage());
        }

        Path cut = tmp.resolve("cut.npz");
        Path good = tmp.resolve("good.npz");
        ModelFile.save(good, network(3), info(network(3), DIGITS));
        byte[] bytes = Files.readAllBytes(good);
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertEquals(cut + ": is a damaged .npz model: it starts as a zip archive, but the directory at its end is"
                        + " missing or broken, as when the file is cut short",
                assertThrows(ModelFormatException.class, () -> ModelFile.load(cut)).getMessage());
        Path empty = Files.createFile(tmp.resolve("empty.npz"));
        assertEquals(empty + ": is empty, not an .npz model",
                assertThrows(ModelFormatException.class, () -> ModelFile.load(empty)).getMessage());
    }

    @Test
    void theSameModelGivesTheSameBytes(@TempDir Path tmp) throws Exception {
        // entries carry a fixed time stamp: a copy can be checked with cmp, and a test can expect exact bytes
        Path first = tmp.resolve("first.npz");
        Path second = tmp.resolve("second.npz");
        ModelFile.save(first, network(5), info(network(5), DIGITS));
        Thread.sleep(2100); // zip time stamps have a resolution of two seconds
        ModelFile.save(second, network(5), info(network(5), DIGITS));
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void weightsThatAreNotFiniteAreNeitherLoadedNorSaved(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("bad.npz");
        float[] biases = new float[10];
        biases[3] = Float.NaN;
        assertEquals(bad + ": the array 2.bias holds NaN at index 3, so the model is unusable (was it saved"
                        + " from a diverged run?)",
                refusal(tmp, arrays -> arrays.put("2.bias", NpyArray.float32(new int[] {10}, biases))));

        Network diverged = network(6);
        diverged.parameter("2.weight").values()[1351] = Float.NEGATIVE_INFINITY;
        Path target = tmp.resolve("target.npz");
        Files.writeString(target, "an earlier model");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.save(target, diverged, info(diverged, DIGITS)));
        assertEquals("the network's 2.weight holds -Infinity at index 1351; a diverged model is not saved",
                e.getMessage());
        assertEquals("an earlier model", Files.readString(target));
    }

    @Test
    void anArchitectureTooLargeToBeRealIsRefusedBeforeAnyArrayIsRead(@TempDir Path tmp) throws Exception {
        String prefix = tmp.resolve("bad.npz") + ": its metadata ";
        assertEquals(prefix + "has an impossible architecture: 'conv3x3:99999999:nobias' (layer 1) on 1x28x28"
                        + " images takes the network past the 1 GB vcnn allows for parameters (with their gradients"
                        + " and momentum) and buffers",
                refusal(tmp, arrays -> arrays.put(ModelFile.METADATA,
                        metadataWith(arrays, "\"conv3x3:8:nobias,", "\"conv3x3:99999999:nobias,"))));
        assertEquals(prefix + "has architecture.classes = 4294967306, too large a number",
                refusal(tmp, arrays -> arrays.put(ModelFile.METADATA,
                        metadataWith(arrays, "\"classes\" : 10", "\"classes\" : 4294967306"))));
        assertEquals(prefix + "has an impossible architecture: 'maxpool2' (layer 2) gets planes of 1x26 but needs at"
                        + " least 2x2 (1x3x28 -> conv3x3:8:nobias -> 8x1x26)",
                refusal(tmp, arrays -> arrays.put(ModelFile.METADATA,
                        metadataWith(arrays, "\"input_shape\" : [ 1, 28, 28 ]", "\"input_shape\" : [ 1, 3, 28 ]"))));
    }
}
