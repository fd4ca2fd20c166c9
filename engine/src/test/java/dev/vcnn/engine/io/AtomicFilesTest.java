package dev.vcnn.engine.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AtomicFilesTest {

    private static void writeText(Path target, String text) throws FileWriteException {
        AtomicFiles.write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> namesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAFileAndReplacesAnEarlierOne(@TempDir Path tmp) throws Exception {
        Path target = tmp.resolve("out.txt");
        writeText(target, "first");
        writeText(target, "second");
        assertEquals("second", Files.readString(target));
        assertEquals(List.of("out.txt"), namesIn(tmp), "no temporary file may be left behind");
    }

    @Test
    void aWriteThatFailsHalfwayLeavesTheEarlierFileWhole(@TempDir Path tmp) throws Exception {
        Path target = tmp.resolve("model.npz");
        writeText(target, "the earlier model");
        // what a full disk looks like from inside the writer: some bytes go out, then the write fails
        FileWriteException e = assertThrows(FileWriteException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("No space left on device");
        }));
        assertEquals(target + ": could not be written (No space left on device); an earlier file of that name"
                + " is unchanged", e.getMessage());
        assertEquals("the earlier model", Files.readString(target));
        assertEquals(List.of("model.npz"), namesIn(tmp), "the partial temporary file must be removed");
    }

    @Test
    void aParentThatIsAFileIsNamed(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("plain-file");
        Files.writeString(file, "not a folder");
        Path target = file.resolve("model.npz");
        FileWriteException e = assertThrows(FileWriteException.class, () -> writeText(target, "x"));
        assertEquals(target + ": cannot be written, " + file + " is a file, not a folder", e.getMessage());
        assertEquals("not a folder", Files.readString(file));
    }

    @Test
    void aMissingFolderIsNamed(@TempDir Path tmp) {
        Path target = tmp.resolve("no-such-folder").resolve("model.npz");
        FileWriteException e = assertThrows(FileWriteException.class, () -> writeText(target, "x"));
        assertEquals(target + ": cannot be written, the folder " + tmp.resolve("no-such-folder")
                + " does not exist", e.getMessage());
    }

    @Test
    void aTargetThatIsAFolderIsRefused(@TempDir Path tmp) {
        FileWriteException e = assertThrows(FileWriteException.class, () -> writeText(tmp, "x"));
        assertEquals(tmp + ": is a folder, not a file that can be written", e.getMessage());
    }

    @Test
    void aReadOnlyFolderKeepsItsFile(@TempDir Path tmp) throws Exception {
        Path folder = tmp.resolve("read-only");
        Files.createDirectory(folder);
        Path target = folder.resolve("model.npz");
        writeText(target, "the earlier model");
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(folder), "this user (root?) may write into read-only folders");
            FileWriteException e = assertThrows(FileWriteException.class, () -> writeText(target, "new"));
            assertTrue(e.getMessage().startsWith(target + ": cannot be written, permission denied"), e.getMessage());
            assertEquals("the earlier model", Files.readString(target));
        } finally {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aDeviceIsNeverReplacedByAFile() throws Exception {
        // /dev is writable by root: the temporary file would land there and the rename would put a plain
        // file where the device was, and every later write to /dev/full would succeed
        Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full) && !Files.isRegularFile(full), "no /dev/full here");
        List<String> devBefore = namesIn(full.getParent());
        for (Path device : List.of(full, Path.of("/dev/null"))) {
            FileWriteException e = assertThrows(FileWriteException.class, () -> writeText(device, "x"));
            assertEquals(device + ": is a device or other special file, not a regular file, and only regular files"
                    + " are replaced", e.getMessage());
            assertThrows(FileWriteException.class, () -> AtomicFiles.checkWritable(device));
            assertFalse(Files.isRegularFile(device), device + " must stay a device");
        }
        assertEquals(devBefore, namesIn(full.getParent()), "no temporary file may be left in /dev");
    }

    @Test
    void aDanglingLinkOrALoopIsRefusedAndStaysALink(@TempDir Path tmp) throws Exception {
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling.npz"), tmp.resolve("gone/model.npz"));
        Path loop = Files.createSymbolicLink(tmp.resolve("loop.npz"), tmp.resolve("loop.npz"));
        for (Path link : List.of(dangling, loop)) {
            FileWriteException e = assertThrows(FileWriteException.class, () -> AtomicFiles.checkWritable(link));
            assertEquals(link + ": is a symbolic link to " + Files.readSymbolicLink(link) + ", which does not exist"
                    + " (or leads in a loop); vcnn writes through a link only to an existing file", e.getMessage());
            assertThrows(FileWriteException.class, () -> writeText(link, "x"));
            assertTrue(Files.isSymbolicLink(link), "the link must stay a link");
        }
        assertEquals(List.of("dangling.npz", "loop.npz"), namesIn(tmp));
    }

    @Test
    void aLinkIsFollowedAndStaysALink(@TempDir Path tmp) throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real")).resolve("model.npz");
        writeText(real, "first");
        Path link = Files.createSymbolicLink(tmp.resolve("link.npz"), real);
        writeText(link, "second");
        assertTrue(Files.isSymbolicLink(link), "the link must stay a link");
        assertEquals("second", Files.readString(real));
        assertEquals(List.of("model.npz"), namesIn(real.getParent()), "the temporary file goes beside the real file");
    }

    @Test
    void aNewFileGetsTheUmasksPermissionsAndAReplacedFileKeepsItsOwn(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.getFileAttributeView(tmp, PosixFileAttributeView.class) != null, "no POSIX permissions here");
        // what the umask leaves of 0666, as for any program's new file
        Path plain = Files.createFile(tmp.resolve("plain"));
        Path target = tmp.resolve("model.npz");
        writeText(target, "first");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(target));
        for (String kept : List.of("rw-r-----", "rw-rw-rw-", "r--r--r--")) {
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(kept));
            writeText(target, kept);
            assertEquals(kept, Files.readString(target));
            assertEquals(kept, PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        }
        assertEquals(List.of("model.npz", "plain"), namesIn(tmp));
    }

    @Test
    void everyNameTheFolderTakesCanBeWritten(@TempDir Path tmp) throws Exception {
        // 255 bytes is the longest name on Linux file systems; the temporary's name must not be longer
        List<String> longNames = List.of("m".repeat(251) + ".npz", "é".repeat(125) + ".npz",
                "a" + "\uD83D\uDE00".repeat(63)); // an emoji split in two by a cut at 64 chars would be no name
        for (String name : longNames) {
            Path target = tmp.resolve(name);
            AtomicFiles.checkWritable(target);
            writeText(target, name);
            writeText(target, "again " + name);
            assertEquals("again " + name, Files.readString(target));
        }
        assertEquals(longNames.stream().sorted().toList(), namesIn(tmp), "no temporary file may be left behind");
    }

    @Test
    void aNameTooLongForTheFolderIsRefusedBeforehand(@TempDir Path tmp) throws Exception {
        Path target = tmp.resolve("m".repeat(252) + ".npz");
        FileWriteException e = assertThrows(FileWriteException.class, () -> AtomicFiles.checkWritable(target));
        assertEquals(target + ": cannot be written (File name too long)", e.getMessage());
        assertThrows(FileWriteException.class, () -> writeText(target, "x"));
        assertEquals(List.of(), namesIn(tmp));
    }

    @Test
    void ctrlCOrSigtermDuringAWriteDeletesTheTemporaryFile(@TempDir Path tmp) throws Exception {
        Path sh = Path.of("/bin/sh");
        assumeTrue(Files.isExecutable(sh), "no /bin/sh to send SIGINT with");
        Path target = tmp.resolve("model.npz");
        writeText(target, "the earlier model");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // both run the JVM's shutdown hooks; the exit code is 128 + the signal's number
        for (String signal : List.of("TERM", "INT")) {
            Process child = new ProcessBuilder(java, "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"),
                    SlowWrite.class.getName(), target.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                assertEquals("writing", lines.readLine());
                assertEquals(2, namesIn(tmp).size(), "the temporary file must be there while it is written: "
                        + namesIn(tmp));
                if (signal.equals("TERM")) {
                    child.destroy();
                } else {
                    assertEquals(0, new ProcessBuilder(sh.toString(), "-c", "kill -INT " + child.pid()).start().waitFor());
                }
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not stop on SIG" + signal);
            } finally {
                child.destroyForcibly();
            }
            assertEquals(signal.equals("TERM") ? 143 : 130, child.exitValue());
            assertEquals(List.of("model.npz"), namesIn(tmp), "SIG" + signal + " must delete the temporary file");
            assertEquals("the earlier model", Files.readString(target));
        }
    }
}
