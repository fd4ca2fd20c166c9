package dev.vcnn.engine.data;

import static dev.vcnn.engine.data.IdxBytes.concat;
import static dev.vcnn.engine.data.IdxBytes.cut;
import static dev.vcnn.engine.data.IdxBytes.gzip;
import static dev.vcnn.engine.data.IdxBytes.images;
import static dev.vcnn.engine.data.IdxBytes.labels;
import static dev.vcnn.engine.data.IdxBytes.patternLabels;
import static dev.vcnn.engine.data.IdxBytes.patternPixels;
import static dev.vcnn.engine.data.IdxBytes.randomPixels;
import static dev.vcnn.engine.data.IdxBytes.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {

    // 5 images of 4x3: small, but more than 256 pixels would be needed to see every byte value,
    // so the scaling tests use their own pixels
    private static final int COUNT = 5;
    private static final int ROWS = 4;
    private static final int COLS = 3;
    private static final byte[] PIXELS = patternPixels(COUNT, ROWS, COLS);
    private static final byte[] LABELS = patternLabels(COUNT);
    private static final byte[] IMAGES_FILE = images(COUNT, ROWS, COLS, PIXELS);
    private static final byte[] LABELS_FILE = labels(COUNT, LABELS);

    @TempDir
    Path dir;

    private Path goodLabels;

    @BeforeEach
    void writeGoodLabels() {
        goodLabels = write(dir, "labels-idx1-ubyte", LABELS_FILE);
    }

    // ---- files that are fine ----

    @Test
    void readsARawFile() throws Exception {
        Path images = write(dir, "images-idx3-ubyte", IMAGES_FILE);
        Dataset data = IdxReader.read(images, goodLabels, IdxReader.ALL);
        assertHoldsAll(data);
        assertEquals(images.toString(), data.source());
    }

    @Test
    void readsAGzipFileToTheSameContents() throws Exception {
        Path images = write(dir, "images-idx3-ubyte.gz", gzip(IMAGES_FILE));
        Path labels = write(dir, "labels-idx1-ubyte.gz", gzip(LABELS_FILE));
        assertHoldsAll(IdxReader.read(images, labels, IdxReader.ALL));
    }

    @Test
    void recognisesGzipByItsContentNotItsName() throws Exception {
        Path gzipWithoutSuffix = write(dir, "images-idx3-ubyte", gzip(IMAGES_FILE));
        Path rawWithSuffix = write(dir, "labels-idx1-ubyte.gz", LABELS_FILE);
        assertHoldsAll(IdxReader.read(gzipWithoutSuffix, rawWithSuffix, IdxReader.ALL));
    }

    @Test
    void limitEqualToTheCountReadsEverything() throws Exception {
        Path images = write(dir, "images", IMAGES_FILE);
        assertHoldsAll(IdxReader.read(images, goodLabels, COUNT));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void smallerLimitReadsOnlyTheFirstExamples(boolean gzipped) throws Exception {
        Path images = write(dir, "images", gzipped ? gzip(IMAGES_FILE) : IMAGES_FILE);
        Dataset data = IdxReader.read(images, goodLabels, 2);
        assertEquals(2, data.count());
        assertArrayEquals(cut(PIXELS, 2 * ROWS * COLS), data.pixels());
        assertArrayEquals(cut(LABELS, 2), data.labels());
    }

    // ---- a limit keeps only the first examples, but the files are checked whole ----

    // 300 random 28x28 images barely compress, so the first images sit in the first few KB of the gzip
    // file and damage in its middle is noticed only if the reader goes on past the limit
    private static final int BIG_COUNT = 300;
    private static final byte[] BIG_PIXELS = randomPixels(BIG_COUNT, 28, 28, 42);
    private static final byte[] BIG_IMAGES_FILE = images(BIG_COUNT, 28, 28, BIG_PIXELS);
    private static final byte[] BIG_LABELS_FILE = labels(BIG_COUNT, patternLabels(BIG_COUNT));

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void smallerLimitOfABigFileKeepsOnlyTheFirstExamples(boolean gzipped) throws Exception {
        Path images = write(dir, "images", gzipped ? gzip(BIG_IMAGES_FILE) : BIG_IMAGES_FILE);
        Path labels = write(dir, "labels", gzipped ? gzip(BIG_LABELS_FILE) : BIG_LABELS_FILE);
        Dataset data = IdxReader.read(images, labels, 10);
        assertEquals(10, data.count());
        assertArrayEquals(cut(BIG_PIXELS, 10 * 28 * 28), data.pixels());
        assertArrayEquals(cut(patternLabels(BIG_COUNT), 10), data.labels());
    }

    @Test
    void gzipDamagedPastTheLimitIsRefused() {
        byte[] gzipped = gzip(BIG_IMAGES_FILE);
        gzipped[gzipped.length / 2] ^= 0x55;
        Path images = write(dir, "images.gz", gzipped);
        Path labels = write(dir, "labels", BIG_LABELS_FILE);
        assertEquals(images + ": the gzip-compressed data is corrupt",
                failure(() -> IdxReader.read(images, labels, 10)));
    }

    @Test
    void gzipCutPastTheLimitIsRefused() {
        byte[] gzipped = gzip(BIG_IMAGES_FILE);
        Path images = write(dir, "images.gz", cut(gzipped, gzipped.length / 2));
        Path labels = write(dir, "labels", BIG_LABELS_FILE);
        assertEquals(images + ": the compressed data ends early, the file is cut short",
                failure(() -> IdxReader.read(images, labels, 10)));
    }

    @Test
    void rawFileShorterThanItsHeaderClaimsIsRefusedWhateverTheLimit() {
        int length = BIG_IMAGES_FILE.length / 2;
        Path images = write(dir, "images", cut(BIG_IMAGES_FILE, length));
        Path labels = write(dir, "labels", BIG_LABELS_FILE);
        assertEquals(images + ": header claims 300 images of 28x28 but the file ends after "
                        + (length - 16) / (28 * 28) + " images",
                failure(() -> IdxReader.read(images, labels, 10)));
    }

    @ParameterizedTest
    @ValueSource(ints = {BIG_COUNT + 1, 70_000, Integer.MAX_VALUE})
    void headerClaimingMoreRecordsThanTheDataIsRefusedWhateverTheLimit(int claimed) {
        for (boolean gzipped : new boolean[] {false, true}) {
            byte[] imageContent = images(claimed, 28, 28, BIG_PIXELS);
            byte[] labelContent = labels(claimed, patternLabels(BIG_COUNT));
            Path images = write(dir, "images-" + gzipped, gzipped ? gzip(imageContent) : imageContent);
            Path labels = write(dir, "labels-" + gzipped, gzipped ? gzip(labelContent) : labelContent);
            assertEquals(images + ": header claims " + claimed + " images of 28x28 but the file ends after 300 images",
                    failure(() -> IdxReader.read(images, labels, 10)));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void labelsClaimingMoreThanTheDataAreRefusedWhateverTheLimit(boolean gzipped) {
        byte[] labelContent = cut(BIG_LABELS_FILE, 8 + 120);
        Path labels = write(dir, "labels", gzipped ? gzip(labelContent) : labelContent);
        Path images = write(dir, "images", BIG_IMAGES_FILE);
        assertEquals(labels + ": header claims 300 labels but the file ends after 120 labels",
                failure(() -> IdxReader.read(images, labels, 10)));
    }

    @Test
    void streamsAreCheckedWholeWhateverTheLimit() {
        byte[] gzipped = gzip(BIG_IMAGES_FILE);
        gzipped[gzipped.length / 2] ^= 0x55;
        assertEquals("res/img: the gzip-compressed data is corrupt",
                failure(() -> IdxReader.read("res/img", new ByteArrayInputStream(gzipped),
                        "res/lbl", new ByteArrayInputStream(BIG_LABELS_FILE), 10)));
        assertEquals("res/img: header claims 300 images of 28x28 but the file ends after 150 images",
                failure(() -> IdxReader.read("res/img", new ByteArrayInputStream(cut(BIG_IMAGES_FILE, 16 + 150 * 784)),
                        "res/lbl", new ByteArrayInputStream(BIG_LABELS_FILE), 10)));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ignoresTrailingBytesAfterTheRecords(boolean gzipped) throws Exception {
        byte[] trailing = concat(IMAGES_FILE, new byte[] {1, 2, 3, 4, 5});
        Path images = write(dir, "images", gzipped ? gzip(trailing) : trailing);
        assertHoldsAll(IdxReader.read(images, goodLabels, IdxReader.ALL));
        assertEquals(2, IdxReader.read(images, goodLabels, 2).count());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, IdxReader.ALL})
    void aGzipFileWithMoreThanAMegabyteAfterItsRecordsIsRefused(int limit) {
        // a tail of 8 MB of zeros, a few KB compressed: any more would only take longer to decompress
        byte[] tail = concat(IMAGES_FILE, new byte[8 << 20]);
        Path images = write(dir, "images.gz", gzip(tail));
        assertEquals(images + ": holds more than 1 MB of data after the last record its header claims; an IDX file"
                + " ends with its last record", failure(() -> IdxReader.read(images, goodLabels, limit)));
        Path within = write(dir, "within.gz", gzip(concat(IMAGES_FILE, new byte[1 << 20])));
        assertEquals(2, assertDoesNotThrow(() -> IdxReader.read(within, goodLabels, 2)).count());
    }

    @Test
    void readsStreamsAndLeavesThemOpen() throws Exception {
        var images = new CloseRecordingStream(gzip(IMAGES_FILE));
        var labels = new CloseRecordingStream(LABELS_FILE);
        Dataset data = IdxReader.read("bundled/images.gz", images, "bundled/labels", labels, IdxReader.ALL);
        assertHoldsAll(data);
        assertEquals("bundled/images.gz", data.source());
        assertFalse(images.closed || labels.closed, "the caller opened the streams, so the caller closes them");
    }

    @Test
    void streamMessagesUseTheGivenNames() {
        var images = new ByteArrayInputStream(IMAGES_FILE);
        var labels = new ByteArrayInputStream(new byte[0]);
        String message = failure(() -> IdxReader.read("res/img", images, "res/lbl", labels, IdxReader.ALL));
        assertEquals("res/lbl: the file is empty", message);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void limitBelowOneIsAProgrammingError(int limit) {
        Path images = write(dir, "images", IMAGES_FILE);
        assertThrows(IllegalArgumentException.class, () -> IdxReader.read(images, goodLabels, limit));
    }

    @Test
    void limitAboveTheCountIsAnErrorNotAClamp() {
        Path images = write(dir, "images", IMAGES_FILE);
        assertEquals(images + " holds 5 images, fewer than the 6 asked for",
                failure(() -> IdxReader.read(images, goodLabels, 6)));
        // its own type, so that a command line can blame the option that asked for 6
        TooFewImagesException e = assertThrows(TooFewImagesException.class,
                () -> IdxReader.read(images, goodLabels, 6));
        assertEquals(images.toString(), e.source());
        assertEquals(5, e.available());
        assertEquals(6, e.requested());
    }

    @Test
    void aDeviceIsNoDataFile() {
        // a pipe would block forever; /dev/null stands in for every special file
        Path device = Path.of("/dev/null");
        Assumptions.assumeTrue(Files.exists(device), "no /dev/null here");
        assertEquals(device + ": is a device or other special file, not a data file",
                failure(() -> IdxReader.read(device, goodLabels, 1)));
    }

    // ---- files that cannot be read ----

    @Test
    void missingFile() {
        Path images = dir.resolve("nothing-here");
        assertEquals(images + ": no such file", failure(() -> IdxReader.read(images, goodLabels, 1)));
        Path labels = dir.resolve("no-labels");
        Path realImages = write(dir, "images", IMAGES_FILE);
        assertEquals(labels + ": no such file", failure(() -> IdxReader.read(realImages, labels, 1)));
    }

    @Test
    void folderInsteadOfFile() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("images"));
        assertEquals(folder + ": is a folder, not a data file", failure(() -> IdxReader.read(folder, goodLabels, 1)));
    }

    @Test
    void parentIsAFile() {
        Path images = write(dir, "images", IMAGES_FILE).resolve("child");
        assertFails(images, "could not be opened", () -> IdxReader.read(images, goodLabels, 1));
    }

    @Test
    void unreadableFile() throws IOException {
        Path images = write(dir, "images", IMAGES_FILE);
        Files.setPosixFilePermissions(images, PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(images), "this user (root?) can read a file with mode 000");
        assertEquals(images + ": permission denied, the file cannot be read",
                failure(() -> IdxReader.read(images, goodLabels, 1)));
    }

    @Test
    void emptyFile() {
        Path images = write(dir, "images", new byte[0]);
        assertEquals(images + ": the file is empty", failure(() -> IdxReader.read(images, goodLabels, 1)));
        Path gzipped = write(dir, "images.gz", gzip(new byte[0]));
        assertEquals(gzipped + ": the file is empty once decompressed",
                failure(() -> IdxReader.read(gzipped, goodLabels, 1)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 10, 15})
    void truncatedImageHeader(int length) {
        Path images = write(dir, "images", cut(IMAGES_FILE, length));
        assertEquals(images + ": the file ends after " + length
                        + " bytes, inside the 16-byte header of an IDX image file (magic 2051)",
                failure(() -> IdxReader.read(images, goodLabels, 1)));
    }

    @Test
    void truncatedLabelHeader() {
        Path images = write(dir, "images", IMAGES_FILE);
        Path labels = write(dir, "labels", cut(LABELS_FILE, 6));
        assertFails(labels, "inside the 8-byte header of an IDX label file (magic 2049)",
                () -> IdxReader.read(images, labels, 1));
    }

    @Test
    void notAnIdxFile() {
        Path images = write(dir, "images", "PK\u0003\u0004 this is a zip, not IDX".getBytes());
        assertEquals(images + ": this is not an IDX image file (magic 2051), which starts with bytes 00 00 08 03,"
                        + " but it starts with 50 4B 03 04",
                failure(() -> IdxReader.read(images, goodLabels, 1)));
    }

    @Test
    void gzipCompressedTwice() {
        Path images = write(dir, "images.gz", gzip(gzip(IMAGES_FILE)));
        assertFails(images, "as if it were gzip-compressed twice", () -> IdxReader.read(images, goodLabels, 1));
    }

    @Test
    void imageAndLabelFilesSwapped() {
        Path images = write(dir, "images", IMAGES_FILE);
        assertEquals(goodLabels + ": this is an IDX label file (magic 2049), but an IDX image file (magic 2051)"
                        + " was expected here; are the image and label files swapped?",
                failure(() -> IdxReader.read(goodLabels, images, 1)));
        Path otherImages = write(dir, "more-images", IMAGES_FILE);
        assertFails(otherImages, "this is an IDX image file (magic 2051), but an IDX label file (magic 2049)",
                () -> IdxReader.read(images, otherImages, 1));
    }

    @Test
    void elementTypeOtherThanUnsignedByte() {
        Path images = write(dir, "images", images(0x00000D03, COUNT, ROWS, COLS, PIXELS));
        assertEquals(images + ": the elements are 32-bit floats (type code 0x0D),"
                        + " but only unsigned bytes (type code 0x08) are supported",
                failure(() -> IdxReader.read(images, goodLabels, 1)));
    }

    @Test
    void wrongNumberOfDimensions() {
        Path images = write(dir, "images", images(0x00000802, COUNT, ROWS, COLS, PIXELS));
        assertEquals(images + ": the header declares 2 dimensions, but an IDX image file (magic 2051) has 3"
                        + " (count, rows, cols)",
                failure(() -> IdxReader.read(images, goodLabels, 1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x3", "3x0", "-1x3", "3x-5", "4097x1", "1x100000"})
    void imageSidesOutOfRange(String shape) {
        int rows = Integer.parseInt(shape.split("x")[0]);
        int cols = Integer.parseInt(shape.split("x")[1]);
        Path images = write(dir, "images", images(COUNT, rows, cols, PIXELS));
        assertEquals(images + ": the header claims images of " + shape + " pixels, but rows and cols must be 1..4096",
                failure(() -> IdxReader.read(images, goodLabels, 1)));
    }

    @Test
    void zeroCount() {
        Path images = write(dir, "images", images(0, ROWS, COLS, new byte[0]));
        assertEquals(images + ": the header claims 0 images, there is nothing to read",
                failure(() -> IdxReader.read(images, goodLabels, IdxReader.ALL)));
    }

    @Test
    void negativeCount() {
        Path images = write(dir, "images", images(-5, ROWS, COLS, PIXELS));
        assertEquals(images + ": the header claims -5 images, a negative count",
                failure(() -> IdxReader.read(images, goodLabels, 1)));
        Path labels = write(dir, "labels", labels(Integer.MIN_VALUE, LABELS));
        Path goodImages = write(dir, "images2", IMAGES_FILE);
        assertFails(labels, "claims -2147483648 labels, a negative count",
                () -> IdxReader.read(goodImages, labels, 1));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void hugeCountInATinyFileFailsBeforeAllocating(boolean gzipped) {
        int huge = Integer.MAX_VALUE;
        byte[] content = images(huge, 28, 28, patternPixels(3, 28, 28));
        Path images = write(dir, "images", gzipped ? gzip(content) : content);
        Path labels = write(dir, "labels", labels(huge, patternLabels(3)));
        String message = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> failure(() -> IdxReader.read(images, labels, IdxReader.ALL)));
        assertEquals(images + ": 2147483647 images of 28x28 are 1683627179248 bytes, more than one Java array can hold",
                message);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void hugeCountInATinyFileFailsAfterReadingOnlyWhatIsThere(boolean gzipped) {
        // 1x1 images so that the claimed pixels still fit one array and the reader really tries to read them
        int huge = Integer.MAX_VALUE - 8;
        byte[] imageContent = images(huge, 1, 1, new byte[] {1, 2, 3});
        byte[] labelContent = labels(huge, new byte[] {1, 2, 3});
        Path images = write(dir, "images", gzipped ? gzip(imageContent) : imageContent);
        Path labels = write(dir, "labels", gzipped ? gzip(labelContent) : labelContent);
        String message = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> failure(() -> IdxReader.read(images, labels, IdxReader.ALL)));
        assertEquals(images + ": header claims 2147483639 images of 1x1 but the file ends after 3 images", message);
        // the same with a limit: 28x28 images, 1000 asked for, 3 there
        Path bigImages = write(dir, "big-images", images(Integer.MAX_VALUE, 28, 28, patternPixels(3, 28, 28)));
        Path bigLabels = write(dir, "big-labels", labels(Integer.MAX_VALUE, patternLabels(3)));
        assertFails(bigImages, "header claims 2147483647 images of 28x28 but the file ends after 3 images",
                () -> IdxReader.read(bigImages, bigLabels, 1000));
    }

    @Test
    void imageAndLabelCountsDiffer() {
        Path images = write(dir, "images", IMAGES_FILE);
        Path labels = write(dir, "labels", labels(COUNT - 1, cut(LABELS, COUNT - 1)));
        assertEquals(labels + ": the header claims 4 labels, but " + images
                        + " claims 5 images, and each image needs one label",
                failure(() -> IdxReader.read(images, labels, 1)));
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 255})
    void labelOutsideZeroToNine(int bad) {
        byte[] labelBytes = LABELS.clone();
        labelBytes[3] = (byte) bad;
        Path images = write(dir, "images", IMAGES_FILE);
        Path labels = write(dir, "labels", labels(COUNT, labelBytes));
        assertEquals(labels + ": label 3 is " + bad + ", but labels must be 0..9",
                failure(() -> IdxReader.read(images, labels, IdxReader.ALL)));
        // nor is one past the limit let through
        assertEquals(labels + ": label 3 is " + bad + ", but labels must be 0..9",
                failure(() -> IdxReader.read(images, labels, 2)));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void payloadCutShort(boolean gzipped) {
        // header + two whole images + half of the third
        byte[] content = cut(IMAGES_FILE, 16 + 2 * ROWS * COLS + ROWS * COLS / 2);
        Path images = write(dir, "images", gzipped ? gzip(content) : content);
        assertEquals(images + ": header claims 5 images of 4x3 but the file ends after 2 images",
                failure(() -> IdxReader.read(images, goodLabels, IdxReader.ALL)));
        byte[] labelContent = cut(LABELS_FILE, 8 + 3);
        Path labels = write(dir, "short-labels", gzipped ? gzip(labelContent) : labelContent);
        Path goodImages = write(dir, "good-images", IMAGES_FILE);
        assertEquals(labels + ": header claims 5 labels but the file ends after 3 labels",
                failure(() -> IdxReader.read(goodImages, labels, IdxReader.ALL)));
    }

    @Test
    void corruptGzipBlockHeader() {
        byte[] gzipped = gzip(IMAGES_FILE);
        gzipped[10] = (byte) 0xFF; // first deflate byte: final block of the reserved, invalid type 3
        Path images = write(dir, "images.gz", gzipped);
        assertEquals(images + ": the gzip-compressed data is corrupt",
                failure(() -> IdxReader.read(images, goodLabels, IdxReader.ALL)));
    }

    @Test
    void corruptGzipData() {
        int count = 100;
        byte[] gzipped = gzip(images(count, 28, 28, patternPixels(count, 28, 28)));
        for (int i = gzipped.length / 2; i < gzipped.length / 2 + 4; i++) {
            gzipped[i] ^= (byte) 0xFF;
        }
        Path images = write(dir, "images.gz", gzipped);
        Path labels = write(dir, "labels", labels(count, patternLabels(count)));
        assertFails(images, "", () -> IdxReader.read(images, labels, IdxReader.ALL));
    }

    @Test
    void corruptGzipTrailerIsCaughtWhenReadToTheEnd() {
        byte[] gzipped = gzip(IMAGES_FILE);
        gzipped[gzipped.length - 6] ^= 1; // inside the CRC-32
        Path images = write(dir, "images.gz", gzipped);
        assertEquals(images + ": the gzip-compressed data is corrupt",
                failure(() -> IdxReader.read(images, goodLabels, IdxReader.ALL)));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 5, 12, 20})
    void gzipCutShort(int keep) {
        byte[] gzipped = gzip(IMAGES_FILE);
        Path images = write(dir, "images.gz", cut(gzipped, Math.min(keep, gzipped.length - 1)));
        assertEquals(images + ": the compressed data ends early, the file is cut short",
                failure(() -> IdxReader.read(images, goodLabels, IdxReader.ALL)));
    }

    @Test
    void gzipCutAtEveryOffsetOfTheTrailer() {
        byte[] gzipped = gzip(IMAGES_FILE);
        for (int keep = gzipped.length - 8; keep < gzipped.length; keep++) {
            Path images = write(dir, "images-" + keep + ".gz", cut(gzipped, keep));
            assertFails(images, "ends early", () -> IdxReader.read(images, goodLabels, IdxReader.ALL));
        }
    }

    // ---- helpers ----

    private static void assertHoldsAll(Dataset data) {
        assertEquals(COUNT, data.count());
        assertEquals(ROWS, data.rows());
        assertEquals(COLS, data.cols());
        assertArrayEquals(PIXELS, data.pixels());
        assertArrayEquals(LABELS, data.labels());
    }

    interface Read {
        Dataset run() throws DataFormatException;
    }

    /** The message of the DataFormatException that {@code read} must throw. */
    static String failure(Read read) {
        return assertThrows(DataFormatException.class, read::run).getMessage();
    }

    static void assertFails(Path file, String phrase, Read read) {
        String message = failure(read);
        assertTrue(message.startsWith(file.toString()), () -> "message does not name " + file + ": " + message);
        assertTrue(message.contains(phrase), () -> "message lacks \"" + phrase + "\": " + message);
    }

    private static final class CloseRecordingStream extends ByteArrayInputStream {
        boolean closed;

        CloseRecordingStream(byte[] content) {
            super(content);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
