package dev.vcnn.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static dev.vcnn.cli.MnistFolder.TRAIN_LABELS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The command line in a child JVM under conditions a test JVM cannot put itself in: file permissions
 * that bind (root gives up its power to ignore them), a full disk (a small tmpfs in a mount namespace
 * of its own), a JVM without the Vector API module, one with too small a heap, and one whose
 * java.io.tmpdir is missing.
 */
class RestrictedRunTest {
    private static final List<String> VECTORS = List.of("--add-modules=jdk.incubator.vector");

    // as this user, or, for root, as root without the capabilities that override file permissions
    private static List<String> withPermissionsBinding(List<String> command) {
        if (!ChildRun.root()) {
            return command;
        }
        assumeTrue(ChildRun.available("setpriv"), "root, and no setpriv to give up the power over permissions with");
        List<String> restricted = new ArrayList<>(List.of("setpriv", "--inh-caps=-dac_override,-dac_read_search",
                "--bounding-set=-dac_override,-dac_read_search"));
        restricted.addAll(command);
        return restricted;
    }

    @Test
    void filesThatCannotBeReadOrFoldersThatCannotBeWrittenAreOneLineAndHarmNothing(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model.npz");
        assertEquals(0, CliRun.of("train", "--epochs", "0", "--save", model.toString()).exitCode());
        byte[] earlier = Files.readAllBytes(model);

        Path data = MnistFolder.write(Files.createDirectory(tmp.resolve("data")), 20, 10);
        Path labels = data.resolve(TRAIN_LABELS);
        Files.setPosixFilePermissions(labels, PosixFilePermissions.fromString("-w-------"));
        ChildRun unreadableData = ChildRun.run(withPermissionsBinding(ChildRun.command(VECTORS, "train", "--data",
                data.toString(), "--train-size", "all", "--test-size", "all")));
        assertEquals(1, unreadableData.exitCode(), unreadableData.err());
        assertEquals("vcnn: bad data: " + labels + ": permission denied, the file cannot be read",
                unreadableData.errLine());
        assertEquals("", unreadableData.out());

        Path locked = Files.copy(model, tmp.resolve("locked.npz"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("-w-------"));
        ChildRun unreadableModel = ChildRun.run(withPermissionsBinding(ChildRun.command(VECTORS, "eval", "--model",
                locked.toString())));
        assertEquals(1, unreadableModel.exitCode(), unreadableModel.err());
        assertEquals("vcnn: bad model: " + locked + ": permission denied, the file cannot be read",
                unreadableModel.errLine());

        Path picture = tmp.resolve("digit.png");
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", picture.toFile());
        Files.setPosixFilePermissions(picture, PosixFilePermissions.fromString("-w-------"));
        ChildRun unreadablePicture = ChildRun.run(withPermissionsBinding(ChildRun.command(VECTORS, "predict",
                "--model", model.toString(), picture.toString())));
        assertEquals(1, unreadablePicture.exitCode(), unreadablePicture.err());
        assertEquals("vcnn: bad data: " + picture + ": permission denied, the file cannot be read",
                unreadablePicture.errLine());

        // the folder holds a good model and refuses new files: refused before training, the model kept
        Path folder = Files.createDirectory(tmp.resolve("read-only"));
        Path kept = Files.copy(model, folder.resolve("model.npz"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            ChildRun unwritable = ChildRun.run(withPermissionsBinding(ChildRun.command(VECTORS, "train", "--epochs",
                    "1", "--save", kept.toString())));
            assertEquals(1, unwritable.exitCode(), unwritable.err());
            assertEquals("vcnn: " + kept + ": cannot be written, permission denied in the folder " + folder,
                    unwritable.errLine());
            assertEquals("", unwritable.out(), "nothing may be trained for a model that cannot be saved");
            assertArrayEquals(earlier, Files.readAllBytes(kept));
        } finally {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aFullDiskFailsTheSaveAndKeepsTheEarlierModelByteForByte(@TempDir Path tmp) throws Exception {
        // a 256 KB tmpfs, mounted in a mount namespace that ends with the child, holding a good model
        // and filled up: the save's temporary file is created (it takes no blocks) and its writes fail
        assumeTrue(ChildRun.root() && ChildRun.available("unshare") && ChildRun.available("mount"),
                "needs root with unshare and mount for a disk that is really full");
        assumeTrue(ChildRun.run(List.of("unshare", "--mount", "true")).exitCode() == 0, "unshare --mount is refused");
        Path good = tmp.resolve("good.npz");
        assertEquals(0, CliRun.of("train", "--epochs", "0", "--save", good.toString()).exitCode());
        Path disk = Files.createDirectory(tmp.resolve("disk"));
        Path report = Files.createDirectory(tmp.resolve("report"));
        String java = String.join(" ", ChildRun.command(VECTORS, "train", "--epochs", "1", "--train-size", "200",
                "--test-size", "20", "--save", disk.resolve("model.npz").toString()).stream()
                .map(word -> "'" + word.replace("'", "'\\''") + "'").toList());
        String script = String.join("\n",
                "set -e",
                "mount -t tmpfs -o size=256k vcnn-full-disk " + disk,
                "cp " + good + " " + disk.resolve("model.npz"),
                "dd if=/dev/zero of=" + disk.resolve("filler") + " bs=4096 2>/dev/null || true",
                "set +e",
                java + " > " + report.resolve("out") + " 2> " + report.resolve("err"),
                "echo $? > " + report.resolve("code"),
                "cmp -s " + good + " " + disk.resolve("model.npz") + " && echo same > " + report.resolve("same"),
                "ls -A " + disk + " > " + report.resolve("listing"));
        ChildRun shell = ChildRun.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", script));
        assertEquals(0, shell.exitCode(), shell.err());

        assertEquals("1", Files.readString(report.resolve("code")).strip());
        List<String> err = Files.readAllLines(report.resolve("err")).stream()
                .filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        assertEquals(List.of("vcnn: " + disk.resolve("model.npz") + ": could not be written (No space left on device);"
                + " an earlier file of that name is unchanged"), err);
        List<String> out = Files.readAllLines(report.resolve("out"));
        assertTrue(out.getLast().startsWith("Test Accuracy: "), "the summary must not be printed: " + out.getLast());
        assertFalse(String.join("\n", out).contains("Trained "), out.toString());
        assertTrue(Files.exists(report.resolve("same")), "the earlier model must be there byte for byte");
        assertEquals(List.of("filler", "model.npz"), Files.readAllLines(report.resolve("listing")),
                "the failed save must remove its temporary file");
    }

    @Test
    void picturesNeedNoJavaTemporaryFolder(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model.npz");
        assertEquals(0, CliRun.of("train", "--epochs", "0", "--save", model.toString()).exitCode());
        // where ImageIO would put its cache file by default: "Can't create cache file!"
        List<String> flags = new ArrayList<>(VECTORS);
        flags.add("-Djava.io.tmpdir=" + tmp.resolve("missing"));

        Path filters = tmp.resolve("filters.png");
        ChildRun drawn = ChildRun.run(ChildRun.command(flags, "filters", "--model", model.toString(), "--out",
                filters.toString()));
        assertEquals(0, drawn.exitCode(), drawn.err());
        assertEquals(840, ImageIO.read(filters.toFile()).getWidth());

        Path plot = tmp.resolve("plot.png");
        ChildRun trained = ChildRun.run(ChildRun.command(flags, "train", "--epochs", "1", "--train-size", "100",
                "--test-size", "20", "--plot", plot.toString()));
        assertEquals(0, trained.exitCode(), trained.err());
        assertEquals(1000, ImageIO.read(plot.toFile()).getWidth());
        assertFalse(Files.exists(tmp.resolve("missing")));
    }

    @Test
    void withoutTheVectorModuleAskingForTheVectorEngineIsAUsageError() throws Exception {
        ChildRun run = ChildRun.run(ChildRun.command(List.of(), "train", "--engine", "vector"));
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("vcnn: --engine vector cannot run in this JVM: "), run.err());
        assertEquals("", run.out());
    }

    @Test
    void aPictureTooBigForTheHeapIsSaidToBeSoNotDamaged(@TempDir Path tmp) throws Exception {
        // 36 megapixels, within what predict decodes, but not in a 32 MB heap (its PNG is a few KB)
        Path model = tmp.resolve("model.npz");
        assertEquals(0, CliRun.of("train", "--epochs", "0", "--save", model.toString()).exitCode());
        Path picture = tmp.resolve("big.png");
        ImageIO.write(new BufferedImage(8000, 4500, BufferedImage.TYPE_BYTE_GRAY), "png", picture.toFile());
        List<String> flags = new ArrayList<>(VECTORS);
        flags.add("-Xmx32m");
        ChildRun run = ChildRun.run(ChildRun.command(flags, "predict", "--model", model.toString(), picture.toString()));
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("vcnn: bad data: " + picture + ": there is not enough memory to decode this picture; give Java"
                + " more heap (VCNN_JAVA_OPTS=-Xmx2g) or scale the picture down", run.errLine());
    }

    @Test
    void runningOutOfMemoryIsOneLine(@TempDir Path tmp) throws Exception {
        // one 1400x1400 training image (2 MB) is fine data, but its network needs far more than 48 MB
        Path data = Files.createDirectory(tmp.resolve("data"));
        MnistFolder.put(data, MnistFolder.TRAIN_IMAGES, MnistFolder.images(1, 1400, 1400, 1));
        MnistFolder.put(data, MnistFolder.TRAIN_LABELS, MnistFolder.labels(1));
        MnistFolder.put(data, MnistFolder.TEST_IMAGES, MnistFolder.images(1, 1400, 1400, 2));
        MnistFolder.put(data, MnistFolder.TEST_LABELS, MnistFolder.labels(1));
        List<String> flags = new ArrayList<>(VECTORS);
        flags.add("-Xmx48m");
        ChildRun run = ChildRun.run(ChildRun.command(flags, "train", "--data", data.toString(), "--train-size", "1",
                "--test-size", "1", "--epochs", "1"));
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.errLine().startsWith("vcnn: out of memory ("), run.err());
        assertTrue(run.errLine().endsWith("give Java more heap, e.g. VCNN_JAVA_OPTS=-Xmx4g ./vcnn ..."), run.err());
    }
}
