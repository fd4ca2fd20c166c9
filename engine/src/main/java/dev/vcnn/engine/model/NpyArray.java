package dev.vcnn.engine.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One array as a {@code .npy} file holds it: numpy's dtype string (e.g. {@code <f4}), the shape, and
 * the raw bytes in C order. Only the dtypes vcnn writes can be turned into Java values.
 */
public record NpyArray(String dtype, int[] shape, byte[] data) {
    /** Little-endian float32, what every parameter array is. */
    public static final String FLOAT32 = "<f4";

    static final Charset UTF_32LE = Charset.forName("UTF-32LE");

    /** A float32 array of the given shape; {@code values} is in C (row-major) order. */
    public static NpyArray float32(int[] shape, float[] values) {
        if (elements(shape) != values.length) {
            throw new IllegalArgumentException("shape " + shapeText(shape) + " needs " + elements(shape)
                    + " values, got " + values.length);
        }
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return new NpyArray(FLOAT32, shape.clone(), bytes.array());
    }

    /** A 0-d unicode string array ({@code <U n}, UTF-32LE), which numpy reads as {@code str}. */
    public static NpyArray text(String value) {
        return new NpyArray("<U" + value.codePointCount(0, value.length()), new int[0], value.getBytes(UTF_32LE));
    }

    public float[] floats() {
        if (!FLOAT32.equals(dtype)) {
            throw new IllegalStateException("a " + dtype + " array is not float32");
        }
        float[] values = new float[data.length / Float.BYTES];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    /** Whether this is a single unicode string ({@code <U n} with one element). */
    public boolean isText() {
        return isText(dtype, shape);
    }

    /** Whether an array of this dtype and shape is a single unicode string. */
    public static boolean isText(String dtype, int[] shape) {
        return dtype.startsWith("<U") && elements(shape) == 1;
    }

    /** The string of a single-element {@code <U n} array; numpy pads with NULs, which are dropped. */
    public String text() {
        if (!isText()) {
            throw new IllegalStateException("a " + dtype + " array of shape " + shapeText(shape)
                    + " is not one string");
        }
        String padded = new String(data, UTF_32LE);
        int end = padded.length();
        while (end > 0 && padded.charAt(end - 1) == '\0') {
            end--;
        }
        return padded.substring(0, end);
    }

    /**
     * Number of elements a shape holds: the product of its sizes, 1 for a 0-d array;
     * {@link Long#MAX_VALUE} if the product does not fit a long (only a forged header gets there).
     */
    public static long elements(int[] shape) {
        long count = 1;
        for (int size : shape) {
            try {
                count = Math.multiplyExact(count, size);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return count;
    }

    /** The shape as numpy prints it: {@code (8, 1, 3, 3)}, {@code (10,)}, {@code ()}. */
    public static String shapeText(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        return Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NpyArray o && dtype.equals(o.dtype) && Arrays.equals(shape, o.shape)
                && Arrays.equals(data, o.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype + " " + shapeText(shape) + "]";
    }
}
