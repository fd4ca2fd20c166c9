package dev.vcnn.engine.data;

import java.util.Objects;

/**
 * Labelled grayscale images as raw bytes: {@code pixels} is {@code [count][rows][cols]} unsigned bytes,
 * {@code labels} is {@code [count]} classes 0..9. The arrays are shared, not copied: treat them as read-only.
 *
 * @param source where the data came from (the images file's name as given), for messages and logs
 */
public record Dataset(String source, int count, int rows, int cols, byte[] pixels, byte[] labels)
        implements Examples {

    /** Number of distinct labels; a label is a class index in {@code [0, CLASSES)}. */
    public static final int CLASSES = 10;

    // p / 255 - 0.5 for every byte value, so that imageInto is a table lookup per pixel
    private static final float[] NORMALISED = new float[256];

    static {
        for (int p = 0; p < 256; p++) {
            NORMALISED[p] = p / 255f - 0.5f;
        }
    }

    public Dataset {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if (count < 0 || rows < 1 || cols < 1) {
            throw new IllegalArgumentException(
                    "need count >= 0 and rows, cols >= 1, got " + count + " images of " + rows + "x" + cols);
        }
        if ((long) rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("images of " + rows + "x" + cols + " do not fit one array");
        }
        if (pixels.length != (long) count * rows * cols) {
            throw new IllegalArgumentException("pixels holds " + pixels.length + " bytes, but " + count
                    + " images of " + rows + "x" + cols + " need " + (long) count * rows * cols);
        }
        if (labels.length != count) {
            throw new IllegalArgumentException("labels holds " + labels.length + " bytes, but there are "
                    + count + " images");
        }
        for (int i = 0; i < count; i++) {
            if (Byte.toUnsignedInt(labels[i]) >= CLASSES) {
                throw new IllegalArgumentException(
                        "label " + i + " is " + Byte.toUnsignedInt(labels[i]) + ", outside 0.." + (CLASSES - 1));
            }
        }
    }

    /** Pixels per image: {@code rows * cols}. */
    public int imageSize() {
        return rows * cols;
    }

    /**
     * Writes image {@code index} as the model's input, {@code dst[k] = p / 255f - 0.5f} for its
     * {@code rows * cols} pixels in row-major order; {@code dst} may be longer (entries past the image are
     * left alone).
     */
    public void imageInto(int index, float[] dst) {
        Objects.checkIndex(index, count);
        int size = imageSize();
        if (dst.length < size) {
            throw new IllegalArgumentException(
                    "dst holds " + dst.length + " floats, an image of " + rows + "x" + cols + " needs " + size);
        }
        toInput(pixels, index * size, size, dst);
    }

    /**
     * Writes {@code size} unsigned-byte pixels starting at {@code pixels[offset]} as model input,
     * {@code dst[k] = p / 255f - 0.5f}: the one scaling every image goes through, from a file or not.
     */
    public static void toInput(byte[] pixels, int offset, int size, float[] dst) {
        for (int k = 0; k < size; k++) {
            dst[k] = NORMALISED[pixels[offset + k] & 0xFF];
        }
    }

    /** The class of image {@code index}, 0..9. */
    @Override
    public int label(int index) {
        Objects.checkIndex(index, count);
        return labels[index];
    }

    /** rows x cols, e.g. {@code 28x28}. */
    @Override
    public String imageShape() {
        return rows + "x" + cols;
    }

    @Override
    public String toString() {
        return "Dataset[" + source + ": " + count + " images of " + rows + "x" + cols + "]";
    }
}
