package dev.vcnn.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/** A small MNIST-layout data folder for command line tests, and the IDX bytes to damage it with. */
final class MnistFolder {
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    private MnistFolder() {
    }

    /** Writes the four raw files: {@code train} and {@code test} random 28x28 images with labels 0..9. */
    static Path write(Path dir, int train, int test) {
        put(dir, TRAIN_IMAGES, images(train, 28, 28, 1));
        put(dir, TRAIN_LABELS, labels(train));
        put(dir, TEST_IMAGES, images(test, 28, 28, 2));
        put(dir, TEST_LABELS, labels(test));
        return dir;
    }

    /** An images file of {@code count} random images, header and all. */
    static byte[] images(int count, int rows, int cols, long seed) {
        byte[] pixels = new byte[count * rows * cols];
        new SplittableRandom(seed).nextBytes(pixels);
        return ByteBuffer.allocate(16 + pixels.length).putInt(0x803).putInt(count).putInt(rows).putInt(cols)
                .put(pixels).array();
    }

    /** A labels file: 0, 1, ..., 9, 0, 1, ... */
    static byte[] labels(int count) {
        ByteBuffer labels = ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
        for (int k = 0; k < count; k++) {
            labels.put((byte) (k % 10));
        }
        return labels.array();
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path put(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
