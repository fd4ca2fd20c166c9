package dev.vcnn.engine.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the four standard MNIST-layout files (raw or {@code .gz}) in a folder and reads them. */
public final class MnistFiles {

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    private MnistFiles() {
    }

    /** The first {@code limit} (or {@link IdxReader#ALL}) training examples in {@code dir}. */
    public static Dataset train(Path dir, int limit) throws DataFormatException {
        return IdxReader.read(find(dir, TRAIN_IMAGES), find(dir, TRAIN_LABELS), limit);
    }

    /** The first {@code limit} (or {@link IdxReader#ALL}) test examples in {@code dir}. */
    public static Dataset test(Path dir, int limit) throws DataFormatException {
        return IdxReader.read(find(dir, TEST_IMAGES), find(dir, TEST_LABELS), limit);
    }

    /** The raw file if it is there (it reads faster), else the {@code .gz} one. */
    static Path find(Path dir, String baseName) throws DataFormatException {
        if (!Files.exists(dir)) {
            throw new DataFormatException(dir + ": no such folder");
        }
        if (!Files.isDirectory(dir)) {
            throw new DataFormatException(dir + ": is a file, not a folder holding MNIST-layout data");
        }
        Path raw = dir.resolve(baseName);
        if (Files.exists(raw)) {
            return raw;
        }
        Path gzip = dir.resolve(baseName + ".gz");
        if (Files.exists(gzip)) {
            return gzip;
        }
        throw new DataFormatException(dir + ": no " + baseName + " or " + baseName + ".gz in this folder");
    }
}
