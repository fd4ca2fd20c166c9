package dev.vcnn.engine.model;

import dev.vcnn.engine.io.AtomicFiles;
import dev.vcnn.engine.io.FileWriteException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * numpy's {@code .npz} archive: a zip file with one {@code NAME.npy} entry per array, which
 * {@code numpy.load} opens as a mapping from NAME to array.
 */
final class Npz {
    private static final String SUFFIX = ".npy";

    private Npz() {
    }

    /** Writes the arrays, in the map's order, atomically. */
    static void write(Path file, SequencedMap<String, NpyArray> arrays) throws FileWriteException {
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, NpyArray> array : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(array.getKey() + SUFFIX));
                zip.write(Npy.encode(array.getValue()));
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /**
     * Reads every {@code .npy} entry, in archive order, keyed by the name without {@code .npy}; other
     * entries are skipped, as numpy's loader would not offer them as arrays either. An array longer
     * than {@code maxArrayBytes} is refused before it is read.
     */
    static SequencedMap<String, NpyArray> read(Path file, long maxArrayBytes) throws ModelFormatException {
        if (Files.isDirectory(file)) {
            throw new ModelFormatException(file + ": is a folder, not a model file");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            SequencedMap<String, NpyArray> arrays = new LinkedHashMap<>();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().endsWith(SUFFIX)) {
                    continue;
                }
                String name = entry.getName().substring(0, entry.getName().length() - SUFFIX.length());
                try (InputStream in = zip.getInputStream(entry)) {
                    arrays.put(name, Npy.decode(in, maxArrayBytes));
                } catch (IllegalArgumentException e) {
                    throw new ModelFormatException(file + ": the array " + name + " " + e.getMessage(), e);
                } catch (ZipException e) {
                    throw new ModelFormatException(file + ": the array " + name + " is damaged in the archive", e);
                }
            }
            return arrays;
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new ModelFormatException(file + ": permission denied, the file cannot be read", e);
        } catch (ZipException e) {
            throw new ModelFormatException(file + ": is not an .npz model (it is not a zip archive)", e);
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw new ModelFormatException(file + ": no such file", e);
            }
            throw new ModelFormatException(file + ": could not be read because of an I/O error", e);
        }
    }
}
