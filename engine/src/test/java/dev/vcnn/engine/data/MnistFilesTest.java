package dev.vcnn.engine.data;

import static dev.vcnn.engine.data.IdxBytes.gzip;
import static dev.vcnn.engine.data.IdxBytes.images;
import static dev.vcnn.engine.data.IdxBytes.labels;
import static dev.vcnn.engine.data.IdxBytes.patternLabels;
import static dev.vcnn.engine.data.IdxBytes.patternPixels;
import static dev.vcnn.engine.data.IdxBytes.write;
import static dev.vcnn.engine.data.IdxReaderTest.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistFilesTest {

    @TempDir
    Path dir;

    @Test
    void readsRawAndGzipFilesUnderTheStandardNames() throws Exception {
        write(dir, "train-images-idx3-ubyte", images(6, 2, 3, patternPixels(6, 2, 3)));
        write(dir, "train-labels-idx1-ubyte.gz", gzip(labels(6, patternLabels(6))));
        write(dir, "t10k-images-idx3-ubyte.gz", gzip(images(4, 2, 3, patternPixels(4, 2, 3))));
        write(dir, "t10k-labels-idx1-ubyte", labels(4, patternLabels(4)));

        Dataset train = MnistFiles.train(dir, IdxReader.ALL);
        assertEquals(6, train.count());
        assertEquals(dir.resolve("train-images-idx3-ubyte").toString(), train.source());
        assertArrayEquals(patternLabels(6), train.labels());

        Dataset test = MnistFiles.test(dir, 3);
        assertEquals(3, test.count());
        assertEquals(dir.resolve("t10k-images-idx3-ubyte.gz").toString(), test.source());
    }

    @Test
    void prefersTheRawFileWhenBothAreThere() throws Exception {
        write(dir, "train-images-idx3-ubyte", images(2, 1, 1, new byte[] {1, 2}));
        write(dir, "train-images-idx3-ubyte.gz", gzip(images(2, 1, 1, new byte[] {3, 4})));
        write(dir, "train-labels-idx1-ubyte", labels(2, new byte[] {5, 6}));
        assertArrayEquals(new byte[] {1, 2}, MnistFiles.train(dir, IdxReader.ALL).pixels());
    }

    @Test
    void namesTheMissingFile() {
        write(dir, "train-images-idx3-ubyte", images(2, 1, 1, new byte[] {1, 2}));
        assertEquals(dir + ": no train-labels-idx1-ubyte or train-labels-idx1-ubyte.gz in this folder",
                failure(() -> MnistFiles.train(dir, 1)));
        assertEquals(dir + ": no t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz in this folder",
                failure(() -> MnistFiles.test(dir, 1)));
    }

    @Test
    void folderMissingOrNotAFolder() {
        Path missing = dir.resolve("mnist");
        assertEquals(missing + ": no such folder", failure(() -> MnistFiles.train(missing, 1)));
        Path file = write(dir, "a-file", new byte[] {1});
        assertEquals(file + ": is a file, not a folder holding MNIST-layout data",
                failure(() -> MnistFiles.test(file, 1)));
    }

    @Test
    void fileProblemsNameTheFileInTheFolder() {
        write(dir, "train-images-idx3-ubyte.gz", gzip(images(2, 1, 1, new byte[] {1, 2})));
        write(dir, "train-labels-idx1-ubyte.gz", gzip(labels(2, new byte[] {5, 6})));
        assertEquals(dir.resolve("train-images-idx3-ubyte.gz") + " holds 2 images, fewer than the 3 asked for",
                failure(() -> MnistFiles.train(dir, 3)));
    }
}
