package dev.vcnn.engine.model;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.network.Prediction;
import dev.vcnn.engine.training.Evaluation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The checkpoint as numpy users meet it: numpy.load opens it, and the forward pass written from the
 * documented shapes alone gives the engine's probabilities. Skipped where python3 with numpy is missing.
 */
class NumpyInteropTest {
    private static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    @BeforeAll
    static void needsNumpy() {
        assumeTrue(python("import numpy").exitCode == 0, "python3 with numpy is not installed here");
    }

    private record Result(int exitCode, String out) {
    }

    private static Result python(String script, String... args) {
        try {
            String[] command = new String[args.length + 3];
            command[0] = "python3";
            command[1] = "-c";
            command[2] = script;
            System.arraycopy(args, 0, command, 3, args.length);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, out);
            }
            return new Result(process.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }

    private static ModelInfo info(Network network) {
        return new ModelInfo(Architecture.of(network), DIGITS,
                new TrainingRecord(5, 0.005f, 1, 0f, 2, 1000, "somewhere", "scalar"), new Evaluation(0.5, 800, 1000));
    }

    @Test
    void numpyLoadsTheArraysAndItsForwardPassGivesTheEnginesProbabilities(@TempDir Path tmp) throws Exception {
        Network network = Network.seed(KernelSelection.scalar(), new SplittableRandom(5));
        Path model = tmp.resolve("model.npz");
        ModelFile.save(model, network, info(network));
        SplittableRandom pixels = new SplittableRandom(3);
        float[] image = new float[28 * 28];
        for (int k = 0; k < image.length; k++) {
            image[k] = (float) pixels.nextDouble(-0.5, 0.5);
        }
        Path imageFile = tmp.resolve("image.npy");
        Files.write(imageFile, Npy.encode(NpyArray.float32(new int[] {28, 28}, image)));

        Result result = python("""
                import json, sys
                import numpy as np
                z = np.load(sys.argv[1])
                print(sorted((k, z[k].shape, str(z[k].dtype)) for k in z.files))
                meta = json.loads(z["metadata"].item())
                print(meta["format_version"], meta["training"]["epochs_done"], meta["class_names"][7])
                # the forward pass from the README's shapes: valid 3x3 correlation, 2x2 max-pool, dense, softmax
                x = np.load(sys.argv[2]).astype(np.float64)
                f = z["0.weight"].astype(np.float64)            # (8, 1, 3, 3)
                conv = np.zeros((8, 26, 26))
                for i in range(3):
                    for j in range(3):
                        conv += f[:, 0, i, j][:, None, None] * x[i:i + 26, j:j + 26][None]
                pooled = conv.reshape(8, 13, 2, 13, 2).max(axis=(2, 4))
                logits = z["2.weight"].astype(np.float64) @ pooled.reshape(-1) + z["2.bias"]
                p = np.exp(logits - logits.max())
                print(" ".join(repr(float(v)) for v in p / p.sum()))
                """, model.toString(), imageFile.toString());
        assertEquals(0, result.exitCode, result.out);
        String[] lines = result.out.strip().split("\\R");
        assertEquals("[('0.weight', (8, 1, 3, 3), 'float32'), ('2.bias', (10,), 'float32'), "
                + "('2.weight', (10, 1352), 'float32'), ('metadata', (), '<U" + metadataLength(model) + "')]",
                lines[0]);
        assertEquals("2 2 7", lines[1]);
        String[] numpyProbabilities = lines[2].split(" ");
        float[] engine = Prediction.of(network, image).probabilities();
        for (int k = 0; k < 10; k++) {
            assertEquals(Double.parseDouble(numpyProbabilities[k]), engine[k], 1e-5,
                    "class " + k);
        }
    }

    // n of the metadata's <U n: its JSON's length in code points
    private static int metadataLength(Path model) throws Exception {
        SavedModel saved = ModelFile.load(model);
        String json = ModelMetadata.toJson(saved.info(), saved.info().architecture().parameterShapes());
        return json.codePointCount(0, json.length());
    }

    @Test
    void aModelWrittenByNumpysSavezLoads(@TempDir Path tmp) throws Exception {
        Network network = Network.seed(KernelSelection.scalar(), new SplittableRandom(8));
        Path ours = tmp.resolve("ours.npz");
        ModelFile.save(ours, network, info(network));
        Path theirs = tmp.resolve("theirs.npz");
        // halve every weight in numpy and save with np.savez, as a user editing a model would
        Result result = python("""
                import sys
                import numpy as np
                z = np.load(sys.argv[1])
                arrays = {k: z[k] for k in z.files}
                for k in ("0.weight", "2.weight", "2.bias"):
                    arrays[k] = (arrays[k] * np.float32(0.5)).astype(np.float32)
                np.savez(sys.argv[2], **arrays)
                """, ours.toString(), theirs.toString());
        assertEquals(0, result.exitCode, result.out);

        SavedModel loaded = ModelFile.load(theirs);
        float[] halved = network.parameter("2.weight").values().clone();
        for (int k = 0; k < halved.length; k++) {
            halved[k] *= 0.5f;
        }
        assertArrayEquals(halved, loaded.parameter("2.weight"));
        assertEquals(info(network), loaded.info());
    }

    @Test
    void anySpecsArraysRunInNumpyAsPyTorchsSequentialWould(@TempDir Path tmp) throws Exception {
        // two channels, biased and unbiased convs, a fused conv+pool, hidden relu: every layout rule at once
        String spec = "conv3x3:4,relu,conv3x3:3:nobias,maxpool2,dense:6,relu,dense:10";
        Network network = Network.build(KernelSelection.scalar(), NetworkSpec.parse(spec), new Shape(2, 11, 12), 10,
                new SplittableRandom(12));
        Path model = tmp.resolve("model.npz");
        ModelFile.save(model, network, info(network));
        SplittableRandom pixels = new SplittableRandom(4);
        float[] image = new float[2 * 11 * 12];
        for (int k = 0; k < image.length; k++) {
            image[k] = (float) pixels.nextDouble(-0.5, 0.5);
        }
        Path imageFile = tmp.resolve("image.npy");
        Files.write(imageFile, Npy.encode(NpyArray.float32(new int[] {2, 11, 12}, image)));

        // nn.Sequential(Conv2d(2,4,3), ReLU(), Conv2d(4,3,3,bias=False), MaxPool2d(2), Flatten(), Linear(..,6),
        // ReLU(), Linear(6,10)) from the state_dict names, in numpy
        Result result = python("""
                import json, sys
                import numpy as np
                z = np.load(sys.argv[1])
                meta = json.loads(z["metadata"].item())
                print(meta["architecture"]["spec"], meta["architecture"]["input_shape"])
                def conv(x, w, b):
                    f, c, _, _ = w.shape
                    h, v = x.shape[1] - 2, x.shape[2] - 2
                    out = np.zeros((f, h, v))
                    for i in range(3):
                        for j in range(3):
                            out += np.einsum("fc,chw->fhw", w[:, :, i, j], x[:, i:i + h, j:j + v])
                    return out if b is None else out + b[:, None, None]
                def pool(x):
                    c, h, w = x.shape
                    return x[:, :h // 2 * 2, :w // 2 * 2].reshape(c, h // 2, 2, w // 2, 2).max(axis=(2, 4))
                a = {k: z[k].astype(np.float64) for k in z.files if k != "metadata"}
                x = np.load(sys.argv[2]).astype(np.float64)
                x = np.maximum(conv(x, a["0.weight"], a["0.bias"]), 0)
                x = pool(conv(x, a["2.weight"], None)).reshape(-1)
                x = np.maximum(a["4.weight"] @ x + a["4.bias"], 0)
                logits = a["6.weight"] @ x + a["6.bias"]
                p = np.exp(logits - logits.max())
                print(" ".join(repr(float(v)) for v in p / p.sum()))
                """, model.toString(), imageFile.toString());
        assertEquals(0, result.exitCode, result.out);
        String[] lines = result.out.strip().split("\\R");
        assertEquals(spec + " [2, 11, 12]", lines[0]);
        String[] numpyProbabilities = lines[1].split(" ");
        float[] engine = Prediction.of(network, image).probabilities();
        for (int k = 0; k < 10; k++) {
            assertEquals(Double.parseDouble(numpyProbabilities[k]), engine[k], 1e-5, "class " + k);
        }
    }
}
