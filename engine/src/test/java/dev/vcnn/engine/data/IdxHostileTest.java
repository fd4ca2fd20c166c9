package dev.vcnn.engine.data;

import dev.vcnn.engine.Hostile;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static dev.vcnn.engine.data.IdxBytes.concat;
import static dev.vcnn.engine.data.IdxBytes.cut;
import static dev.vcnn.engine.data.IdxBytes.gzip;
import static dev.vcnn.engine.data.IdxBytes.images;
import static dev.vcnn.engine.data.IdxBytes.labels;
import static dev.vcnn.engine.data.IdxBytes.randomPixels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Generated hostile IDX pairs: every truncation of a small pair, forged header fields, flipped bits,
 * labels outside 0..9, counts that differ, damaged gzip. Each must be answered within a second by a
 * DataFormatException naming one of the two files (the damaged one, where that is clear), or by a
 * consistent data set where the damage leaves the data readable; never by another exception, and,
 * since this suite runs with a 64 MB heap, never by allocating what a forged header claims.
 */
class IdxHostileTest {
    private static final String IMAGES = "hostile-images";
    private static final String LABELS = "hostile-labels";
    private static final List<String> BOTH = List.of(IMAGES, LABELS);

    /**
     * One hostile input: the two files as stored, the limit to read with, and the name the refusal
     * must start with when the read must fail (null: it may succeed, or fail naming either file).
     * {@code pristine} holds the undamaged pixels and labels when success must give them back exactly.
     */
    record Case(String kind, byte[] images, byte[] labels, int limit, String mustFailNaming, Pair pristine) {
        @Override
        public String toString() {
            HexFormat hex = HexFormat.ofDelimiter(" ");
            return kind + ": limit " + limit + ", images (" + images.length + " bytes) "
                    + hex.formatHex(images, 0, Math.min(24, images.length)) + ", labels (" + labels.length + " bytes) "
                    + hex.formatHex(labels, 0, Math.min(16, labels.length));
        }
    }

    /** A valid pair before any damage: raw file contents and what they hold. */
    record Pair(int count, int rows, int cols, byte[] pixels, byte[] labelValues) {
        byte[] imagesFile() {
            return images(count, rows, cols, pixels);
        }

        byte[] labelsFile() {
            return labels(count, labelValues);
        }
    }

    private static Pair pair(int count, int rows, int cols, long seed) {
        byte[] labelValues = new byte[count];
        Random random = new Random(seed);
        for (int k = 0; k < count; k++) {
            labelValues[k] = (byte) random.nextInt(10);
        }
        return new Pair(count, rows, cols, randomPixels(count, rows, cols, seed), labelValues);
    }

    // ---- every truncation of a small pair, raw and gzip, images and labels: all of them, every run ----

    @Provide
    Arbitrary<Case> truncations() {
        Pair pair = pair(5, 6, 7, 11);
        List<Case> cases = new ArrayList<>();
        for (boolean gzipped : new boolean[] {false, true}) {
            byte[] images = gzipped ? gzip(pair.imagesFile()) : pair.imagesFile();
            byte[] labels = gzipped ? gzip(pair.labelsFile()) : pair.labelsFile();
            String how = gzipped ? "gzip " : "raw ";
            // read whole, and with a limit of 1, which must not let the cut past the first record through
            for (int limit : new int[] {IdxReader.ALL, 1}) {
                for (int length = 0; length < images.length; length++) {
                    cases.add(new Case(how + "images cut at " + length, cut(images, length), labels, limit,
                            IMAGES, null));
                }
                for (int length = 0; length < labels.length; length++) {
                    cases.add(new Case(how + "labels cut at " + length, images, cut(labels, length), limit,
                            LABELS, null));
                }
            }
        }
        return Arbitraries.of(cases);
    }

    @Property(generation = GenerationMode.EXHAUSTIVE, tries = 100_000)
    void everyTruncationIsRefusedNamingTheCutFile(@ForAll("truncations") Case hostile) throws Exception {
        answer(hostile);
    }

    // ---- random damage of random small pairs ----

    private static Arbitrary<Pair> pairs() {
        return Combinators.combine(Arbitraries.integers().between(1, 6), Arbitraries.integers().between(1, 6),
                Arbitraries.integers().between(1, 6), Arbitraries.longs()).as(IdxHostileTest::pair);
    }

    private static Arbitrary<Integer> limits() {
        return Arbitraries.oneOf(Arbitraries.just(IdxReader.ALL), Arbitraries.integers().between(1, 8));
    }

    // sizes a forger would try: signs, zero, powers of two, the largest ints, what overflows when multiplied,
    // IDX magic numbers of other kinds and types, and anything at all
    private static Arbitrary<Integer> forgedInts() {
        return Arbitraries.oneOf(
                Arbitraries.of(0, 1, -1, 2, 3, 4, 7, 28, 255, 256, 4095, 4096, 4097, 46341, 65535, 65536, 100_000,
                        1 << 30, Integer.MIN_VALUE, Integer.MIN_VALUE + 1, Integer.MAX_VALUE, Integer.MAX_VALUE - 8,
                        0x7f000000, 0x00000801, 0x00000803, 0x00000802, 0x00000804, 0x00000901, 0x00000D03,
                        0x00000E01, 0x00001003, 0x1f8b0803),
                Arbitraries.integers());
    }

    @Provide
    Arbitrary<Case> hostile() {
        return Arbitraries.frequencyOf(Tuple.of(3, forgedFields()), Tuple.of(2, forgedCounts()),
                Tuple.of(3, flippedBits()),
                Tuple.of(1, labelsOutOfRange()), Tuple.of(1, countsThatDiffer()), Tuple.of(2, damagedGzip()));
    }

    // one header field (images: magic, count, rows, cols; labels: magic, count) replaced
    private static Arbitrary<Case> forgedFields() {
        return Combinators.combine(pairs(), Arbitraries.integers().between(0, 5), forgedInts(),
                Arbitraries.of(false, true), limits()).as((pair, field, value, gzipped, limit) -> {
                    boolean inImages = field < 4;
                    byte[] file = inImages ? pair.imagesFile() : pair.labelsFile();
                    ByteBuffer.wrap(file).putInt(4 * (inImages ? field : field - 4), value);
                    byte[] images = inImages ? file : pair.imagesFile();
                    byte[] labels = inImages ? pair.labelsFile() : file;
                    return new Case("forged " + (inImages ? "images" : "labels") + " field " + field % 4 + " = "
                            + value, gzipped ? gzip(images) : images, gzipped ? gzip(labels) : labels, limit, null,
                            null);
                });
    }

    // both counts forged alike, as a careful forger would, so that they agree and the reader goes on to
    // the pixels; 1x1 images keep the claimed pixels within one array, so only reading as the bytes arrive
    // keeps memory at what the file holds
    private static Arbitrary<Case> forgedCounts() {
        return Combinators.combine(pairs(), forgedInts(), Arbitraries.of(false, true), Arbitraries.of(false, true),
                limits()).as((pair, count, oneByOne, gzipped, limit) -> {
                    byte[] images = pair.imagesFile();
                    byte[] labels = pair.labelsFile();
                    ByteBuffer.wrap(images).putInt(4, count);
                    ByteBuffer.wrap(labels).putInt(4, count);
                    if (oneByOne) {
                        ByteBuffer.wrap(images).putInt(8, 1).putInt(12, 1);
                    }
                    return new Case("forged counts = " + count + (oneByOne ? " of 1x1" : ""),
                            gzipped ? gzip(images) : images, gzipped ? gzip(labels) : labels, limit, null, null);
                });
    }

    // 1 to 8 bits flipped in the stored bytes (the compressed ones for gzip), half of them in the first 24
    private static Arbitrary<Case> flippedBits() {
        Arbitrary<List<Double>> where = Arbitraries.doubles().between(0, 1).list().ofMinSize(1).ofMaxSize(8);
        return Combinators.combine(pairs(), where, Arbitraries.of(false, true), Arbitraries.of(false, true),
                Arbitraries.of(false, true), limits()).as((pair, spots, inImages, gzipped, nearStart, limit) -> {
                    byte[] images = gzipped ? gzip(pair.imagesFile()) : pair.imagesFile();
                    byte[] labels = gzipped ? gzip(pair.labelsFile()) : pair.labelsFile();
                    byte[] file = inImages ? images : labels;
                    int span = nearStart ? Math.min(24, file.length) : file.length;
                    for (double spot : spots) {
                        int bit = (int) (spot * (span * 8 - 1));
                        file[bit / 8] ^= (byte) (1 << (bit % 8));
                    }
                    // a gzip is read to its end whatever the limit, so its CRC-32 is checked: success must
                    // give back the very data
                    Pair pristine = gzipped ? pair : null;
                    return new Case(spots.size() + " bits flipped in " + (gzipped ? "gzip " : "raw ")
                            + (inImages ? "images" : "labels"), images, labels, limit, null, pristine);
                });
    }

    private static Arbitrary<Case> labelsOutOfRange() {
        return Combinators.combine(pairs(), Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(10, 255),
                Arbitraries.of(false, true), limits()).as((pair, where, value, gzipped, limit) -> {
                    int index = (int) (where * (pair.count() - 1));
                    byte[] labelValues = pair.labelValues().clone();
                    labelValues[index] = (byte) (int) value;
                    byte[] labels = labels(pair.count(), labelValues);
                    // a limit beyond the count fails for that reason, naming the images; any other, even one
                    // that stops before the bad label, for the label
                    String must = limit != IdxReader.ALL && limit > pair.count() ? IMAGES : LABELS;
                    return new Case("label " + index + " = " + value, gzipped ? gzip(pair.imagesFile()) : pair.imagesFile(),
                            gzipped ? gzip(labels) : labels, limit, must, null);
                });
    }

    private static Arbitrary<Case> countsThatDiffer() {
        return Combinators.combine(pairs(), Arbitraries.integers().between(-7, 7).filter(d -> d != 0),
                Arbitraries.of(false, true), limits()).as((pair, delta, gzipped, limit) -> {
                    byte[] labels = pair.labelsFile();
                    ByteBuffer.wrap(labels).putInt(4, pair.count() + delta);
                    return new Case("label count off by " + delta, gzipped ? gzip(pair.imagesFile()) : pair.imagesFile(),
                            gzipped ? gzip(labels) : labels, limit, LABELS, null);
                });
    }

    private static Arbitrary<Case> damagedGzip() {
        return Combinators.combine(pairs(), Arbitraries.of("cut", "trailer", "twice", "junk after"),
                Arbitraries.of(false, true), Arbitraries.doubles().between(0, 1), Arbitraries.bytes(),
                Arbitraries.of(IdxReader.ALL, 1)).as((pair, damage, inImages, where, junk, limit) -> {
                    byte[] file = gzip(inImages ? pair.imagesFile() : pair.labelsFile());
                    byte[] damaged = switch (damage) {
                        case "cut" -> cut(file, (int) (where * (file.length - 1)));
                        // the CRC-32 and length at the end
                        case "trailer" -> flip(file, file.length - 8 + (int) (where * 7.99));
                        case "twice" -> gzip(file);
                        default -> concat(file, new byte[] {junk, 0x1f, (byte) 0x8b, 8});
                    };
                    byte[] images = inImages ? damaged : gzip(pair.imagesFile());
                    byte[] labels = inImages ? gzip(pair.labelsFile()) : damaged;
                    String name = inImages ? IMAGES : LABELS;
                    boolean mustFail = !damage.equals("junk after");
                    return new Case("gzip " + damage + " in " + (inImages ? "images" : "labels"), images, labels,
                            limit, mustFail ? name : null, mustFail ? null : pair);
                });
    }

    private static byte[] flip(byte[] file, int at) {
        byte[] copy = file.clone();
        copy[at] ^= 0x10;
        return copy;
    }

    @Property(tries = 4000)
    @StatisticsReport(onFailureOnly = true)
    void everyHostileInputIsAnsweredCleanly(@ForAll("hostile") Case hostile) throws Exception {
        Statistics.label("kind").collect(hostile.kind().replaceAll("^\\d+ ", "").replaceAll(" [-\\d=].*", ""));
        answer(hostile);
    }

    // A file read from disk vouches for its decoded size, which sizes the first buffer: for gzip, by the
    // length in its trailer. A small file whose header and trailer both claim gigabytes must still be
    // refused for what it is, without asking for what they claim (this suite's heap is 64 MB)
    @Test
    void aForgedGzipTrailerCannotMakeASmallFileAskForWhatItClaims(@TempDir Path dir) throws Exception {
        int claimed = 1_000_000; // 784 MB of pixels
        byte[] images = gzip(images(claimed, 28, 28, randomPixels(3, 28, 28, 5)));
        for (int k = images.length - Integer.BYTES; k < images.length; k++) {
            images[k] = (byte) 0xff; // the trailer's length: 4 GB - 1
        }
        Path imagesFile = IdxBytes.write(dir, "forged-images.gz", images);
        Path labelsFile = IdxBytes.write(dir, "forged-labels", labels(claimed, new byte[] {1, 2, 3}));
        Object outcome = Hostile.quickly(() -> {
            try {
                return IdxReader.read(imagesFile, labelsFile, IdxReader.ALL);
            } catch (DataFormatException e) {
                return e;
            }
        });
        assertTrue(outcome instanceof DataFormatException, () -> "read a forged file: " + outcome);
        Hostile.assertCleanRefusal((DataFormatException) outcome, List.of(imagesFile.toString()), "forged trailer");
    }

    // ---- the one rule for every case ----

    private static void answer(Case hostile) throws Exception {
        Object outcome = Hostile.quickly(() -> {
            try {
                return IdxReader.read(IMAGES, new ByteArrayInputStream(hostile.images()),
                        LABELS, new ByteArrayInputStream(hostile.labels()), hostile.limit());
            } catch (DataFormatException e) {
                return e;
            }
        });
        if (outcome instanceof DataFormatException refusal) {
            Hostile.assertCleanRefusal(refusal,
                    hostile.mustFailNaming() != null ? List.of(hostile.mustFailNaming()) : BOTH, hostile);
            return;
        }
        Dataset data = (Dataset) outcome;
        if (hostile.mustFailNaming() != null) {
            fail("read although it must be refused: " + hostile);
        }
        assertTrue(data.count() >= 1 && data.count() <= hostile.limit(), hostile::toString);
        if (hostile.pristine() != null) {
            Pair pristine = hostile.pristine();
            int wanted = Math.min(hostile.limit(), pristine.count());
            assertEquals(wanted, data.count(), hostile::toString);
            assertArrayEquals(cut(pristine.pixels(), wanted * pristine.rows() * pristine.cols()), data.pixels(),
                    hostile::toString);
            assertArrayEquals(cut(pristine.labelValues(), wanted), data.labels(), hostile::toString);
        }
    }
}
