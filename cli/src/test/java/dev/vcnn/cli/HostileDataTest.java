package dev.vcnn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.stream.Stream;

import static dev.vcnn.cli.MnistFolder.TEST_IMAGES;
import static dev.vcnn.cli.MnistFolder.TEST_LABELS;
import static dev.vcnn.cli.MnistFolder.TRAIN_IMAGES;
import static dev.vcnn.cli.MnistFolder.TRAIN_LABELS;
import static dev.vcnn.cli.MnistFolder.gzip;
import static dev.vcnn.cli.MnistFolder.images;
import static dev.vcnn.cli.MnistFolder.labels;
import static dev.vcnn.cli.MnistFolder.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every kind of bad data file the command line promises to answer with one line naming the file,
 * exit code 1, nothing on stdout, within a second: the engine's hostile suites try thousands of
 * generated ones; these prove the whole path from the option to the message.
 */
class HostileDataTest {
    private static final int TRAIN = 20;
    private static final int TEST = 10;

    /** Damages one file of a good folder and returns the path the message must start with. */
    @FunctionalInterface
    interface Damage {
        Path apply(Path dir) throws IOException;
    }

    private static Damage replace(String name, byte[] content) {
        return dir -> put(dir, name, content);
    }

    private static byte[] withInt(byte[] file, int at, int value) {
        ByteBuffer.wrap(file).putInt(at, value);
        return file;
    }

    private static byte[] trainImages() {
        return images(TRAIN, 28, 28, 1);
    }

    static Stream<Arguments> damages() {
        byte[] gzipped = gzip(trainImages());
        byte[] corrupt = gzipped.clone();
        corrupt[10] = (byte) 0xFF; // the first deflate block claims the reserved type 3
        byte[] badLabel = labels(TRAIN);
        badLabel[8 + 3] = 12;
        return Stream.of(
                Arguments.of("payload cut short", replace(TRAIN_IMAGES, Arrays.copyOf(trainImages(), 16 + 784 * 5 + 99)),
                        "header claims 20 images of 28x28 but the file ends after 5 images"),
                Arguments.of("header cut short", replace(TRAIN_IMAGES, Arrays.copyOf(trainImages(), 10)),
                        "the file ends after 10 bytes, inside the 16-byte header of an IDX image file"),
                Arguments.of("empty file", replace(TEST_LABELS, new byte[0]), "the file is empty"),
                Arguments.of("wrong magic", replace(TRAIN_IMAGES, withInt(trainImages(), 0, 0x47494638)),
                        "this is not an IDX image file (magic 2051), which starts with bytes 00 00 08 03, but it starts"
                                + " with 47 49 46 38"),
                Arguments.of("wrong element type", replace(TRAIN_IMAGES, withInt(trainImages(), 0, 0x00000D03)),
                        "the elements are 32-bit floats (type code 0x0D)"),
                Arguments.of("zero rows", replace(TRAIN_IMAGES, withInt(trainImages(), 8, 0)),
                        "the header claims images of 0x28 pixels, but rows and cols must be 1..4096"),
                Arguments.of("negative cols", replace(TEST_IMAGES, withInt(images(TEST, 28, 28, 2), 12, -28)),
                        "the header claims images of 28x-28 pixels"),
                Arguments.of("absurd sides", replace(TRAIN_IMAGES, withInt(withInt(trainImages(), 8, 100_000), 12, 100_000)),
                        "the header claims images of 100000x100000 pixels"),
                Arguments.of("2^31 images", replace(TRAIN_IMAGES, withInt(trainImages(), 4, 0x80000000)),
                        "the header claims -2147483648 images, a negative count"),
                Arguments.of("zero images", replace(TRAIN_IMAGES, withInt(trainImages(), 4, 0)),
                        "the header claims 0 images, there is nothing to read"),
                Arguments.of("more images than a Java array holds", (Damage) dir -> {
                    put(dir, TRAIN_LABELS, withInt(labels(TRAIN), 4, Integer.MAX_VALUE));
                    return put(dir, TRAIN_IMAGES, withInt(trainImages(), 4, Integer.MAX_VALUE));
                }, "2147483647 images of 28x28 are 1683627179248 bytes, more than one Java array can hold"),
                Arguments.of("more images than the file holds", (Damage) dir -> {
                    put(dir, TRAIN_LABELS, withInt(labels(TRAIN), 4, 1_000_000));
                    return put(dir, TRAIN_IMAGES, withInt(trainImages(), 4, 1_000_000));
                }, "header claims 1000000 images of 28x28 but the file ends after 20 images"),
                Arguments.of("counts differ", replace(TRAIN_LABELS, withInt(labels(TRAIN), 4, TRAIN - 1)),
                        "the header claims 19 labels, but"),
                Arguments.of("label out of range", replace(TRAIN_LABELS, badLabel), "label 3 is 12, but labels must be 0..9"),
                Arguments.of("corrupt gzip", replace(TRAIN_IMAGES, corrupt), "the gzip-compressed data is corrupt"),
                Arguments.of("gzip ends early", replace(TRAIN_IMAGES, Arrays.copyOf(gzipped, gzipped.length / 2)),
                        "the compressed data ends early, the file is cut short"),
                Arguments.of("gzip twice", replace(TRAIN_IMAGES, gzip(gzipped)), "as if it were gzip-compressed twice"),
                Arguments.of("folder instead of a file", (Damage) dir -> {
                    Files.delete(dir.resolve(TEST_IMAGES));
                    return Files.createDirectory(dir.resolve(TEST_IMAGES));
                }, "is a folder, not a data file"),
                Arguments.of("missing file", (Damage) dir -> {
                    Files.delete(dir.resolve(TEST_LABELS));
                    return dir;
                }, "no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz in this folder"),
                Arguments.of("images too small for the network", (Damage) dir -> {
                    put(dir, TEST_IMAGES, images(TEST, 3, 3, 2));
                    return put(dir, TRAIN_IMAGES, images(TRAIN, 3, 3, 1));
                }, "holds images of 3x3 pixels, for which vcnn builds no conv3x3:8:nobias,maxpool2,dense:10 network"
                        + " ('maxpool2' (layer 2) gets planes of 1x1 but needs at least 2x2"),
                Arguments.of("test images of another size", replace(TEST_IMAGES, images(TEST, 20, 20, 2)),
                        "holds images of 20x20 pixels, but the network trained here takes 28x28"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void aBadDataFileIsOneLineNamingItExitCodeOneWithinASecond(String kind, Damage damage, String what,
            @TempDir Path tmp) throws Exception {
        Path dir = MnistFolder.write(tmp, TRAIN, TEST);
        Path named = damage.apply(dir);
        String message = failsQuickly(CliRun.of("train", "--data", dir.toString(), "--train-size", "all",
                "--test-size", "all", "--epochs", "1"));
        assertTrue(message.startsWith("vcnn: bad data: " + named + ": ") || message.startsWith("vcnn: bad data: "
                + named + " "), message);
        assertTrue(message.contains(what), message);
    }

    // damage past the first images: a file is checked whole however few images are asked for
    static Stream<Arguments> damagesPastTheFirstImages() {
        byte[] gzipped = gzip(trainImages());
        byte[] flipped = gzipped.clone();
        flipped[flipped.length / 2] ^= 0x55;
        byte[] badLabel = labels(TRAIN);
        badLabel[8 + 15] = 12;
        return Stream.of(
                Arguments.of("raw file cut short", replace(TRAIN_IMAGES, Arrays.copyOf(trainImages(), 16 + 784 * 5 + 99)),
                        "header claims 20 images of 28x28 but the file ends after 5 images"),
                Arguments.of("raw header claims more", (Damage) dir -> {
                    put(dir, TRAIN_LABELS, withInt(labels(TRAIN), 4, 70_000));
                    return put(dir, TRAIN_IMAGES, withInt(trainImages(), 4, 70_000));
                }, "header claims 70000 images of 28x28 but the file ends after 20 images"),
                Arguments.of("gzip header claims more", (Damage) dir -> {
                    put(dir, TRAIN_LABELS, withInt(labels(TRAIN), 4, 70_000));
                    return put(dir, TRAIN_IMAGES, gzip(withInt(trainImages(), 4, 70_000)));
                }, "header claims 70000 images of 28x28 but the file ends after 20 images"),
                Arguments.of("gzip byte flipped in the middle", replace(TRAIN_IMAGES, flipped),
                        "the gzip-compressed data is corrupt"),
                Arguments.of("gzip ends early", replace(TRAIN_IMAGES, Arrays.copyOf(gzipped, gzipped.length / 2)),
                        "the compressed data ends early, the file is cut short"),
                Arguments.of("label out of range", replace(TRAIN_LABELS, badLabel), "label 15 is 12, but labels must be 0..9"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damagesPastTheFirstImages")
    void aFileDamagedPastTheImagesAskedForIsRefusedToo(String kind, Damage damage, String what, @TempDir Path tmp)
            throws Exception {
        Path dir = MnistFolder.write(tmp, TRAIN, TEST);
        Path named = damage.apply(dir);
        String message = failsQuickly(CliRun.of("train", "--data", dir.toString(), "--train-size", "2",
                "--test-size", "2", "--epochs", "1"));
        assertEquals("vcnn: bad data: " + named + ": " + what, message);
    }

    // one line on stderr, exit 1, nothing on stdout, and all of it within a second
    private static String failsQuickly(CliRun run) {
        assertTrue(run.out().isEmpty(), "nothing may be printed as if training ran: " + run.out());
        assertTrue(run.seconds() < 1, "took " + run.seconds() + " s");
        return run.oneLineFailure();
    }

    @Test
    void evalAndPredictAnswerABadTestFileTheSameWay(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model.npz");
        assertEquals(0, CliRun.of("train", "--epochs", "0", "--save", model.toString()).exitCode());
        Path dir = MnistFolder.write(Files.createDirectory(tmp.resolve("data")), TRAIN, TEST);
        Path cut = put(dir, TEST_IMAGES, Arrays.copyOf(images(TEST, 28, 28, 2), 16 + 784 * 3));
        String expected = "vcnn: bad data: " + cut + ": header claims 10 images of 28x28 but the file ends after 3 images";
        assertEquals(expected, failsQuickly(CliRun.of("eval", "--model", model.toString(), "--data", dir.toString(),
                "--test-size", "all")));
        assertEquals(expected, failsQuickly(CliRun.of("predict", "--model", model.toString(), "--data", dir.toString(),
                "--index", "2147483646")));
    }

    @Test
    void aDeviceUnderADataFilesNameIsRefusedNotReadForever(@TempDir Path tmp) throws Exception {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero), "no /dev/zero here");
        Path dir = MnistFolder.write(tmp, TRAIN, TEST);
        Files.delete(dir.resolve(TRAIN_IMAGES));
        Path link = Files.createSymbolicLink(dir.resolve(TRAIN_IMAGES), zero);
        assertEquals("vcnn: bad data: " + link + ": is a device or other special file, not a data file",
                failsQuickly(CliRun.of("train", "--data", dir.toString())));
        Files.delete(link); // @TempDir would warn about a link that leads out of it
    }

    @Test
    void anUnreadableFileIsOneLine(@TempDir Path tmp) throws Exception {
        Path dir = MnistFolder.write(tmp, TRAIN, TEST);
        Path file = dir.resolve(TRAIN_LABELS);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("-w-------"));
        // root reads it anyway; RestrictedRunTest runs this case in a child without that power
        assumeTrue(!Files.isReadable(file), "this user (root?) can read a file with mode 200");
        assertEquals("vcnn: bad data: " + file + ": permission denied, the file cannot be read",
                failsQuickly(CliRun.of("train", "--data", dir.toString(), "--train-size", "all", "--test-size", "all")));
    }
}
