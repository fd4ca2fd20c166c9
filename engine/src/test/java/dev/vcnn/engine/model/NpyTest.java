package dev.vcnn.engine.model;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {

    private static NpyArray roundTrip(NpyArray array) throws IOException {
        return Npy.decode(new ByteArrayInputStream(Npy.encode(array)), Long.MAX_VALUE);
    }

    private static String rejection(byte[] file) {
        return assertThrows(IllegalArgumentException.class,
                () -> Npy.decode(new ByteArrayInputStream(file), 1 << 20)).getMessage();
    }

    @Test
    void theHeaderIsNumpysVersionOneLayoutWithTheDataSixtyFourByteAligned() {
        byte[] file = Npy.encode(NpyArray.float32(new int[] {10, 1352}, new float[13520]));
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Arrays.copyOf(file, 8));
        int headerLength = (file[8] & 0xFF) | (file[9] & 0xFF) << 8;
        assertEquals(0, (10 + headerLength) % 64, "data must start at a multiple of 64");
        String header = new String(file, 10, headerLength, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (10, 1352), }", header.stripTrailing());
        assertTrue(header.endsWith("\n"));
        assertEquals(10 + headerLength + 13520 * 4, file.length);
    }

    @Test
    void oneDimensionalAndScalarShapesArePythonTuples() {
        assertEquals("(10,)", NpyArray.shapeText(new int[] {10}));
        assertEquals("()", NpyArray.shapeText(new int[0]));
        assertEquals("(8, 1, 3, 3)", NpyArray.shapeText(new int[] {8, 1, 3, 3}));
    }

    @Test
    void floatsAreLittleEndian() {
        byte[] file = Npy.encode(NpyArray.float32(new int[] {1}, new float[] {1.0f}));
        // 1.0f is 0x3f800000
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, Arrays.copyOfRange(file, file.length - 4, file.length));
    }

    @Provide
    Arbitrary<NpyArray> float32Arrays() {
        Arbitrary<int[]> shapes = Arbitraries.integers().between(0, 5).array(int[].class).ofMinSize(0).ofMaxSize(4);
        return shapes.flatMap(shape -> Arbitraries.floats().array(float[].class)
                .ofSize((int) NpyArray.elements(shape))
                .map(values -> NpyArray.float32(shape, values)));
    }

    @Property(tries = 200)
    void float32ArraysOfAnyShapeSurviveTheRoundTrip(@ForAll("float32Arrays") NpyArray array) throws IOException {
        NpyArray back = roundTrip(array);
        assertEquals(array, back);
        assertArrayEquals(array.floats(), back.floats());
    }

    @Provide
    Arbitrary<String> texts() {
        // any character below the surrogates (a lone surrogate is no text), and one outside the
        // Basic Multilingual Plane, which takes two Java chars but one UTF-32 code unit
        Arbitrary<String> plain = Arbitraries.strings().withCharRange('\u0001', '\uD7FF').ofMaxLength(40);
        return Combinators.combine(plain, Arbitraries.of("", "é", "日本", "\uD83D\uDC4D")).as((text, extra) -> text + extra);
    }

    @Property(tries = 200)
    void stringsSurviveTheRoundTripAsZeroDimensionalUnicodeArrays(@ForAll("texts") String text) throws IOException {
        NpyArray array = NpyArray.text(text);
        assertEquals(0, array.shape().length);
        assertEquals("<U" + text.codePointCount(0, text.length()), array.dtype());
        assertEquals(text, roundTrip(array).text());
    }

    @Test
    void numpysOtherHeaderVersionsAndSpellingsAreRead() throws IOException {
        // version 2.0 has a uint32 header length; numpy may also use double quotes and other key orders
        String header = "{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f4\"}\n";
        byte[] headerBytes = header.getBytes(StandardCharsets.US_ASCII);
        byte[] file = new byte[12 + headerBytes.length + 8];
        System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, (byte) headerBytes.length, 0, 0, 0},
                0, file, 0, 12);
        System.arraycopy(headerBytes, 0, file, 12, headerBytes.length);
        file[file.length - 1] = 0x40; // the second float is 2.0f = 0x40000000
        NpyArray array = Npy.decode(new ByteArrayInputStream(file), 100);
        assertArrayEquals(new int[] {2}, array.shape());
        assertArrayEquals(new float[] {0f, 2f}, array.floats());
    }

    @Test
    void everyBrokenFileIsRefusedWithItsOwnReason() {
        byte[] good = Npy.encode(NpyArray.float32(new int[] {4}, new float[] {1, 2, 3, 4}));

        byte[] notNpy = "PK\3\4 not an array".getBytes(StandardCharsets.US_ASCII);
        assertEquals("is not a .npy array (it does not start with \\x93NUMPY)", rejection(notNpy));

        byte[] future = good.clone();
        future[6] = 4;
        assertEquals("uses .npy format version 4.0, which is not one of 1.0, 2.0, 3.0", rejection(future));

        assertEquals("ends early, inside its .npy header or data", rejection(Arrays.copyOf(good, good.length - 1)));
        assertEquals("ends early, inside its .npy header or data", rejection(Arrays.copyOf(good, 9)));

        byte[] fourFloats = new byte[16];
        assertEquals("is stored in Fortran order; save it in C order",
                rejection(file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", fourFloats)));
        assertEquals("has shape (99999, 99999) of <f4, more than the 1048576 bytes an array here may hold",
                rejection(file("{'descr': '<f4', 'fortran_order': False, 'shape': (99999, 99999), }", fourFloats)));
        assertEquals("has dtype |O, which is not a plain numeric or string type",
                rejection(file("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", fourFloats)));
        assertEquals("has a .npy header without 'shape'",
                rejection(file("{'descr': '<f4', 'fortran_order': False, }", fourFloats)));
        assertEquals("has a negative size in its .npy shape (-4,)",
                rejection(file("{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }", fourFloats)));
    }

    // a version 1.0 file with any header text, unpadded
    private static byte[] file(String dict, byte[] data) {
        byte[] header = (dict + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] file = new byte[10 + header.length + data.length];
        System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length, 0}, 0, file, 0, 10);
        System.arraycopy(header, 0, file, 10, header.length);
        System.arraycopy(data, 0, file, 10 + header.length, data.length);
        return file;
    }
}
