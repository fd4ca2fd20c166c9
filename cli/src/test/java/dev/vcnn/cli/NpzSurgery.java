package dev.vcnn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Damages a saved model one way at a time, at the byte level, as a careless tool or a bad disk would. */
final class NpzSurgery {
    private static final Charset UTF_32LE = Charset.forName("UTF-32LE");

    private final Map<String, byte[]> entries = new LinkedHashMap<>();

    NpzSurgery(Path model) throws IOException {
        try (InputStream file = Files.newInputStream(model); ZipInputStream zip = new ZipInputStream(file)) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        }
    }

    NpzSurgery remove(String array) {
        require(array);
        entries.remove(array + ".npy");
        return this;
    }

    /**
     * Replaces text in an array's .npy header, taking or giving spaces from the padding so that the
     * data stays where the header length says it starts.
     */
    NpzSurgery header(String array, String from, String to) {
        byte[] npy = require(array);
        int headerLength = (npy[8] & 0xFF) | (npy[9] & 0xFF) << 8;
        String header = new String(npy, 10, headerLength, StandardCharsets.ISO_8859_1);
        if (!header.contains(from)) {
            throw new IllegalArgumentException(array + "'s header has no " + from + ": " + header);
        }
        String body = header.replace(from, to).stripTrailing();
        if (body.length() > headerLength - 1) {
            throw new IllegalArgumentException("no room in the padding for " + to);
        }
        String changed = body + " ".repeat(headerLength - 1 - body.length()) + "\n";
        byte[] result = npy.clone();
        System.arraycopy(changed.getBytes(StandardCharsets.ISO_8859_1), 0, result, 10, headerLength);
        entries.put(array + ".npy", result);
        return this;
    }

    /** Replaces text of the same length inside the metadata's UTF-32 JSON. */
    NpzSurgery metadata(String from, String to) {
        if (from.length() != to.length()) {
            throw new IllegalArgumentException("keep the length, so the <U n dtype still fits");
        }
        byte[] npy = require("metadata");
        byte[] fromBytes = from.getBytes(UTF_32LE);
        int at = indexOf(npy, fromBytes);
        if (at < 0) {
            throw new IllegalArgumentException("the metadata has no " + from);
        }
        byte[] result = npy.clone();
        System.arraycopy(to.getBytes(UTF_32LE), 0, result, at, fromBytes.length);
        entries.put("metadata.npy", result);
        return this;
    }

    /** Overwrites element {@code index} of a float32 array's data with {@code value}. */
    NpzSurgery floatAt(String array, int index, float value) {
        byte[] npy = require(array).clone();
        int dataStart = 10 + ((npy[8] & 0xFF) | (npy[9] & 0xFF) << 8);
        java.nio.ByteBuffer.wrap(npy).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(dataStart + 4 * index, value);
        entries.put(array + ".npy", npy);
        return this;
    }

    void writeTo(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
    }

    private byte[] require(String array) {
        byte[] npy = entries.get(array + ".npy");
        if (npy == null) {
            throw new IllegalArgumentException("no " + array + ".npy in " + entries.keySet());
        }
        return npy;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int k = 0; k + needle.length <= haystack.length; k++) {
            if (Arrays.equals(haystack, k, k + needle.length, needle, 0, needle.length)) {
                return k;
            }
        }
        return -1;
    }
}
