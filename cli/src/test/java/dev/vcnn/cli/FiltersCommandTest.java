package dev.vcnn.cli;

import dev.vcnn.engine.model.ModelFile;
import dev.vcnn.engine.model.SavedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FiltersCommandTest {

    @Test
    void everyWeightIsASquareColouredByItsSignAndSize(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model.npz");
        assertEquals(0, CliRun.of("train", "--epochs", "0", "--save", model.toString()).exitCode());
        Path png = tmp.resolve("filters.png");
        CliRun run = CliRun.of("filters", "--model", model.toString(), "--out", png.toString(), "--scale", "10");
        assertEquals(0, run.exitCode(), run.err());
        // 8 filters of 3 x 10 pixels, with 2-pixel gaps around and between them
        assertEquals("Drew 8 filters of 3x3 (1 input channel) to " + png + ", 258x34 pixels.", run.outLines()[0]);

        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(258, image.getWidth());
        assertEquals(34, image.getHeight());
        float[] filters = ModelFile.load(model).parameter("0.weight");
        float limit = 0;
        for (float w : filters) {
            limit = Math.max(limit, Math.abs(w));
        }
        for (int f = 0; f < 8; f++) {
            for (int k = 0; k < 9; k++) {
                // the centre of weight (k / 3, k % 3) of filter f
                int x = 2 + f * 32 + (k % 3) * 10 + 5;
                int y = 2 + (k / 3) * 10 + 5;
                assertEquals(FilterImage.color(filters[f * 9 + k] / limit).getRGB(), image.getRGB(x, y),
                        "filter " + f + " weight " + k);
            }
        }
        // the largest weight is full red or full blue
        assertEquals(1f, Math.abs(maxByMagnitude(ModelFile.load(model)) / limit));
    }

    private static float maxByMagnitude(SavedModel saved) {
        float best = 0;
        for (float w : saved.parameter("0.weight")) {
            best = Math.abs(w) > Math.abs(best) ? w : best;
        }
        return best;
    }

    @Test
    void anUnwritableOutputIsOneLineAndTheEarlierPictureStays(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model.npz");
        assertEquals(0, CliRun.of("train", "--epochs", "0", "--save", model.toString()).exitCode());
        Path file = tmp.resolve("file");
        Files.writeString(file, "x");
        assertEquals("vcnn: " + file.resolve("f.png") + ": cannot be written, " + file + " is a file, not a folder",
                CliRun.of("filters", "--model", model.toString(), "--out", file.resolve("f.png").toString())
                        .oneLineFailure());
        assertEquals(2, CliRun.of("filters", "--model", model.toString(), "--out", "x.png", "--scale", "0").exitCode());
        assertEquals(2, CliRun.of("filters", "--model", model.toString(), "--out", "x.png", "--scale", "257").exitCode());
        assertEquals(2, CliRun.of("filters", "--model", model.toString()).exitCode());
    }
}
