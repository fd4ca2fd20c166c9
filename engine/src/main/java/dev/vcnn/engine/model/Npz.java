package dev.vcnn.engine.model;

import dev.vcnn.engine.io.AtomicFiles;
import dev.vcnn.engine.io.FileWriteException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * numpy's {@code .npz} archive: a zip file with one {@code NAME.npy} entry per array, which
 * {@code numpy.load} opens as a mapping from NAME to array. An opened archive reads one array at a
 * time, header first, so that a caller can refuse an array for its header before its data is read.
 */
final class Npz implements AutoCloseable {
    private static final String SUFFIX = ".npy";
    // every entry gets the same time stamp (the zip format's earliest), so the same arrays give the
    // same bytes and a copy of a model can be checked with cmp or a hash
    private static final LocalDateTime STAMP = LocalDateTime.of(1980, 1, 1, 0, 0);

    /** Refuses an array from its header alone, with a sentence naming the file. */
    @FunctionalInterface
    interface HeaderCheck {
        void check(String dtype, int[] shape) throws ModelFormatException;
    }

    private final Path file;
    private final ZipFile zip;
    private final List<String> names;

    private Npz(Path file, ZipFile zip, List<String> names) {
        this.file = file;
        this.zip = zip;
        this.names = names;
    }

    /** Writes the arrays, in the map's order, atomically. */
    static void write(Path file, SequencedMap<String, NpyArray> arrays) throws FileWriteException {
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, NpyArray> array : arrays.entrySet()) {
                ZipEntry entry = new ZipEntry(array.getKey() + SUFFIX);
                entry.setTimeLocal(STAMP);
                zip.putNextEntry(entry);
                zip.write(Npy.encode(array.getValue()));
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /**
     * Opens an archive and lists its {@code .npy} entries; other entries are skipped, as numpy's
     * loader would not offer them as arrays either. Close the result.
     */
    static Npz open(Path file) throws ModelFormatException {
        if (Files.isDirectory(file)) {
            throw new ModelFormatException(file + ": is a folder, not a model file");
        }
        // opening a pipe would wait forever for a writer
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new ModelFormatException(file + ": is a device or other special file, not a model file");
        }
        ZipFile zip;
        try {
            // the zip code checks the central directory against the file's length before it allocates,
            // so a forged directory size or entry count costs no more memory than the file has bytes
            zip = new ZipFile(file.toFile());
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new ModelFormatException(file + ": permission denied, the file cannot be read", e);
        } catch (ZipException e) {
            throw new ModelFormatException(file + ": " + whyNotAZip(file, e), e);
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw new ModelFormatException(file + ": no such file", e);
            }
            if (!Files.isReadable(file)) {
                throw new ModelFormatException(file + ": permission denied, the file cannot be read", e);
            }
            throw new ModelFormatException(file + ": could not be read because of an I/O error", e);
        }
        List<String> names = new ArrayList<>();
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry entry = entries.nextElement();
            if (!entry.isDirectory() && entry.getName().endsWith(SUFFIX)) {
                names.add(entry.getName().substring(0, entry.getName().length() - SUFFIX.length()));
            }
        }
        return new Npz(file, zip, names);
    }

    /** The arrays' names, in archive order, without {@code .npy}. */
    List<String> names() {
        return names;
    }

    /**
     * Reads array {@code name}: its header, which {@code check} may refuse, then at most
     * {@code maxDataBytes} of data, growing memory only as data really arrives. The entry must hold
     * exactly the header and the data, and its CRC-32 must match, so that a damaged archive is refused
     * rather than loaded with other numbers.
     */
    NpyArray read(String name, long maxDataBytes, HeaderCheck check) throws ModelFormatException {
        ZipEntry entry = zip.getEntry(name + SUFFIX);
        if (entry == null) {
            throw new ModelFormatException(file + ": has no array " + name);
        }
        CRC32 crc = new CRC32();
        try (InputStream in = new CheckedInputStream(zip.getInputStream(entry), crc)) {
            Npy.Header header = Npy.header(in);
            check.check(header.dtype(), header.shape());
            NpyArray array = Npy.data(in, header, maxDataBytes);
            long length = header.length() + header.dataBytes();
            if (entry.getSize() != length) {
                throw new ModelFormatException(file + ": the array " + name + " takes " + length + " bytes, but its"
                        + " entry in the archive says " + entry.getSize() + "; the archive is damaged");
            }
            if (entry.getCrc() != crc.getValue()) {
                throw new ModelFormatException(file + ": the array " + name + " is damaged: its bytes do not match"
                        + " the archive's CRC-32 checksum");
            }
            return array;
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": the array " + name + " " + e.getMessage(), e);
        } catch (ZipException e) {
            throw new ModelFormatException(file + ": the array " + name + " is damaged in the archive", e);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": the array " + name + " could not be read (" + e.getMessage()
                    + "); the archive is damaged or cut short", e);
        }
    }

    /** Every array, keyed by name, with no check but the size limit: for tests and tools. */
    static SequencedMap<String, NpyArray> read(Path file, long maxArrayBytes) throws ModelFormatException {
        try (Npz npz = open(file)) {
            SequencedMap<String, NpyArray> arrays = new LinkedHashMap<>();
            for (String name : npz.names()) {
                arrays.put(name, npz.read(name, maxArrayBytes, (dtype, shape) -> { }));
            }
            return arrays;
        }
    }

    @Override
    public void close() {
        try {
            zip.close();
        } catch (IOException e) {
            // only read from: nothing is lost if closing fails
        }
    }

    // a zip's first bytes are "PK\3\4" (or "PK\5\6" when empty): with them, the end was cut off or damaged,
    // or (as the JDK's zip code says when it reads the directory) an entry is compressed in a way it does
    // not read: numpy.savez stores, savez_compressed deflates, Python's zipfile can also write bzip2 or lzma
    private static String whyNotAZip(Path file, ZipException refusal) {
        if (refusal.getMessage() != null && refusal.getMessage().contains("compression method")) {
            return "is compressed with a zip method vcnn does not read (" + refusal.getMessage() + "): only stored and"
                    + " deflated arrays, as numpy.savez and numpy.savez_compressed write them";
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] start = in.readNBytes(4);
            if (start.length == 0) {
                return "is empty, not an .npz model";
            }
            if (start.length == 4 && start[0] == 'P' && start[1] == 'K' && start[2] < 10 && start[3] < 10) {
                return "is a damaged .npz model: it starts as a zip archive, but the directory at its end is"
                        + " missing or broken, as when the file is cut short";
            }
        } catch (IOException e) {
            // the general reason stands
        }
        return "is not an .npz model (it is not a zip archive)";
    }
}
