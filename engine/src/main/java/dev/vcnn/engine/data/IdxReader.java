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

    private IdxReader() {
    }

    /**
     * Reads the first {@code limit} examples (or {@link #ALL}) from an images file and a labels file.
     *
     * <p>Gzip is recognised by the content, not the name. Only the first {@code limit} examples are
     * decompressed and kept. Bytes after the records a header claims are ignored. A gzip file read to its
     * last record is also checked against its CRC; one read only in part is not, since that would mean
     * decompressing what was not asked for.
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
     * are only used in messages. The streams are consumed (possibly past the last record read, because
     * reading is buffered) but not closed: whoever opened them closes them.
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

        byte[] pixels = images.readUpTo((int) pixelBytes);
        if (pixels.length < pixelBytes) {
            throw new DataFormatException(images.name() + ": header claims " + count + " images of " + rows + "x"
                    + cols + " but the file ends after " + pixels.length / imageHeader.recordSize() + " images");
        }
        byte[] labelBytes = labels.readUpTo(wanted);
        if (labelBytes.length < wanted) {
            throw new DataFormatException(labels.name() + ": header claims " + count
                    + " labels but the file ends after " + labelBytes.length + " labels");
        }
        for (int i = 0; i < wanted; i++) {
            int label = Byte.toUnsignedInt(labelBytes[i]);
            if (label >= Dataset.CLASSES) {
                throw new DataFormatException(labels.name() + ": label " + i + " is " + label
                        + ", but labels must be 0.." + (Dataset.CLASSES - 1));
            }
        }
        if (wanted == count) {
            images.verifyToEnd();
            labels.verifyToEnd();
        }
        return new Dataset(images.name(), wanted, rows, cols, pixels, labelBytes);
    }
}
