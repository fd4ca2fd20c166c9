package dev.vcnn.cli;

import dev.vcnn.engine.data.Dataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vcnn predict on test images and on pictures rendered from them. */
class PredictCommandTest {
    @TempDir
    static Path shared;
    static Path model;
    static Dataset test;

    @BeforeAll
    static void trainAModel() throws Exception {
        model = shared.resolve("model.npz");
        CliRun run = CliRun.of("train", "--seed", "2", "--save", model.toString(), "--quiet");
        assertEquals(0, run.exitCode(), run.err());
        test = TrainingData.test(null, 10);
        // the first MNIST test images are 7 2 1 0 4 1 4 9 5 9
        assertEquals(7, test.label(0));
    }

    // test image n as a picture, each pixel a block of scale x scale, inverted if asked: 8-bit gray
    // samples written as they are (setRGB would pass them through Java2D's linear-gray conversion), or
    // sRGB colour with R = G = B
    static BufferedImage picture(int n, int scale, boolean inverted, int type) {
        BufferedImage image = new BufferedImage(28 * scale, 28 * scale, type);
        for (int y = 0; y < 28 * scale; y++) {
            for (int x = 0; x < 28 * scale; x++) {
                int p = test.pixels()[n * 784 + (y / scale) * 28 + x / scale] & 0xFF;
                int v = inverted ? 255 - p : p;
                if (type == BufferedImage.TYPE_BYTE_GRAY) {
                    image.getRaster().setSample(x, y, 0, v);
                } else {
                    image.setRGB(x, y, 0xFF000000 | v << 16 | v << 8 | v);
                }
            }
        }
        return image;
    }

    private static String prediction(CliRun run) {
        assertEquals(0, run.exitCode(), run.err());
        String line = run.outLines()[0];
        return line.substring(line.indexOf(": ") + 2);
    }

    @Test
    void aTestImageIsPredictedWithItsTrueClassShown() {
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--index", "0");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().matches("test image 0 \\(true class 7\\): 7 {2}\\(7 \\d+\\.\\d%, \\d \\d+\\.\\d%, \\d \\d+\\.\\d%\\)\\R"),
                run.out());
    }

    @Test
    void aPictureOfATestImageGetsExactlyTheTestImagesProbabilities(@TempDir Path tmp) throws Exception {
        // a 28x28 8-bit gray PNG holds the very bytes of the IDX image, so every digit must agree
        for (int n = 0; n < 10; n++) {
            Path png = tmp.resolve("digit-" + n + ".png");
            ImageIO.write(picture(n, 1, false, BufferedImage.TYPE_BYTE_GRAY), "png", png.toFile());
            String fromPicture = prediction(CliRun.of("predict", "--model", model.toString(), png.toString()));
            String fromIndex = prediction(CliRun.of("predict", "--model", model.toString(), "--index", "" + n));
            assertEquals(fromIndex, fromPicture, "image " + n);
        }
    }

    @Test
    void sixteenBitGrayAndGrayWithAlphaPicturesGetTheTestImagesProbabilities(@TempDir Path tmp) throws Exception {
        // the same gray values in 16 bits (v * 257) and as 8-bit gray with an opaque alpha channel: neither
        // may go through Java2D's linear-gray conversion on the way to the network
        ColorModel grayAlpha = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        for (int n = 0; n < 3; n++) {
            BufferedImage sixteen = new BufferedImage(28, 28, BufferedImage.TYPE_USHORT_GRAY);
            BufferedImage withAlpha = new BufferedImage(grayAlpha, grayAlpha.createCompatibleWritableRaster(28, 28),
                    false, null);
            for (int k = 0; k < 784; k++) {
                int v = test.pixels()[n * 784 + k] & 0xFF;
                sixteen.getRaster().setSample(k % 28, k / 28, 0, v * 257);
                withAlpha.getRaster().setSample(k % 28, k / 28, 0, v);
                withAlpha.getRaster().setSample(k % 28, k / 28, 1, 255);
            }
            String fromIndex = prediction(CliRun.of("predict", "--model", model.toString(), "--index", "" + n));
            for (var picture : new Object[][] {{"sixteen", sixteen}, {"alpha", withAlpha}}) {
                Path png = tmp.resolve(picture[0] + "-" + n + ".png");
                assertTrue(ImageIO.write((BufferedImage) picture[1], "png", png.toFile()));
                assertEquals(fromIndex, prediction(CliRun.of("predict", "--model", model.toString(), png.toString())),
                        picture[0] + " image " + n);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"png, 1", "png, 7", "jpg, 10"})
    void largerColourAndDarkOnLightPicturesAreScaledAndInverted(String format, int scale, @TempDir Path tmp)
            throws Exception {
        // ink on paper: dark strokes on white, in colour, enlarged; --invert makes it MNIST-like again
        Path file = tmp.resolve("seven." + format);
        ImageIO.write(picture(0, scale, true, BufferedImage.TYPE_INT_RGB), format, file.toFile());
        CliRun run = CliRun.of("predict", "--model", model.toString(), "--invert", file.toString());
        assertTrue(prediction(run).startsWith("7  (7 "), run.out());
    }

    @Test
    void manyPicturesGiveOneLineEach(@TempDir Path tmp) throws Exception {
        // test images 3 and 2 are a 0 and a 1, which this model gets right (image 1, a 2, it takes for a 6)
        Path zero = tmp.resolve("zero.png");
        Path one = tmp.resolve("one.png");
        ImageIO.write(picture(3, 3, false, BufferedImage.TYPE_BYTE_GRAY), "png", zero.toFile());
        ImageIO.write(picture(2, 3, false, BufferedImage.TYPE_BYTE_GRAY), "png", one.toFile());
        CliRun run = CliRun.of("predict", "--model", model.toString(), zero.toString(), one.toString());
        assertEquals(0, run.exitCode(), run.err());
        String[] lines = run.outLines();
        assertEquals(2, lines.length, run.out());
        assertTrue(lines[0].startsWith(zero + ": 0  (0 "), lines[0]);
        assertTrue(lines[1].startsWith(one + ": 1  (1 "), lines[1]);
    }

    @Test
    void manyPicturesPrintTheSameOnAnyNumberOfThreadsAndABadOneStillFailsAfterThoseBeforeIt(@TempDir Path tmp)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString()));
        for (int n = 0; n < 10; n++) {
            Path png = tmp.resolve("test-" + n + ".png");
            ImageIO.write(picture(n, 1, false, BufferedImage.TYPE_BYTE_GRAY), "png", png.toFile());
            args.add(png.toString());
        }
        String one = ran(args, "1");
        assertEquals(10, one.strip().split("\\R").length, one);
        for (String threads : new String[] {"2", "3", "16"}) {
            assertEquals(one, ran(args, threads), threads + " threads");
        }
        Path bad = Files.writeString(tmp.resolve("bad.png"), "no pixels here");
        args.add(4, bad.toString());
        for (String threads : new String[] {"1", "3"}) {
            List<String> all = new ArrayList<>(args);
            all.addAll(List.of("--threads", threads));
            CliRun run = CliRun.of(all.toArray(new String[0]));
            assertEquals(1, run.exitCode(), run.err());
            assertEquals(one.strip().split("\\R")[0], run.out().strip(),
                    "the one picture before the bad one is printed, on " + threads + " threads");
        }
    }

    private static String ran(List<String> args, String threads) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--threads", threads));
        CliRun run = CliRun.of(all.toArray(new String[0]));
        assertEquals(0, run.exitCode(), run.err());
        return run.out();
    }

    @Test
    void aFileThatIsNoPictureIsOneLine(@TempDir Path tmp) throws Exception {
        Path text = tmp.resolve("notes.png");
        Files.writeString(text, "no pixels here");
        assertEquals("vcnn: bad data: " + text + ": is not a picture this vcnn can read (PNG, JPEG, BMP, GIF)",
                CliRun.of("predict", "--model", model.toString(), text.toString()).oneLineFailure());
        Path missing = tmp.resolve("missing.png");
        assertEquals("vcnn: bad data: " + missing + ": no such file",
                CliRun.of("predict", "--model", model.toString(), missing.toString()).oneLineFailure());
        Path empty = Files.createFile(tmp.resolve("empty.png"));
        assertEquals("vcnn: bad data: " + empty + ": is not a picture this vcnn can read (PNG, JPEG, BMP, GIF)",
                CliRun.of("predict", "--model", model.toString(), empty.toString()).oneLineFailure());
        assertEquals("vcnn: bad data: " + tmp + ": is a folder, not a picture",
                CliRun.of("predict", "--model", model.toString(), tmp.toString()).oneLineFailure());
    }

    @Test
    void aPictureWhoseHeaderClaimsTenGigapixelsIsRefusedBeforeDecoding(@TempDir Path tmp) throws Exception {
        // a real 28x28 PNG whose header (with a correct checksum) claims 100000x100000: decoding it would
        // ask for 10^10 pixels; the size is read from the header and refused first
        Path huge = tmp.resolve("huge.png");
        Files.write(huge, HostilePicturesTest.withSize(png(0), 100_000, 100_000));
        CliRun run = CliRun.of("predict", "--model", model.toString(), huge.toString());
        assertEquals("vcnn: bad data: " + huge + ": the picture is 100000x100000 pixels, more than the 40 megapixels"
                + " vcnn predict decodes; scale it down first", run.oneLineFailure());
        assertTrue(run.seconds() < 1, "took " + run.seconds() + " s");

        Path none = tmp.resolve("none.png");
        Files.write(none, HostilePicturesTest.withSize(png(0), 0, 28));
        assertTrue(CliRun.of("predict", "--model", model.toString(), none.toString()).oneLineFailure()
                .startsWith("vcnn: bad data: " + none + ": "));

        Path cut = tmp.resolve("cut.png");
        byte[] whole = png(0);
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertEquals("vcnn: bad data: " + cut + ": the picture could not be decoded; it is damaged or of a kind this"
                + " vcnn cannot read", CliRun.of("predict", "--model", model.toString(), cut.toString()).oneLineFailure());
    }

    // test image n as PNG bytes
    static byte[] png(int n) throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        ImageIO.write(picture(n, 1, false, BufferedImage.TYPE_BYTE_GRAY), "png", bytes);
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--model=M                                  | name IMAGE files to classify",
            "--model=M --index=0 x.png                  | --index classifies a test image",
            "--model=M --index=-1                       | --index must be 0 or more",
            "--model=M --data=/tmp x.png                | --data names where --index finds",
            "--model=M --index=0 --invert               | --invert is for pictures",
            "x.png                                      | --model",
            "--model=M --index=1000                     | --index 1000 is past the last of the 1000 images in the"
                    + " bundled data set (they are numbered from 0); use --data DIR for more",
            "--model=M --index=2147483647               | --index 2147483647 is past the last of the 1000 images",
            "--model=M --index=0 --engine=gpu           | --engine",
    })
    void badCombinationsAreUsageErrorsNamingTheFlag(String args, String message) {
        String[] split = args.replace("M", model.toString()).trim().split("\\s+");
        String[] full = new String[split.length + 1];
        full[0] = "predict";
        System.arraycopy(split, 0, full, 1, split.length);
        CliRun run = CliRun.of(full);
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains(message), run.err());
    }
}
