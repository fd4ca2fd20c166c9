package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;
import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.data.IdxReader;
import dev.vcnn.engine.data.MnistFiles;
import dev.vcnn.engine.data.TooFewImagesException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Where the commands get their images: a folder the user names, or the first 1,000 MNIST
 * training and test images bundled in the jar, so the seed's job runs with no download. A limit is
 * a number of images or {@link IdxReader#ALL}.
 */
final class TrainingData {
    static final int BUNDLED_COUNT = 1000;
    /** How messages name the bundled images. */
    static final String BUNDLED_SOURCE = "the bundled data set";
    private static final String BUNDLED = "mnist-1k/";

    private TrainingData() {
    }

    static Dataset train(Path dir, int limit) throws DataFormatException {
        return dir != null ? MnistFiles.train(dir, limit)
                : bundled("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", limit);
    }

    static Dataset test(Path dir, int limit) throws DataFormatException {
        return dir != null ? MnistFiles.test(dir, limit)
                : bundled("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", limit);
    }

    /** Where the images come from, for records and reports. */
    static String describe(Path dir) {
        return dir != null ? dir.toString() : "bundled MNIST slice (the first 1,000 training and test images)";
    }

    /** The same in a word or two: the folder's name, e.g. "fashion-mnist". */
    static String name(Path dir) {
        return dir != null && dir.toAbsolutePath().getFileName() != null
                ? dir.toAbsolutePath().normalize().getFileName().toString() : "bundled MNIST";
    }

    private static Dataset bundled(String images, String labels, int limit) throws DataFormatException {
        if (limit != IdxReader.ALL && limit > BUNDLED_COUNT) {
            throw new TooFewImagesException(BUNDLED_SOURCE, BUNDLED_COUNT, limit);
        }
        try (InputStream imageStream = open(images); InputStream labelStream = open(labels)) {
            return IdxReader.read("bundled " + images, imageStream, "bundled " + labels, labelStream, limit);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String name) {
        InputStream in = TrainingData.class.getResourceAsStream(BUNDLED + name);
        if (in == null) {
            throw new IllegalStateException("the jar lacks its bundled data " + BUNDLED + name + "; rebuild it");
        }
        return in;
    }
}
