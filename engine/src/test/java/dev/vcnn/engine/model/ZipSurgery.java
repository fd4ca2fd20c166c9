package dev.vcnn.engine.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Takes a zip archive apart and puts it back together, for damaging model files the way a forger
 * would: entries rewritten with valid checksums (their contents lie), or single fields of the zip
 * structure itself (sizes, offsets, counts) overwritten in place.
 */
final class ZipSurgery {

    /** A field of the zip structure: where it is, how wide (2 or 4 bytes, little-endian), what it is. */
    record Field(int offset, int width, String name) {
    }

    private ZipSurgery() {
    }

    /** The entries of a zip, by name, in archive order. */
    static SequencedMap<String, byte[]> entries(byte[] zip) {
        SequencedMap<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /** A zip of these entries, deflated, with correct sizes and checksums. */
    static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                out.putNextEntry(new ZipEntry(entry.getKey()));
                out.write(entry.getValue());
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Every size, offset, count, method and checksum field of the end record, the central directory
     * and the local headers of a well-formed zip without a comment.
     */
    static List<Field> fields(byte[] zip) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int end = zip.length - 22;
        if (b.getInt(end) != 0x06054b50) {
            throw new IllegalArgumentException("no end record where a zip without comment has it");
        }
        List<Field> fields = new ArrayList<>(List.of(
                new Field(end + 8, 2, "end: entries on this disk"), new Field(end + 10, 2, "end: entries"),
                new Field(end + 12, 4, "end: directory size"), new Field(end + 16, 4, "end: directory offset"),
                new Field(end + 20, 2, "end: comment length")));
        int entries = Short.toUnsignedInt(b.getShort(end + 10));
        int at = b.getInt(end + 16);
        for (int k = 0; k < entries; k++) {
            String cen = "directory entry " + k + ": ";
            fields.addAll(List.of(new Field(at + 8, 2, cen + "flags"), new Field(at + 10, 2, cen + "method"),
                    new Field(at + 16, 4, cen + "CRC-32"), new Field(at + 20, 4, cen + "compressed size"),
                    new Field(at + 24, 4, cen + "size"), new Field(at + 28, 2, cen + "name length"),
                    new Field(at + 30, 2, cen + "extra length"), new Field(at + 32, 2, cen + "comment length"),
                    new Field(at + 42, 4, cen + "local header offset")));
            int local = b.getInt(at + 42);
            String loc = "local header " + k + ": ";
            fields.addAll(List.of(new Field(local + 6, 2, loc + "flags"), new Field(local + 8, 2, loc + "method"),
                    new Field(local + 14, 4, loc + "CRC-32"), new Field(local + 18, 4, loc + "compressed size"),
                    new Field(local + 22, 4, loc + "size"), new Field(local + 26, 2, loc + "name length"),
                    new Field(local + 28, 2, loc + "extra length")));
            at += 46 + Short.toUnsignedInt(b.getShort(at + 28)) + Short.toUnsignedInt(b.getShort(at + 30))
                    + Short.toUnsignedInt(b.getShort(at + 32));
        }
        return fields;
    }

    /** A copy of {@code zip} with {@code field} set to the low bytes of {@code value}. */
    static byte[] set(byte[] zip, Field field, long value) {
        byte[] copy = zip.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        if (field.width() == 2) {
            b.putShort(field.offset(), (short) value);
        } else {
            b.putInt(field.offset(), (int) value);
        }
        return copy;
    }
}
