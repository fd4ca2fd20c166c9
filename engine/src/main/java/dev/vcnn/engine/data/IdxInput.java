package dev.vcnn.engine.data;

import dev.vcnn.engine.io.ProgressiveRead;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * One opened data file, decompressed if it is gzip, that reports every I/O failure as a
 * {@link DataFormatException} naming the file.
 */
final class IdxInput implements AutoCloseable {

    private static final int BUFFER = 64 * 1024;
    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;
    // deflate's largest ratio of output to input, about 1032:1: no gzip file holds more than this many
    // times its size, whatever its trailer claims
    private static final long MOST_INFLATION = 1032;
    // what a gzip file may decompress to after its last record (the ignored tail; MNIST's files have none)
    private static final long MOST_TRAILING = 1024 * 1024;

    private final String name;
    private final InputStream in;
    private final boolean gzip;
    // bytes the file vouches it holds once decoded, -1 for a stream: a buffer's first size, and for a raw
    // file its exact length
    private final long expected;

    private IdxInput(String name, InputStream in, boolean gzip, long expected) {
        this.name = name;
        this.in = in;
        this.gzip = gzip;
        this.expected = expected;
    }

    /** Opens a file; closing the result closes the file. */
    static IdxInput open(Path path) throws DataFormatException {
        String name = path.toString();
        if (Files.isDirectory(path)) {
            throw new DataFormatException(name + ": is a folder, not a data file");
        }
        // a pipe would block forever waiting for a writer, and a device is no data set
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new DataFormatException(name + ": is a device or other special file, not a data file");
        }
        InputStream file;
        try {
            file = Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(name + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new DataFormatException(name + ": permission denied, the file cannot be read", e);
        } catch (IOException e) {
            throw new DataFormatException(name + ": the file could not be opened", e);
        }
        try {
            return decoding(name, file, path);
        } catch (DataFormatException e) {
            closeQuietly(file, e);
            throw e;
        }
    }

    // What a file holds once decoded, as far as it vouches: its size, or for gzip the length its trailer
    // gives (the data's length mod 2^32), at most MOST_INFLATION times the file's size, so that a forged
    // trailer, like a forged header, cannot make a small file ask for gigabytes. -1 when unknown: the read
    // itself then reports what is wrong with the file
    private static long decodedSize(Path path, boolean gzip) {
        if (path == null) {
            return -1;
        }
        try (SeekableByteChannel channel = Files.newByteChannel(path)) {
            long size = channel.size();
            if (!gzip) {
                return size;
            }
            if (size < Integer.BYTES) {
                return -1;
            }
            ByteBuffer trailer = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            channel.position(size - Integer.BYTES);
            while (trailer.hasRemaining() && channel.read(trailer) >= 0) {
                // a file channel reads what is asked, but need not in one call
            }
            return Math.min(Integer.toUnsignedLong(trailer.getInt(0)), MOST_INFLATION * size);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Reads a caller's stream; closing the result releases our decoder but leaves the caller's stream open. */
    static IdxInput wrap(String name, InputStream callers) throws DataFormatException {
        return decoding(name, new FilterInputStream(callers) {
            @Override
            public void close() {
                // the caller opened it, the caller closes it
            }
        }, null);
    }

    // path: the file the source reads, which vouches for its decoded size; null for a caller's stream
    private static IdxInput decoding(String name, InputStream source, Path path) throws DataFormatException {
        var buffered = new BufferedInputStream(source, BUFFER);
        try {
            // gzip is recognised by its magic bytes, not by the ".gz" in a name that may lie
            buffered.mark(2);
            boolean gzip = buffered.read() == GZIP_MAGIC_0 && buffered.read() == GZIP_MAGIC_1;
            buffered.reset();
            InputStream decoded = gzip ? new GZIPInputStream(buffered, BUFFER) : buffered;
            return new IdxInput(name, decoded, gzip, decodedSize(path, gzip));
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    String name() {
        return name;
    }

    boolean gzip() {
        return gzip;
    }

    /**
     * Exactly {@code wanted} bytes, or fewer if the data ends first; see {@link ProgressiveRead}. A file
     * read whole is read into one array of the size it vouches for.
     */
    byte[] readUpTo(int wanted) throws DataFormatException {
        try {
            return ProgressiveRead.upTo(in, wanted, expected);
        } catch (IOException e) {
            throw failure(name, e);
        } catch (OutOfMemoryError e) {
            throw new DataFormatException(name + ": there is not enough memory to read " + wanted
                    + " bytes of it, give the JVM more heap with -Xmx", e);
        }
    }

    /**
     * The data's whole length, known without reading it (a raw file's size), or -1 when only reading it
     * to the end can tell (gzip, or a caller's stream).
     */
    long knownLength() {
        return gzip ? -1 : expected;
    }

    /**
     * Reads at most {@code length} bytes into the start of {@code buffer}, at least one unless the data has
     * ended: for passing over data without keeping it.
     *
     * @return how many bytes were read, or -1 at the end of the data
     */
    int readSome(byte[] buffer, int length) throws DataFormatException {
        try {
            return in.read(buffer, 0, length);
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    /**
     * Decompresses whatever is left so that the gzip trailer's CRC and length get checked; a raw file's
     * trailing bytes are left unread because nothing checks them.
     */
    void verifyToEnd() throws DataFormatException {
        if (!gzip) {
            return;
        }
        // decompressed only to reach the trailer, so at most a little of it: a file of a few MB whose last
        // record is followed by gigabytes of zeros would otherwise take minutes, whatever the images asked for
        byte[] buffer = new byte[8192];
        long trailing = 0;
        try {
            for (int read; (read = in.read(buffer)) >= 0; ) {
                trailing += read;
                if (trailing > MOST_TRAILING) {
                    throw new DataFormatException(name + ": holds more than " + MOST_TRAILING / (1024 * 1024)
                            + " MB of data after the last record its header claims; an IDX file ends with its last record");
                }
            }
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    @Override
    public void close() throws DataFormatException {
        try {
            in.close();
        } catch (IOException e) {
            throw new DataFormatException(name + ": the file could not be closed", e);
        }
    }

    private static DataFormatException failure(String name, IOException e) {
        // the gzip decoder reports a cut-short stream as EOFException and damaged data as ZipException
        if (e instanceof EOFException) {
            return new DataFormatException(name + ": the compressed data ends early, the file is cut short", e);
        }
        if (e instanceof ZipException) {
            return new DataFormatException(name + ": the gzip-compressed data is corrupt", e);
        }
        return new DataFormatException(name + ": the file could not be read because of an I/O error", e);
    }

    private static void closeQuietly(InputStream stream, DataFormatException pending) {
        try {
            stream.close();
        } catch (IOException e) {
            pending.addSuppressed(e);
        }
    }
}
