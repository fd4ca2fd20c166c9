package dev.vcnn.engine.data;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * A checked IDX header: {@code count} records of {@code rows x cols} unsigned bytes (labels are 1x1).
 * Everything is validated here so that nothing is allocated on the word of a header that makes no sense.
 */
record IdxHeader(int count, int rows, int cols) {

    /** Larger images than this are surely a damaged header, not data for this engine. */
    static final int MAX_SIDE = 4096;

    int recordSize() {
        return rows * cols;
    }

    static IdxHeader read(IdxInput input, IdxKind kind) throws DataFormatException {
        String name = input.name();
        byte[] magicBytes = input.readUpTo(4);
        if (magicBytes.length == 0) {
            throw new DataFormatException(name + (input.gzip()
                    ? ": the file is empty once decompressed"
                    : ": the file is empty"));
        }
        if (magicBytes.length < 4) {
            throw truncated(input, kind, magicBytes.length);
        }
        checkMagic(name, kind, magicBytes);

        byte[] sizeBytes = input.readUpTo(4 * kind.dimensions);
        if (sizeBytes.length < 4 * kind.dimensions) {
            throw truncated(input, kind, 4 + sizeBytes.length);
        }
        ByteBuffer sizes = ByteBuffer.wrap(sizeBytes); // big-endian, as IDX is
        int count = sizes.getInt();
        int rows = kind == IdxKind.IMAGES ? sizes.getInt() : 1;
        int cols = kind == IdxKind.IMAGES ? sizes.getInt() : 1;
        if (count < 0) {
            throw new DataFormatException(
                    name + ": the header claims " + count + " " + kind.noun + "s, a negative count");
        }
        if (count == 0) {
            throw new DataFormatException(name + ": the header claims 0 " + kind.noun + "s, there is nothing to read");
        }
        if (rows < 1 || cols < 1 || rows > MAX_SIDE || cols > MAX_SIDE) {
            throw new DataFormatException(name + ": the header claims images of " + rows + "x" + cols
                    + " pixels, but rows and cols must be 1.." + MAX_SIDE);
        }
        return new IdxHeader(count, rows, cols);
    }

    private static void checkMagic(String name, IdxKind kind, byte[] magicBytes) throws DataFormatException {
        int magic = ByteBuffer.wrap(magicBytes).getInt();
        if (magic == kind.magic) {
            return;
        }
        if (magic == kind.other().magic) {
            throw new DataFormatException(name + ": this is " + kind.other().described() + ", but "
                    + kind.described() + " was expected here; are the image and label files swapped?");
        }
        int typeCode = magicBytes[2] & 0xFF;
        int dimensions = magicBytes[3] & 0xFF;
        boolean idxShaped = magicBytes[0] == 0 && magicBytes[1] == 0 && elementType(typeCode) != null;
        if (idxShaped && typeCode != IdxKind.UNSIGNED_BYTE) {
            throw new DataFormatException(name + ": the elements are " + elementType(typeCode) + " (type code 0x"
                    + HexFormat.of().withUpperCase().toHexDigits((byte) typeCode) + "), but only unsigned bytes (type code 0x08) "
                    + "are supported");
        }
        if (idxShaped) {
            throw new DataFormatException(name + ": the header declares " + dimensions + " dimensions, but "
                    + kind.described() + " has " + kind.dimensions + " " + kind.dimensionNames);
        }
        boolean gzipAgain = (magicBytes[0] & 0xFF) == 0x1f && (magicBytes[1] & 0xFF) == 0x8b;
        throw new DataFormatException(name + ": this is not " + kind.described() + ", which starts with bytes "
                + spaced(kind.magic) + ", but it starts with " + spaced(magic)
                + (gzipAgain ? " as if it were gzip-compressed twice" : ""));
    }

    /** The IDX element types, by type code; null for a code IDX does not define. */
    private static String elementType(int typeCode) {
        return switch (typeCode) {
            case 0x08 -> "unsigned bytes";
            case 0x09 -> "signed bytes";
            case 0x0B -> "16-bit integers";
            case 0x0C -> "32-bit integers";
            case 0x0D -> "32-bit floats";
            case 0x0E -> "64-bit floats";
            default -> null;
        };
    }

    private static String spaced(int word) {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(ByteBuffer.allocate(4).putInt(word).array());
    }

    private static DataFormatException truncated(IdxInput input, IdxKind kind, int bytesPresent) {
        return new DataFormatException(input.name() + ": the file ends after " + bytesPresent + " bytes, inside the "
                + kind.headerBytes() + "-byte header of " + kind.described());
    }
}
