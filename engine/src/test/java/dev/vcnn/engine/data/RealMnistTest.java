package dev.vcnn.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Reads the real data sets from the project's shared data folder; skipped where that folder is absent. */
class RealMnistTest {

    private static final byte[] FIRST_TRAIN_LABELS = {5, 0, 4, 1, 9, 2, 1, 3, 1, 4};

    private static Path mnist() {
        var dir = SharedData.mnist();
        Assumptions.assumeTrue(dir.isPresent(),
                "../shared/data/mnist not found: full-MNIST checks need the project's shared data folder");
        return dir.get();
    }

    @Test
    void readsAllOfMnist() throws Exception {
        Path dir = mnist();
        Dataset train = MnistFiles.train(dir, IdxReader.ALL);
        assertEquals(60000, train.count());
        assertEquals(28, train.rows());
        assertEquals(28, train.cols());
        assertArrayEquals(FIRST_TRAIN_LABELS, Arrays.copyOf(train.labels(), 10));

        Dataset test = MnistFiles.test(dir, IdxReader.ALL);
        assertEquals(10000, test.count());
        assertEquals(28, test.rows());
        assertEquals(28, test.cols());

        // every byte exactly as published: rebuild the uncompressed files and compare with the SHA-256
        // listed in shared/data/README.md
        assertEquals("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", imagesSha256(train));
        assertEquals("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", labelsSha256(train));
        assertEquals("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", imagesSha256(test));
        assertEquals("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", labelsSha256(test));
    }

    @Test
    void readsTheFirstExamplesOfMnist() throws Exception {
        Dataset train = MnistFiles.train(mnist(), 1000);
        assertEquals(1000, train.count());
        assertArrayEquals(FIRST_TRAIN_LABELS, Arrays.copyOf(train.labels(), 10));
    }

    @Test
    void askingForMoreThanMnistHoldsNamesTheFile() {
        Path dir = mnist();
        assertEquals(dir.resolve("t10k-images-idx3-ubyte.gz") + " holds 10000 images, fewer than the 10001 asked for",
                IdxReaderTest.failure(() -> MnistFiles.test(dir, 10001)));
    }

    @Test
    void readsFashionMnist() throws Exception {
        var dir = SharedData.fashionMnist();
        Assumptions.assumeTrue(dir.isPresent(),
                "../shared/data/fashion-mnist not found: Fashion-MNIST checks need the project's shared data folder");
        Dataset train = MnistFiles.train(dir.get(), IdxReader.ALL);
        assertEquals(60000, train.count());
        assertEquals(28 * 28, train.imageSize());
        assertEquals(10000, MnistFiles.test(dir.get(), IdxReader.ALL).count());
    }

    private static String imagesSha256(Dataset data) throws Exception {
        var digest = MessageDigest.getInstance("SHA-256");
        digest.update(ByteBuffer.allocate(16).putInt(2051).putInt(data.count()).putInt(data.rows())
                .putInt(data.cols()).array());
        return HexFormat.of().formatHex(digest.digest(data.pixels()));
    }

    private static String labelsSha256(Dataset data) throws Exception {
        var digest = MessageDigest.getInstance("SHA-256");
        digest.update(ByteBuffer.allocate(8).putInt(2049).putInt(data.count()).array());
        return HexFormat.of().formatHex(digest.digest(data.labels()));
    }
}
