package dev.vcnn.engine.model;

import dev.vcnn.engine.io.ProgressiveRead;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code .npy} format, version 1.0 for writing (numpy's default), 1.0 to 3.0 for reading:
 * <pre>
 *   "\x93NUMPY"  major  minor  header length (uint16 LE; uint32 in 2.0 and 3.0)
 *   header: a Python dict literal {'descr': '&lt;f4', 'fortran_order': False, 'shape': (10, 1352), }
 *           padded with spaces and ended by '\n' so the data starts at a multiple of 64 bytes
 *   data:   the elements in C order, in the byte order the descr names
 * </pre>
 */
final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGNMENT = 64;
    // magic, two version bytes and the uint16 header length of format 1.0
    private static final int PREAMBLE_V1 = MAGIC.length + 2 + 2;
    // no header numpy writes comes near this; a larger one is a damaged or hostile file
    private static final int MAX_HEADER = 64 * 1024;

    private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*['\"]([^'\"]*)['\"]");
    private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern ITEM = Pattern.compile("[<>|=]?[a-zA-Z](\\d{1,9})");
    private static final String ENDS_EARLY = "ends early, inside its .npy header or data";

    private Npy() {
    }

    /** The whole {@code .npy} file for one array, format 1.0. */
    static byte[] encode(NpyArray array) {
        String dict = "{'descr': '" + array.dtype() + "', 'fortran_order': False, 'shape': "
                + NpyArray.shapeText(array.shape()) + ", }";
        // pad with spaces so that preamble + header, ending in '\n', is a multiple of 64
        int unpadded = PREAMBLE_V1 + dict.length() + 1;
        int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
        String header = dict + " ".repeat(padding) + "\n";
        byte[] headerBytes = header.getBytes(StandardCharsets.US_ASCII);

        ByteArrayOutputStream out = new ByteArrayOutputStream(PREAMBLE_V1 + headerBytes.length + array.data().length);
        out.writeBytes(MAGIC);
        out.write(1);
        out.write(0);
        out.write(headerBytes.length & 0xFF);
        out.write(headerBytes.length >>> 8);
        out.writeBytes(headerBytes);
        out.writeBytes(array.data());
        return out.toByteArray();
    }

    /**
     * What a {@code .npy} header says.
     *
     * @param length    bytes from the magic to the end of the header, where the data starts
     * @param dataBytes bytes of data the dtype and shape call for; {@link Long#MAX_VALUE} if that
     *                  overflows (only a forged header gets there)
     */
    record Header(String dtype, int[] shape, long length, long dataBytes) {
    }

    /**
     * Reads one {@code .npy} file from {@code in}, refusing data longer than {@code maxDataBytes} before
     * reading it. Problems are {@link IllegalArgumentException}s whose message describes the array
     * (the caller adds the file and array names).
     */
    static NpyArray decode(InputStream in, long maxDataBytes) throws IOException {
        return data(in, header(in), maxDataBytes);
    }

    /** Reads the header only, leaving {@code in} at the first byte of data. */
    static Header header(InputStream in) throws IOException {
        try {
            return headerOrEof(new DataInputStream(in));
        } catch (EOFException e) {
            throw new IllegalArgumentException(ENDS_EARLY, e);
        }
    }

    /**
     * Reads the data a header announced. Memory grows with the bytes that really arrive, never with
     * the size the header claims, and a claim above {@code maxDataBytes} is refused before anything is read.
     */
    static NpyArray data(InputStream in, Header header, long maxDataBytes) throws IOException {
        if (header.dataBytes() > maxDataBytes) {
            throw new IllegalArgumentException("has shape " + NpyArray.shapeText(header.shape()) + " of "
                    + header.dtype() + ", more than the " + maxDataBytes + " bytes an array here may hold");
        }
        int bytes = (int) header.dataBytes();
        byte[] values = ProgressiveRead.upTo(in, bytes);
        if (values.length < bytes) {
            throw new IllegalArgumentException(ENDS_EARLY);
        }
        return new NpyArray(header.dtype(), header.shape(), values);
    }

    private static Header headerOrEof(DataInputStream data) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        data.readFully(magic);
        for (int k = 0; k < MAGIC.length; k++) {
            if (magic[k] != MAGIC[k]) {
                throw new IllegalArgumentException("is not a .npy array (it does not start with \\x93NUMPY)");
            }
        }
        int major = data.readUnsignedByte();
        int minor = data.readUnsignedByte();
        long headerLength = switch (major) {
            case 1 -> Short.toUnsignedInt(Short.reverseBytes(data.readShort()));
            case 2, 3 -> Integer.toUnsignedLong(Integer.reverseBytes(data.readInt()));
            default -> throw new IllegalArgumentException("uses .npy format version " + major + "." + minor
                    + ", which is not one of 1.0, 2.0, 3.0");
        };
        if (headerLength > MAX_HEADER) {
            throw new IllegalArgumentException("has a " + headerLength + "-byte .npy header, too long to be real");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        data.readFully(headerBytes);
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

        String dtype = field(DESCR, header, "descr");
        boolean fortran = field(FORTRAN, header, "fortran_order").equals("True");
        int[] shape = shape(field(SHAPE, header, "shape"));
        if (fortran && shape.length > 1) {
            throw new IllegalArgumentException("is stored in Fortran order; save it in C order");
        }
        long elements = NpyArray.elements(shape);
        long itemSize = itemSize(dtype);
        long bytes = itemSize != 0 && elements > Long.MAX_VALUE / itemSize ? Long.MAX_VALUE : elements * itemSize;
        long preamble = MAGIC.length + 2 + (major == 1 ? 2 : 4);
        return new Header(dtype, shape, preamble + headerLength, bytes);
    }

    private static String field(Pattern pattern, String header, String name) {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException("has a .npy header without '" + name + "'");
        }
        return m.group(1);
    }

    // "10, 1352" -> {10, 1352}; "10," -> {10}; "" -> {}
    private static int[] shape(String sizes) {
        String[] parts = sizes.split(",");
        int count = parts.length;
        if (count > 0 && parts[count - 1].isBlank()) {
            count--;
        }
        int[] shape = new int[count];
        for (int k = 0; k < count; k++) {
            try {
                shape[k] = Integer.parseInt(parts[k].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("has a .npy shape (" + sizes + ") that is not a list of sizes");
            }
            if (shape[k] < 0) {
                throw new IllegalArgumentException("has a negative size in its .npy shape (" + sizes + ")");
            }
        }
        return shape;
    }

    // bytes per element: from the dtype string's number, UTF-32 code units for '<U'
    private static long itemSize(String dtype) {
        Matcher m = ITEM.matcher(dtype);
        if (!m.matches()) {
            throw new IllegalArgumentException("has dtype " + dtype + ", which is not a plain numeric or string type");
        }
        // at most 9 digits, so the number fits and times 4 still fits a long
        long size = Long.parseLong(m.group(1));
        return dtype.contains("U") ? size * 4 : size;
    }
}
