package dev.vcnn.engine.model;

import dev.vcnn.engine.Hostile;
import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.training.Evaluation;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Generated hostile model files: every truncation of a small model, flipped bits, forged .npy headers
 * (huge, negative and overflowing shapes, other dtypes, header lengths, versions), forged zip fields
 * (sizes, offsets, counts, methods, checksums), forged metadata, and zip bombs. Each must be answered
 * within a second by a ModelFormatException naming the file, or, where the damage touched nothing
 * that matters, by the very model that was saved; never by another exception, and, since this suite
 * runs with a 64 MB heap, never by allocating what a forged size claims.
 */
class NpzHostileTest {
    private static final Path DIR = createDirectory();
    private static final AtomicLong NUMBER = new AtomicLong();
    // a small model, so that the file is short enough to cut at every offset: 1x6x6 input, 2 filters, 3 classes
    private static final Architecture SMALL = new Architecture(
            NetworkSpec.parse("conv3x3:2:nobias,maxpool2,dense:3"), new Shape(1, 6, 6), 3);
    private static final byte[] GOOD = goodFile();
    private static final SavedModel ORIGINAL = load(GOOD);
    private static final SequencedMap<String, byte[]> ENTRIES = ZipSurgery.entries(GOOD);

    /**
     * One hostile file. {@code mustFail}: no answer but a refusal will do. {@code sameInfo}: if it loads,
     * its metadata must be the original's too (false where the forgery rewrote the metadata).
     */
    record Case(String kind, byte[] file, boolean mustFail, boolean sameInfo) {
        @Override
        public String toString() {
            return kind + " (" + file.length + " bytes, ending " + HexFormat.ofDelimiter(" ").formatHex(file,
                    Math.max(0, file.length - 22), file.length) + ")";
        }
    }

    private static Path createDirectory() {
        try {
            return Files.createTempDirectory("npz-hostile");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterContainer
    static void removeTheFiles() throws IOException {
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private static byte[] goodFile() {
        Network network = SMALL.build(KernelSelection.scalar());
        SplittableRandom random = new SplittableRandom(17);
        for (Parameter parameter : network.parameters()) {
            float[] parameters = parameter.values();
            for (int k = 0; k < parameters.length; k++) {
                parameters[k] = (float) random.nextGaussian();
            }
        }
        Path file = DIR.resolve("good.npz");
        try {
            ModelFile.save(file, network, new ModelInfo(SMALL, List.of("a", "b", "c"),
                    new TrainingRecord(3, 0.005f, 1, 0f, 1, 100, "tiny", "scalar"), new Evaluation(0.5, 7, 10)));
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SavedModel load(byte[] bytes) {
        Path file = DIR.resolve("original.npz");
        try {
            Files.write(file, bytes);
            return ModelFile.load(file);
        } catch (IOException | ModelFormatException e) {
            throw new AssertionError("the good file does not load", e);
        }
    }

    // ---- every truncation: all of them, every run ----

    @Provide
    Arbitrary<Case> truncations() {
        List<Case> cases = new ArrayList<>();
        for (int length = 0; length < GOOD.length; length++) {
            cases.add(new Case("cut at " + length + " of " + GOOD.length, Arrays.copyOf(GOOD, length), true, true));
        }
        return Arbitraries.of(cases);
    }

    @Property(generation = GenerationMode.EXHAUSTIVE, tries = 100_000)
    void everyTruncationIsRefused(@ForAll("truncations") Case hostile) throws Exception {
        answer(hostile);
    }

    // ---- random damage ----

    @Provide
    Arbitrary<Case> hostile() {
        return Arbitraries.frequencyOf(Tuple.of(3, flippedBits()), Tuple.of(3, forgedNpyHeaders()),
                Tuple.of(3, forgedZipFields()), Tuple.of(2, forgedMetadata()));
    }

    @Property(tries = 2500)
    @StatisticsReport(onFailureOnly = true)
    void everyHostileFileIsAnsweredCleanly(@ForAll("hostile") Case hostile) throws Exception {
        Statistics.label("kind").collect(hostile.kind().replaceAll(":.*", ""));
        answer(hostile);
    }

    // 1 to 4 bits anywhere, or in the zip structure at the end where the sizes and offsets live
    private static Arbitrary<Case> flippedBits() {
        return Combinators.combine(Arbitraries.doubles().between(0, 1).list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.of(false, true)).as((spots, inDirectory) -> {
                    byte[] file = GOOD.clone();
                    int from = inDirectory ? Math.max(0, GOOD.length - 400) : 0;
                    int span = GOOD.length - from;
                    for (double spot : spots) {
                        int bit = from * 8 + (int) (spot * (span * 8 - 1));
                        file[bit / 8] ^= (byte) (1 << (bit % 8));
                    }
                    return new Case("bits flipped" + (inDirectory ? " near the end" : "") + ": " + spots, file,
                            false, true);
                });
    }

    // what a forger writes into a .npy header's shape: huge, negative, overflowing, empty, too many
    private static Arbitrary<String> forgedShapes() {
        Arbitrary<String> size = Arbitraries.oneOf(Arbitraries.of("0", "1", "-1", "2147483647", "2147483648",
                "-2147483648", "99999999999999999999", "65536", "1e9", "x", ""),
                Arbitraries.integers().map(Object::toString));
        return Arbitraries.oneOf(size.list().ofMinSize(0).ofMaxSize(6).map(sizes -> String.join(", ", sizes)),
                Arbitraries.of("100000000,", "2147483647, 2147483647, 2147483647", "67108864,", "16777216, 4",
                        "8, 1, 3", "3, 8", "24,", "3,", "", "3, 8, 1", "1,", ",", "(8,", "1, 2, 3, 4, 5, 6, 7, 8, 9"));
    }

    private static Arbitrary<String> forgedDtypes() {
        return Arbitraries.of("<f4", "<f8", ">f4", "|f4", "<i4", "|u1", "|b1", "|O", "<U2147483647", "<U999999999",
                "<U9999999999", "<U0", "<f0", "<c16", "", "f", "<f999999999", "garbage", "<V8", "|S9");
    }

    // an array's header rewritten: shape, dtype, order, version or the header length field itself
    private static Arbitrary<Case> forgedNpyHeaders() {
        return Combinators.combine(Arbitraries.of(List.copyOf(ENTRIES.keySet())), forgedShapes(), forgedDtypes(),
                Arbitraries.of("False", "True"), Arbitraries.of(0, 1, 2, 3, 4, 255),
                Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.of(0L, 1L, 65535L, 65536L, 0xFFFFFFFFL,
                        0x7FFFFFFFL), Arbitraries.longs().between(0, 0xFFFFFFFFL)),
                Arbitraries.integers().between(0, 3))
                .as((entry, shape, dtype, order, version, headerLength, keepData) -> {
                    byte[] npy = ENTRIES.get(entry);
                    int dataStart = 10 + ((npy[8] & 0xFF) | (npy[9] & 0xFF) << 8);
                    // no data, half of it, or all of it
                    byte[] data = switch (keepData) {
                        case 0 -> new byte[0];
                        case 1 -> Arrays.copyOfRange(npy, dataStart, dataStart + (npy.length - dataStart) / 2);
                        default -> Arrays.copyOfRange(npy, dataStart, npy.length);
                    };
                    String dict = "{'descr': '" + dtype + "', 'fortran_order': " + order + ", 'shape': (" + shape + "), }";
                    byte[] forged = npy(dict, version, headerLength, data);
                    SequencedMap<String, byte[]> entries = new LinkedHashMap<>(ENTRIES);
                    entries.put(entry, forged);
                    return new Case("forged .npy header: " + entry + " " + dict + " v" + version + " length "
                            + headerLength, ZipSurgery.zip(entries), false, true);
                });
    }

    // a .npy file with any header; headerLength -1 means the true one
    private static byte[] npy(String dict, int version, long headerLength, byte[] data) {
        byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        int lengthBytes = version == 1 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(8 + lengthBytes + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        long length = headerLength < 0 ? header.length : headerLength;
        if (lengthBytes == 2) {
            b.putShort((short) length);
        } else {
            b.putInt((int) length);
        }
        return b.put(header).put(data).array();
    }

    // one field of the zip structure overwritten: sizes and offsets claiming gigabytes, counts, methods
    private static Arbitrary<Case> forgedZipFields() {
        List<ZipSurgery.Field> fields = ZipSurgery.fields(GOOD);
        Arbitrary<Long> values = Arbitraries.oneOf(Arbitraries.of(0L, 1L, 2L, 8L, 0xFFFFL, 0xFFFEL, 0x7FFFL,
                0xFFFFFFFFL, 0xFFFFFFFEL, 0x7FFFFFFFL, 0x80000000L, (long) GOOD.length, GOOD.length + 1L,
                GOOD.length - 1L), Arbitraries.longs().between(0, 0xFFFFFFFFL));
        return Combinators.combine(Arbitraries.of(fields), values).as((field, value) -> new Case(
                "forged zip field: " + field.name() + " = " + value, ZipSurgery.set(GOOD, field, value), false, true));
    }

    // the metadata's JSON cut, garbled, nested without end, or with a value replaced by a forged one
    private static Arbitrary<Case> forgedMetadata() {
        String json = ModelMetadata.toJson(ORIGINAL.info(), SMALL.parameterShapes());
        Arbitrary<String> values = Arbitraries.of("0", "-1", "1", "3", "2147483647", "2147483648", "-2147483649",
                "9223372036854775807", "99999999999999999999999", "1e308", "-1e308", "NaN", "\"NaN\"", "0.5", "null",
                "true", "\"x\"", "[]", "{}", "[1, 2]", "[1, 6, 6, 1]", "[0, 6, 6]", "[1, 4096, 4096]",
                "[1, 2147483647, 2147483647]", "[\"a\"]", "[\"a\", \"b\", \"c\", \"d\"]", "[null, \"b\", \"c\"]");
        Arbitrary<String> replaced = Combinators.combine(Arbitraries.integers().between(0, 200), values)
                .as((which, value) -> replaceValue(json, which, value));
        Arbitrary<String> cut = Arbitraries.integers().between(0, json.length() - 1).map(n -> json.substring(0, n));
        Arbitrary<String> other = Arbitraries.of("", "not json", "[]", "null", "42", "\"vcnn-model\"",
                "[".repeat(100_000), "{\"format\": \"vcnn-model\", \"format_version\": 1}",
                "{\"format\": \"vcnn-model\", \"format_version\": 2}", json.replace("\"format\"", "\"fmt\""),
                json + "}", json.replace("vcnn-model", "vcnn-model2"));
        return Arbitraries.oneOf(replaced, cut, other).map(text -> {
            SequencedMap<String, byte[]> entries = new LinkedHashMap<>(ENTRIES);
            entries.put(ModelFile.METADATA + ".npy", Npy.encode(NpyArray.text(text)));
            String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
            return new Case("forged metadata: " + shown.replace('\n', ' '), ZipSurgery.zip(entries), false, false);
        });
    }

    // the JSON with its which-th number, string, literal or array after a colon replaced by value
    private static String replaceValue(String json, int which, String value) {
        var values = java.util.regex.Pattern.compile(":\\s*(\"[^\"]*\"|\\[[^\\]]*]|[-\\w.]+)").matcher(json);
        int found = 0;
        while (values.find()) {
            if (found++ == which) {
                return json.substring(0, values.start(1)) + value + json.substring(values.end(1));
            }
        }
        return json;
    }

    // ---- zip bombs and forged sizes claiming far more than 64 MB ----

    @Example
    void aRealZipBombIsNotInflatedIntoMemory() throws Exception {
        // 2.weight (the dense weights) with its true header and data, then 80 MB of zeros that deflate to 80 KB:
        // the entry's honest size does not match its .npy header, and nothing past the header's data is read
        byte[] npy = ENTRIES.get("2.weight.npy");
        Path file = DIR.resolve("bomb.npz");
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var entry : ENTRIES.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                if (entry.getKey().equals("2.weight.npy")) {
                    byte[] zeros = new byte[1 << 20];
                    for (int k = 0; k < 80; k++) {
                        zip.write(zeros);
                    }
                }
                zip.closeEntry();
            }
        }
        assertTrue(Files.size(file) < 1 << 20, "the bomb should be small on disk");
        String message = refusal(file);
        assertEquals(file + ": the array 2.weight takes " + npy.length + " bytes, but its entry in the archive"
                + " says " + (npy.length + 80L * (1 << 20)) + "; the archive is damaged", message);
    }

    @Example
    void anArchiveCompressedWithAnotherZipMethodIsNamedAsSuchNotAsDamage() throws Exception {
        // bzip2 (method 12) in the directory entry and the local header of the first array, as Python's
        // zipfile writes with ZIP_BZIP2; the bytes themselves stay deflated, which no reader gets to
        byte[] file = GOOD;
        for (ZipSurgery.Field field : ZipSurgery.fields(GOOD)) {
            if (field.name().equals("directory entry 0: method") || field.name().equals("local header 0: method")) {
                file = ZipSurgery.set(file, field, 12);
            }
        }
        Path path = DIR.resolve("bzip2.npz");
        Files.write(path, file);
        String message = refusal(path);
        assertTrue(message.startsWith(path + ": is compressed with a zip method vcnn does not read ("), message);
    }

    @Example
    void headersClaimingGigabytesAreRefusedBeforeAnythingIsAllocated() throws Exception {
        byte[] weights = ENTRIES.get("2.weight.npy");
        int dataStart = 10 + ((weights[8] & 0xFF) | (weights[9] & 0xFF) << 8);
        byte[] data = Arrays.copyOfRange(weights, dataStart, weights.length);
        String[][] forgeries = {
                // entry, dtype, shape, the refusal's end
                {"2.weight", "<f4", "536870911,", "the array 2.weight has shape (536870911,), but the"
                        + " architecture in its metadata needs (3, 8)"},
                {"metadata", "<U536870911", "", "the array metadata has shape () of <U536870911, more than the"
                        + " 1048576 bytes an array here may hold"},
                {"0.weight", "<f4", "2147483647, 2147483647, 2147483647", "the array 0.weight has shape"
                        + " (2147483647, 2147483647, 2147483647), but the architecture in its metadata needs (2, 1, 3, 3)"},
        };
        for (String[] forgery : forgeries) {
            SequencedMap<String, byte[]> entries = new LinkedHashMap<>(ENTRIES);
            byte[] payload = forgery[0].equals("2.weight") ? data : new byte[0];
            entries.put(forgery[0] + ".npy", npy("{'descr': '" + forgery[1] + "', 'fortran_order': False, 'shape': ("
                    + forgery[2] + "), }", 1, -1, payload));
            Path file = write(ZipSurgery.zip(entries));
            assertEquals(file + ": " + forgery[3], refusal(file));
        }
        // the central directory claims 4 GB for every entry; the local headers stay true
        byte[] claims = GOOD;
        for (ZipSurgery.Field field : ZipSurgery.fields(GOOD)) {
            if (field.name().startsWith("directory") && field.name().endsWith("size")) {
                claims = ZipSurgery.set(claims, field, 0xFFFFFFFEL);
            }
        }
        Path file = write(claims);
        assertTrue(refusal(file).startsWith(file + ": "));
    }

    private static String refusal(Path file) throws Exception {
        Object outcome = Hostile.quickly(() -> {
            try {
                return ModelFile.load(file);
            } catch (ModelFormatException e) {
                return e;
            }
        });
        if (outcome instanceof ModelFormatException e) {
            Hostile.assertCleanRefusal(e, List.of(file.toString()), file);
            return e.getMessage();
        }
        throw new AssertionError("loaded although it must be refused: " + file);
    }

    // ---- the one rule for every case ----

    private static Path write(byte[] bytes) throws IOException {
        return Files.write(DIR.resolve("hostile-" + NUMBER.incrementAndGet() + ".npz"), bytes);
    }

    private static void answer(Case hostile) throws Exception {
        Path file = write(hostile.file());
        try {
            Object outcome = Hostile.quickly(() -> {
                try {
                    return ModelFile.load(file);
                } catch (ModelFormatException e) {
                    return e;
                }
            });
            if (outcome instanceof ModelFormatException refusal) {
                Hostile.assertCleanRefusal(refusal, List.of(file.toString()), hostile);
                return;
            }
            SavedModel model = (SavedModel) outcome;
            if (hostile.mustFail()) {
                fail("loaded although it must be refused: " + hostile);
            }
            // the checksums and size checks leave one way to load: with the very numbers that were saved
            assertEquals(ORIGINAL.parameters().keySet(), model.parameters().keySet(), hostile::toString);
            for (String name : ORIGINAL.parameters().keySet()) {
                assertArrayEquals(ORIGINAL.parameter(name), model.parameter(name), () -> name + ": " + hostile);
            }
            if (hostile.sameInfo()) {
                assertEquals(ORIGINAL.info(), model.info(), hostile::toString);
            }
        } finally {
            Files.delete(file);
        }
    }
}
