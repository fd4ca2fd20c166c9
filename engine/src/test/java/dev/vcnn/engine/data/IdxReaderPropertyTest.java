package dev.vcnn.engine.data;

import static dev.vcnn.engine.data.IdxBytes.cut;
import static dev.vcnn.engine.data.IdxBytes.gzip;
import static dev.vcnn.engine.data.IdxBytes.images;
import static dev.vcnn.engine.data.IdxBytes.labels;
import static dev.vcnn.engine.data.IdxBytes.randomPixels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Random;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Damaged files of every kind end in a DataFormatException or correct data, never anything else. */
class IdxReaderPropertyTest {

    private static final String IMAGES = "images";
    private static final String LABELS = "labels";

    /** A successful read, or the message of the DataFormatException; any other throwable fails the property. */
    private record Outcome(Dataset data, String failure) {
    }

    private static Outcome read(byte[] images, byte[] labels, int limit) {
        try {
            return new Outcome(IdxReader.read(IMAGES, new ByteArrayInputStream(images),
                    LABELS, new ByteArrayInputStream(labels), limit), null);
        } catch (DataFormatException e) {
            return new Outcome(null, e.getMessage());
        }
    }

    /** 5 stands for IdxReader.ALL, so that both kinds of limit get tried. */
    private static int limit(int limitOrAll, int count) {
        return limitOrAll == 5 ? IdxReader.ALL : Math.min(limitOrAll, count);
    }

    // the shapes are drawn from small ranges that 200 random tries cover well; the combinations of edge
    // cases alone would outnumber the tries
    @Property(tries = 200, edgeCases = EdgeCasesMode.NONE)
    void truncatingAFileFailsCleanlyWhateverTheLimit(
            @ForAll @IntRange(min = 1, max = 4) int count,
            @ForAll @IntRange(min = 1, max = 5) int rows,
            @ForAll @IntRange(min = 1, max = 5) int cols,
            @ForAll @IntRange(min = 1, max = 5) int limitOrAll,
            @ForAll boolean gzipped,
            @ForAll boolean cutTheLabels,
            @ForAll long seed) {
        byte[] pixels = randomPixels(count, rows, cols, seed);
        byte[] labelValues = randomLabels(count, seed);
        byte[] imagesFile = images(count, rows, cols, pixels);
        byte[] labelsFile = labels(count, labelValues);
        byte[] storedImages = gzipped ? gzip(imagesFile) : imagesFile;
        byte[] storedLabels = gzipped ? gzip(labelsFile) : labelsFile;
        byte[] damaged = cutTheLabels ? storedLabels : storedImages;

        int limit = limit(limitOrAll, count);
        int wanted = Math.min(limit, count);
        // every cut is refused, even one past the records asked for: the files are checked whole;
        // the uncut file (length == damaged.length) must read
        for (int length = 0; length <= damaged.length; length++) {
            byte[] shortened = cut(damaged, length);
            Outcome outcome = cutTheLabels
                    ? read(storedImages, shortened, limit)
                    : read(shortened, storedLabels, limit);
            boolean whole = length == damaged.length;
            if (outcome.failure() != null) {
                String cutName = cutTheLabels ? LABELS : IMAGES;
                assertTrue(outcome.failure().startsWith(cutName), outcome.failure());
                assertFalse(whole, () -> "the whole file must read: " + outcome.failure());
            } else {
                assertTrue(whole, "reading succeeded although the file was cut at " + length);
                assertEquals(wanted, outcome.data().count());
                assertArrayEquals(cut(pixels, wanted * rows * cols), outcome.data().pixels());
                assertArrayEquals(cut(labelValues, wanted), outcome.data().labels());
            }
        }
    }

    @Property(tries = 1000)
    void flippingHeaderBitsGivesADatasetOrADataFormatException(
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = (16 + 8) * 8 - 1) Integer> bits,
            @ForAll @IntRange(min = 1, max = 5) int limitOrAll,
            @ForAll boolean gzipped) {
        int count = 3;
        byte[] imagesFile = images(count, 4, 5, randomPixels(count, 4, 5, 7));
        byte[] labelsFile = labels(count, randomLabels(count, 7));
        for (int bit : bits) {
            // bits 0..127 are in the 16-byte image header, 128..191 in the 8-byte label header
            byte[] file = bit < 16 * 8 ? imagesFile : labelsFile;
            int inFile = bit < 16 * 8 ? bit : bit - 16 * 8;
            file[inFile / 8] ^= (byte) (1 << (inFile % 8));
        }
        Outcome outcome = gzipped
                ? read(gzip(imagesFile), gzip(labelsFile), limit(limitOrAll, count))
                : read(imagesFile, labelsFile, limit(limitOrAll, count));
        if (outcome.failure() != null) {
            assertTrue(outcome.failure().startsWith(IMAGES) || outcome.failure().startsWith(LABELS),
                    outcome.failure());
        } else {
            assertTrue(outcome.data().count() >= 1);
        }
    }

    @Property(tries = 500)
    void arbitraryBytesGiveADatasetOrADataFormatException(
            @ForAll @Size(max = 64) byte[] images, @ForAll @Size(max = 32) byte[] labels, @ForAll boolean gzipped) {
        Outcome outcome = gzipped ? read(gzip(images), gzip(labels), IdxReader.ALL) : read(images, labels, IdxReader.ALL);
        if (outcome.failure() != null) {
            assertTrue(outcome.failure().startsWith(IMAGES) || outcome.failure().startsWith(LABELS),
                    outcome.failure());
        }
    }

    private static byte[] randomLabels(int count, long seed) {
        byte[] labels = new byte[count];
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) random.nextInt(10);
        }
        return labels;
    }
}
