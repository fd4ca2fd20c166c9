package dev.vcnn.cli;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.model.ModelFile;
import dev.vcnn.engine.model.SavedModel;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code vcnn train} without --net, --batch or --momentum is the seed's job, and must train bit for
 * bit what the release before the layer stack trained. The fixture in {@code seed-job/} was made from
 * that release's runs of {@code train --engine E --seed S --save M.npz}: {@code <config>.log} is its
 * stdout without the last two lines (the wall-time summary and the "Saved" line, whose path differs),
 * {@code <config>.sha256} the SHA-256 of its final parameters, the float32 little-endian bytes of
 * conv_filters, dense_weights and dense_biases (now 0.weight, 2.weight, 2.bias) one after another.
 * The vector engine sums in an order that depends on its width, so each width has its own reference.
 */
class SeedJobPinTest {

    @ParameterizedTest
    @ValueSource(strings = {"scalar-seed1", "scalar-seed2", "vector-512-seed1", "vector-512-seed2",
            "vector-256-seed1", "vector-256-seed2", "vector-128-seed1", "vector-128-seed2"})
    void theDefaultJobTrainsBitForBitWhatThePreviousReleaseTrained(String config, @TempDir Path tmp)
            throws Exception {
        Matcher name = Pattern.compile("(scalar|vector)(?:-(\\d+))?-seed(\\d+)").matcher(config);
        assertTrue(name.matches(), config);
        boolean scalar = name.group(1).equals("scalar");
        String seed = name.group(3);
        String engine = scalar ? "scalar" : vectorEngine(Integer.parseInt(name.group(2)));

        Path model = tmp.resolve("model.npz");
        CliRun run = scalar
                ? CliRun.of("train", "--engine", "scalar", "--seed", seed, "--save", model.toString())
                : CliRun.of("train", "--seed", seed, "--save", model.toString());
        assertEquals(0, run.exitCode(), run.err());

        List<String> expected = resource(config + ".log").lines().toList();
        List<String> lines = Arrays.asList(run.outLines());
        assertEquals(expected.size() + 2, lines.size(), run.out());
        assertEquals(expected, lines.subList(0, expected.size()));
        // the seed's settings are not mentioned, as they never were
        String summary = lines.get(expected.size());
        assertTrue(summary.matches("Trained 3000 images in \\d+\\.\\d{3} s \\([\\d,]+ images/s\\) with the "
                + Pattern.quote(engine) + " engine, seed " + seed + "\\."), summary);
        assertEquals("Saved the model (3 epochs) to " + model + ".", lines.getLast());

        SavedModel saved = ModelFile.load(model);
        assertEquals(resource(config + ".sha256").strip(),
                sha256(saved.parameter("0.weight"), saved.parameter("2.weight"), saved.parameter("2.bias")),
                "the final parameters of " + config);
        assertEquals(List.of("0.weight", "2.weight", "2.bias"), List.copyOf(saved.parameters().keySet()));
        assertTrue(saved.velocities().isEmpty(), "no momentum, so no velocities");
    }

    // the vector engine's description at this width, when it is the width this JVM runs; skips otherwise
    private static String vectorEngine(int bits) {
        String description;
        try {
            description = KernelSelection.vector().description();
        } catch (UnsupportedOperationException e) {
            assumeTrue(false, "the " + bits + "-bit reference needs the vector engine, which cannot run here: "
                    + e.getMessage());
            throw e;
        }
        Matcher width = Pattern.compile("(\\d+)-bit").matcher(description);
        assertTrue(width.find(), description);
        assumeTrue(Integer.parseInt(width.group(1)) == bits, "this JVM runs the vector engine as " + description
                + ", and the sums of the " + bits + "-bit reference come in another order; run with "
                + "-Dvcnn.vectorBits=" + bits + " to check it");
        return description;
    }

    static String sha256(float[]... arrays) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (float[] array : arrays) {
            assertNotNull(array);
            ByteBuffer bytes = ByteBuffer.allocate(4 * array.length).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(array);
            digest.update(bytes);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String resource(String file) throws IOException {
        try (InputStream in = SeedJobPinTest.class.getResourceAsStream("seed-job/" + file)) {
            assertNotNull(in, "no fixture seed-job/" + file);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
