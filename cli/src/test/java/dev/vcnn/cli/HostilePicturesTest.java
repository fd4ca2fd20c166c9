package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged pictures for vcnn predict: PNG and JPEG files cut at every offset and with bits flipped
 * anywhere. javax.imageio's decoders are not ours, so this checks the wrapper: every one is answered
 * by pixels or by one DataFormatException sentence naming the file, never by another exception.
 */
class HostilePicturesTest {

    /** A copy of a PNG with the width and height in its IHDR set, and the chunk's CRC made right again. */
    static byte[] withSize(byte[] png, int width, int height) {
        byte[] copy = png.clone();
        // signature (8), IHDR length (4), "IHDR" at 12, width at 16, height at 20, ..., CRC at 29
        ByteBuffer.wrap(copy).putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(copy, 12, 17);
        ByteBuffer.wrap(copy).putInt(29, (int) crc.getValue());
        return copy;
    }

    private static byte[] encoded(String format, int type) throws Exception {
        BufferedImage image = new BufferedImage(20, 14, type);
        SplittableRandom random = new SplittableRandom(5);
        for (int y = 0; y < 14; y++) {
            for (int x = 0; x < 20; x++) {
                image.setRGB(x, y, 0xFF000000 | random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, bytes));
        return bytes.toByteArray();
    }

    @Test
    void everyCutAndManyFlippedBitsAreAnsweredCleanly(@TempDir Path tmp) throws Exception {
        int answered = 0;
        int refused = 0;
        SplittableRandom random = new SplittableRandom(11);
        for (byte[] good : new byte[][] {encoded("png", BufferedImage.TYPE_INT_RGB),
                encoded("png", BufferedImage.TYPE_BYTE_GRAY), encoded("jpg", BufferedImage.TYPE_INT_RGB)}) {
            for (int length = 0; length < good.length; length++) {
                refused += answer(tmp, Arrays.copyOf(good, length)) ? 0 : 1;
                answered++;
            }
            for (int n = 0; n < 300; n++) {
                byte[] flipped = good.clone();
                for (int bits = 1 + random.nextInt(4); bits > 0; bits--) {
                    // half in the first 64 bytes, where the headers are
                    int at = random.nextBoolean() ? random.nextInt(Math.min(64, good.length)) : random.nextInt(good.length);
                    flipped[at] ^= (byte) (1 << random.nextInt(8));
                }
                refused += answer(tmp, flipped) ? 0 : 1;
                answered++;
            }
        }
        assertTrue(refused > answered / 2, "most cuts must be refused: " + refused + " of " + answered);
    }

    // true if the picture was read, false if refused; fails on anything else
    private static boolean answer(Path tmp, byte[] bytes) throws Exception {
        Path file = Files.write(tmp.resolve("hostile.img"), bytes);
        try {
            byte[] pixels = Pictures.read(file, 28, 28, false);
            assertEquals(28 * 28, pixels.length);
            return true;
        } catch (DataFormatException e) {
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            return false;
        }
    }
}
