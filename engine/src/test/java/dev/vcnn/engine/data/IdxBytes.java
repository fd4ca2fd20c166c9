package dev.vcnn.engine.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Builds IDX file contents for tests, valid or with whatever header a test wants to lie with. */
final class IdxBytes {

    static final int IMAGES_MAGIC = 2051;
    static final int LABELS_MAGIC = 2049;

    private IdxBytes() {
    }

    /** A valid images file: header, then {@code pixels} ({@code [count][rows][cols]}). */
    static byte[] images(int count, int rows, int cols, byte[] pixels) {
        return images(IMAGES_MAGIC, count, rows, cols, pixels);
    }

    static byte[] images(int magic, int count, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length)
                .putInt(magic).putInt(count).putInt(rows).putInt(cols).put(pixels).array();
    }

    /** A valid labels file: header, then {@code labels}. */
    static byte[] labels(int count, byte[] labels) {
        return labels(LABELS_MAGIC, count, labels);
    }

    static byte[] labels(int magic, int count, byte[] labels) {
        return ByteBuffer.allocate(8 + labels.length).putInt(magic).putInt(count).put(labels).array();
    }

    /**
     * Pixels {@code [count][rows][cols]} where every byte value 0..255 occurs when there are enough of them,
     * in a repetitive pattern that deflate compresses (so a gzip of it is Huffman-coded, not stored).
     */
    static byte[] patternPixels(int count, int rows, int cols) {
        byte[] pixels = new byte[count * rows * cols];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7);
        }
        return pixels;
    }

    static byte[] randomPixels(int count, int rows, int cols, long seed) {
        byte[] pixels = new byte[count * rows * cols];
        new Random(seed).nextBytes(pixels);
        return pixels;
    }

    /** Labels 0..9 in a fixed order, {@code [count]}. */
    static byte[] patternLabels(int count) {
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) ((i * 3 + 1) % 10);
        }
        return labels;
    }

    static byte[] gzip(byte[] data) {
        var out = new ByteArrayOutputStream();
        try (var gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] cut(byte[] data, int length) {
        return Arrays.copyOf(data, length);
    }

    static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
