package dev.vcnn.engine.model;

import dev.vcnn.engine.training.Evaluation;
import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.Prediction;
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
                new TrainingRecord(-1234567890123L, 0.005f, 3, 60000, "/data/mnist", "vector (512-bit, 16 float lanes)"),
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
        assertArrayEquals(original.conv().filters(), loaded.conv().filters());
        assertArrayEquals(original.dense().weights(), loaded.dense().weights());
        assertArrayEquals(original.dense().biases(), loaded.dense().biases());

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

        Network moreFilters = new Network(KernelSelection.scalar(), 1, 28, 28, 16, 10, new SplittableRandom(1));
        assertEquals(file + ": the array conv_filters has shape (8, 1, 3, 3), but this network needs (16, 1, 3, 3)",
                assertThrows(ModelFormatException.class, () -> saved.copyInto(moreFilters)).getMessage());
        Network biggerImages = new Network(KernelSelection.scalar(), 1, 32, 32, 8, 10, new SplittableRandom(1));
        assertEquals(file + ": the array dense_weights has shape (10, 1352), but this network needs (10, 1800)",
                assertThrows(ModelFormatException.class, () -> saved.copyInto(biggerImages)).getMessage());
        Network sameCount = new Network(KernelSelection.scalar(), 1, 29, 28, 8, 10, new SplittableRandom(1));
        assertEquals(file + ": takes 28x28 images, but this data has 29x28",
                assertThrows(ModelFormatException.class, () -> saved.copyInto(sameCount)).getMessage());

        Network same = network(99);
        saved.copyInto(same);
        assertArrayEquals(saved.denseWeights(), same.dense().weights());
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
        assertEquals(prefix + "has no array dense_biases",
                refusal(tmp, arrays -> arrays.remove(ModelFile.DENSE_BIASES)));
        assertEquals(prefix + "the array dense_weights has shape (1352, 10), but the architecture in its metadata"
                        + " needs (10, 1352)",
                refusal(tmp, arrays -> arrays.put(ModelFile.DENSE_WEIGHTS,
                        NpyArray.float32(new int[] {1352, 10}, new float[13520]))));
        assertEquals(prefix + "the array conv_filters has dtype <f8, but a vcnn model stores float32 (<f4)",
                refusal(tmp, arrays -> arrays.put(ModelFile.CONV_FILTERS,
                        new NpyArray("<f8", new int[] {8, 1, 3, 3}, new byte[72 * 8]))));
        assertEquals(prefix + "its metadata says format version 2, and this vcnn reads version 1 only",
                refusal(tmp, arrays -> arrays.put(ModelFile.METADATA,
                        metadataWith(arrays, "\"format_version\" : 1", "\"format_version\" : 2"))));
        assertEquals(prefix + "has no metadata array, so it is not a vcnn model (it holds conv_filters, dense_weights,"
                        + " dense_biases)",
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
        assertEquals(prefix + "has an array named momentum, which a vcnn model does not have",
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
        assertEquals(bad + ": the array dense_biases holds NaN at index 3, so the model is unusable (was it saved"
                        + " from a diverged run?)",
                refusal(tmp, arrays -> arrays.put(ModelFile.DENSE_BIASES, NpyArray.float32(new int[] {10}, biases))));

        Network diverged = network(6);
        diverged.dense().weights()[1351] = Float.NEGATIVE_INFINITY;
        Path target = tmp.resolve("target.npz");
        Files.writeString(target, "an earlier model");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.save(target, diverged, info(diverged, DIGITS)));
        assertEquals("the network's dense_weights hold -Infinity at index 1351; a diverged model is not saved",
                e.getMessage());
        assertEquals("an earlier model", Files.readString(target));
    }

    @Test
    void anArchitectureTooLargeToBeRealIsRefusedBeforeAnyArrayIsRead(@TempDir Path tmp) throws Exception {
        String prefix = tmp.resolve("bad.npz") + ": its metadata ";
        assertEquals(prefix + "has an impossible architecture: a network with input 1x28x28, 99999999 filters and"
                        + " 10 classes would hold an array of 168,999,998,310 floats, more than the 67,108,864 vcnn allows",
                refusal(tmp, arrays -> arrays.put(ModelFile.METADATA,
                        metadataWith(arrays, "\"conv_filters\" : 8", "\"conv_filters\" : 99999999"))));
        assertEquals(prefix + "has architecture.classes = 4294967306, too large a number",
                refusal(tmp, arrays -> arrays.put(ModelFile.METADATA,
                        metadataWith(arrays, "\"classes\" : 10", "\"classes\" : 4294967306"))));
        assertEquals(prefix + "has an impossible architecture: no network has input 1x3x28, 8 filters and 10 classes",
                refusal(tmp, arrays -> arrays.put(ModelFile.METADATA,
                        metadataWith(arrays, "\"input_shape\" : [ 1, 28, 28 ]", "\"input_shape\" : [ 1, 3, 28 ]"))));
    }
}
