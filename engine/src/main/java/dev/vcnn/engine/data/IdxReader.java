package dev.vcnn.engine.data;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * Reads a pair of IDX files (images and their labels, raw or gzip) into a {@link Dataset}; every problem
 * with the files is a {@link DataFormatException} whose message names the file.
 */
public final class IdxReader {

    /** The {@code limit} that means "every example in the files"; any smaller limit must not exceed them. */
    public static final int ALL = Integer.MAX_VALUE;

    // the largest array most JVMs will allocate
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    // what records past the limit are read through: they are checked, not kept
    private static final int PASS_OVER_BUFFER = 64 * 1024;

    private IdxReader() {
    }

    /**
     * Reads the first {@code limit} examples (or {@link #ALL}) from an images file and a labels file.
     *
     * <p>Gzip is recognised by the content, not the name. Only the first {@code limit} examples are kept,
     * but the files are checked whole whatever the limit, so that a damaged file is never taken for data:
     * a raw file must be as long as its header claims (its size says so without reading it), a gzip file
     * is decompressed to its end (through a small buffer) so that it must decode to as many records as
     * its header claims and match its trailer's CRC, and every label must be 0..9. Bytes after the
     * records a header claims are ignored.
     *
     * @param limit at least 1; a limit larger than the files hold is an error ({@link TooFewImagesException}),
     *              not a silent clamp
     * @throws IllegalArgumentException if {@code limit < 1}
     */
    public static Dataset read(Path images, Path labels, int limit) throws DataFormatException {
        checkLimit(limit);
        try (IdxInput imageInput = IdxInput.open(images); IdxInput labelInput = IdxInput.open(labels)) {
            return read(imageInput, labelInput, limit);
        }
    }

    /**
     * Like {@link #read(Path, Path, int)} for data that is not a file, such as a classpath resource. The names
     * are only used in messages. The streams are checked whole like files, read to their last record (and
     * to the end, for gzip) whatever the limit, but not closed: whoever opened them closes them.
     */
    public static Dataset read(String imagesName, InputStream images, String labelsName, InputStream labels,
            int limit) throws DataFormatException {
        checkLimit(limit);
        try (IdxInput imageInput = IdxInput.wrap(imagesName, images);
                IdxInput labelInput = IdxInput.wrap(labelsName, labels)) {
            return read(imageInput, labelInput, limit);
        }
    }

    private static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1 (or IdxReader.ALL), got " + limit);
        }
    }

    private static Dataset read(IdxInput images, IdxInput labels, int limit) throws DataFormatException {
        IdxHeader imageHeader = IdxHeader.read(images, IdxKind.IMAGES);
        IdxHeader labelHeader = IdxHeader.read(labels, IdxKind.LABELS);
        int count = imageHeader.count();
        int rows = imageHeader.rows();
        int cols = imageHeader.cols();
        if (labelHeader.count() != count) {
            throw new DataFormatException(labels.name() + ": the header claims " + labelHeader.count()
                    + " labels, but " + images.name() + " claims " + count + " images, and each image needs one label");
        }
        if (limit != ALL && limit > count) {
            throw new TooFewImagesException(images.name(), count, limit);
        }
        int wanted = Math.min(limit, count);
        long pixelBytes = (long) wanted * rows * cols;
        if (pixelBytes > MAX_ARRAY) {
            throw new DataFormatException(images.name() + ": " + wanted + " images of " + rows + "x" + cols
                    + " are " + pixelBytes + " bytes, more than one Java array can hold");
        }

        byte[] pixels = readRecords(images, imageHeader, IdxKind.IMAGES, wanted);
        byte[] labelBytes = readRecords(labels, labelHeader, IdxKind.LABELS, wanted);
        return new Dataset(images.name(), wanted, rows, cols, pixels, labelBytes);
    }

    /**
     * The first {@code wanted} records, after checking that the file holds every record its header claims:
     * a raw file by its size, anything else by reading on to the last record (and for gzip to the end, for
     * the trailer's CRC) through a small buffer, keeping none of it. Every label is checked to be 0..9, so
     * a raw labels file is read on too.
     */
    private static byte[] readRecords(IdxInput input, IdxHeader header, IdxKind kind, int wanted)
            throws DataFormatException {
        boolean labels = kind == IdxKind.LABELS;
        int recordSize = header.recordSize();
        long length = input.knownLength();
        if (length >= 0 && (length - kind.headerBytes()) / recordSize < header.count()) {
            throw cutShort(input, header, kind, (length - kind.headerBytes()) / recordSize);
        }
        int keptBytes = wanted * recordSize; // the caller made sure it fits an array
        byte[] kept = input.readUpTo(keptBytes);
        if (kept.length < keptBytes) {
            throw cutShort(input, header, kind, kept.length / recordSize);
        }
        if (labels) {
            checkLabels(input, kept, kept.length, 0);
        }
        long restBytes = (long) (header.count() - wanted) * recordSize;
        // a raw file's size has vouched for its pixels; what it cannot vouch for is read on
        if (restBytes > 0 && (length < 0 || labels)) {
            byte[] buffer = new byte[(int) Math.min(restBytes, PASS_OVER_BUFFER)];
            long present = 0;
            while (present < restBytes) {
                int read = input.readSome(buffer, (int) Math.min(restBytes - present, buffer.length));
                if (read < 0) {
                    throw cutShort(input, header, kind, wanted + present / recordSize);
                }
                if (labels) {
                    checkLabels(input, buffer, read, keptBytes + present);
                }
                present += read;
            }
        }
        input.verifyToEnd();
        return kept;
    }

    // labels[0..length) are those from number first on
    private static void checkLabels(IdxInput input, byte[] labels, int length, long first)
            throws DataFormatException {
        for (int i = 0; i < length; i++) {
            int label = Byte.toUnsignedInt(labels[i]);
            if (label >= Dataset.CLASSES) {
                throw new DataFormatException(input.name() + ": label " + (first + i) + " is " + label
                        + ", but labels must be 0.." + (Dataset.CLASSES - 1));
            }
        }
    }

    private static DataFormatException cutShort(IdxInput input, IdxHeader header, IdxKind kind, long present) {
        String records = kind == IdxKind.IMAGES
                ? header.count() + " images of " + header.rows() + "x" + header.cols()
                : header.count() + " labels";
        return new DataFormatException(input.name() + ": header claims " + records + " but the file ends after "
                + present + " " + kind.noun + "s");
    }
}
