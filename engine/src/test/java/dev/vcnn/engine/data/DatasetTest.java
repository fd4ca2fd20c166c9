package dev.vcnn.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DatasetTest {

    // two images of 2x2: [0, 255, 128, 1] and [10, 20, 30, 40]
    private static final byte[] PIXELS = {0, (byte) 255, (byte) 128, 1, 10, 20, 30, 40};
    private static final byte[] LABELS = {7, 0};

    private final Dataset data = new Dataset("test", 2, 2, 2, PIXELS, LABELS);

    @Test
    void imageSizeIsRowsTimesCols() {
        assertEquals(4, data.imageSize());
        assertEquals(28 * 28, new Dataset("x", 0, 28, 28, new byte[0], new byte[0]).imageSize());
    }

    @Test
    void imageIntoScalesToTheModelsInputRange() {
        float[] dst = new float[4];
        data.imageInto(0, dst);
        // exact: the same float expression the model's normalisation is defined by
        assertEquals(-0.5f, dst[0]);
        assertEquals(0.5f, dst[1]);
        assertEquals(128 / 255f - 0.5f, dst[2]);
        assertEquals(1 / 255f - 0.5f, dst[3]);
        data.imageInto(1, dst);
        assertArrayEquals(new float[] {10 / 255f - 0.5f, 20 / 255f - 0.5f, 30 / 255f - 0.5f, 40 / 255f - 0.5f}, dst);
    }

    @Test
    void imageIntoLeavesTheRestOfALongerBufferAlone() {
        float[] dst = {9, 9, 9, 9, 9, 9};
        data.imageInto(1, dst);
        assertEquals(9f, dst[4]);
        assertEquals(9f, dst[5]);
    }

    @Test
    void imageIntoRejectsBadIndexOrShortBuffer() {
        assertThrows(IndexOutOfBoundsException.class, () -> data.imageInto(2, new float[4]));
        assertThrows(IndexOutOfBoundsException.class, () -> data.imageInto(-1, new float[4]));
        assertThrows(IllegalArgumentException.class, () -> data.imageInto(0, new float[3]));
    }

    @Test
    void labels() {
        assertEquals(7, data.label(0));
        assertEquals(0, data.label(1));
        assertThrows(IndexOutOfBoundsException.class, () -> data.label(2));
    }

    @Test
    void constructorRejectsInconsistentArrays() {
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", 2, 2, 2, new byte[7], LABELS));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", 2, 2, 2, PIXELS, new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", -1, 2, 2, new byte[0], new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", 2, 0, 2, new byte[0], LABELS));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", 2, 2, 2, PIXELS, new byte[] {1, 10}));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", 2, 2, 2, PIXELS, new byte[] {-1, 1}));
        assertThrows(NullPointerException.class, () -> new Dataset(null, 2, 2, 2, PIXELS, LABELS));
    }

    @Test
    void constructorRejectsSizesThatOverflowAnInt() {
        // 65536 * 65536 wraps to 0 in int arithmetic; the check must not be fooled by that
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", 1, 65536, 65536, new byte[0], new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", 0, 65536, 65536, new byte[0], new byte[0]));
    }
}
