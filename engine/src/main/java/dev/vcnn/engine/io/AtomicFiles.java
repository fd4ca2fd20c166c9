package dev.vcnn.engine.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a file so that readers see either the old file or the whole new one, never a part: the
 * content goes to a temporary file in the same folder, is forced to disk, and is then renamed over
 * the target. A crash, a kill or a full disk while writing leaves the earlier file as it was. Ctrl-C or
 * SIGTERM deletes the temporary {@code .NAME.*.tmp} file (a shutdown hook); a {@code kill -9} may leave
 * it behind, never a part under NAME. A new file gets the permissions the umask gives any new file; a
 * replaced one keeps its own.
 *
 * <p>Only regular files are replaced. A device, pipe or socket under the target's name is refused:
 * renaming over {@code /dev/full} or {@code /dev/stdout} would not write to it but put a plain file
 * in its place. A symbolic link is followed, so the file it points to is replaced and the link stays; a
 * link to nothing is refused.
 */
public final class AtomicFiles {

    /** What writes the content; the stream is buffered, and closed by {@link #write}. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    // a long name's first characters in its temporary's name: at most 3 bytes a char in UTF-8
    private static final int NAME_KEPT = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /** Writes {@code target} atomically; any failure is one {@link FileWriteException} naming it. */
    public static void write(Path target, Content content) throws FileWriteException {
        Path absolute = destination(target);
        Path folder = absolute.getParent();
        Path temporary;
        try {
            temporary = createTemporary(absolute);
        } catch (IOException e) {
            throw new FileWriteException(target + ": cannot be written, " + reason(e, folder), e);
        }
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                // before a byte is written, so a file its owner keeps private never shows its content to others
                keepPermissions(absolute, temporary);
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
                content.writeTo(out);
                out.flush();
                // on disk before the rename, or a crash could leave the new name on empty blocks
                channel.force(true);
            }
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            // only now: the shutdown hook deletes the temporary by its name, which the atomic rename takes
            // away in one step. Had the hook come first, the rename fails and the earlier file stays; after
            // it, there is nothing under that name to delete. So the hook can never remove the target.
            InFlight.TEMPORARIES.remove(temporary);
        } catch (IOException e) {
            deleteQuietly(temporary, e);
            throw new FileWriteException(target + ": could not be written (" + describe(e)
                    + "); an earlier file of that name is unchanged", e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(temporary, e);
            throw e;
        }
    }

    /**
     * Fails now, rather than after an hour of training, if {@code target} could not be written: it is a
     * folder or a device, its name is too long, or its folder is missing, not a folder, or refuses new
     * files. Leaves nothing behind. (A folder on a full disk usually still accepts an empty file: that shows only in {@link #write}.)
     */
    public static void checkWritable(Path target) throws FileWriteException {
        Path absolute = destination(target);
        Path folder = absolute.getParent();
        try {
            Path temporary = createTemporary(absolute);
            Files.delete(temporary);
            InFlight.TEMPORARIES.remove(temporary);
        } catch (IOException e) {
            throw new FileWriteException(target + ": cannot be written, " + reason(e, folder), e);
        }
        // the temporary's name is short, so a name too long for the folder shows only when asked for itself
        try {
            Files.readAttributes(absolute, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            // a new file: the usual case
        } catch (IOException e) {
            throw new FileWriteException(target + ": cannot be written (" + describe(e) + ")", e);
        }
    }

    // An empty file of a name no one else uses, beside the target (so the rename stays on one file system
    // and can be atomic), created as any program's new file is: the umask decides its permissions
    // (Files.createTempFile would make it 0600, and so every output). Registered for deletion on exit.
    private static Path createTemporary(Path absolute) throws IOException {
        String name = absolute.getFileName().toString();
        // ".NAME.<20 digits>.tmp" must fit in the 255 bytes a name may have, for every NAME that fits:
        // a long NAME is cut to a prefix, which is at most 192 bytes even in UTF-8
        if (name.length() > NAME_KEPT) {
            int end = Character.isHighSurrogate(name.charAt(NAME_KEPT - 1)) ? NAME_KEPT - 1 : NAME_KEPT;
            name = name.substring(0, end);
        }
        while (true) {
            Path temporary = absolute.resolveSibling("." + name + "." + Long.toUnsignedString(RANDOM.nextLong())
                    + ".tmp");
            try {
                Files.createFile(temporary);
            } catch (FileAlreadyExistsException e) {
                // someone else's: draw another
                continue;
            }
            // registered once it is ours: a signal before this line leaves an empty file at worst
            InFlight.TEMPORARIES.add(temporary);
            return temporary;
        }
    }

    // a replaced file keeps its permission bits, as an edit in place would; a new one keeps the umask's.
    // Set once the temporary is open: a read-only target's bits would not let the temporary be opened for writing
    private static void keepPermissions(Path absolute, Path temporary) throws IOException {
        if (Files.getFileAttributeView(absolute, PosixFileAttributeView.class) == null) {
            return;
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(absolute);
        } catch (NoSuchFileException e) {
            return;
        }
        Files.setPosixFilePermissions(temporary, permissions);
    }

    // the absolute path that the rename will replace: a link's target, never a folder or a device
    private static Path destination(Path target) throws FileWriteException {
        Path absolute = target.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            throw new FileWriteException(target + ": is a folder, not a file that can be written", null);
        }
        // both follow links: /dev/stdout is a link to whatever standard output is
        if (Files.exists(absolute) && !Files.isRegularFile(absolute)) {
            throw new FileWriteException(target + ": is a device or other special file, not a regular file, and only"
                    + " regular files are replaced", null);
        }
        if (Files.isSymbolicLink(absolute) && !Files.exists(absolute)) {
            // renaming over it would put a plain file where the link was and never create what it names;
            // writing through it is what a link in a shared folder can be planted for (cp refuses it too)
            throw new FileWriteException(target + ": is a symbolic link to " + linkTarget(absolute) + ", which does"
                    + " not exist (or leads in a loop); vcnn writes through a link only to an existing file", null);
        }
        if (Files.isSymbolicLink(absolute)) {
            try {
                absolute = absolute.toRealPath();
            } catch (IOException e) {
                throw new FileWriteException(target + ": cannot be written, the link could not be followed ("
                        + describe(e) + ")", e);
            }
        }
        return absolute;
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "a path that cannot be read";
        }
    }

    // why the temporary file could not be created, in the user's terms
    private static String reason(IOException e, Path folder) {
        if (e instanceof AccessDeniedException) {
            return "permission denied in the folder " + folder;
        }
        if (e instanceof NoSuchFileException) {
            return "the folder " + folder + " does not exist";
        }
        if (e instanceof NotDirectoryException || (e instanceof FileSystemException f
                && f.getReason() != null && f.getReason().contains("Not a directory"))) {
            return folder + " is a file, not a folder";
        }
        return "the folder " + folder + " refused a new file (" + describe(e) + ")";
    }

    private static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void deleteQuietly(Path temporary, Throwable pending) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            pending.addSuppressed(e);
        } finally {
            InFlight.TEMPORARIES.remove(temporary);
        }
    }

    /**
     * The temporary files being written, deleted by a shutdown hook: Ctrl-C or a kill (SIGINT, SIGTERM)
     * during a save would otherwise leave one of tens of MB behind. The hook is registered when the
     * first temporary file is made. SIGKILL runs no hook, so a {@code kill -9} may still leave one.
     */
    private static final class InFlight {
        static final Set<Path> TEMPORARIES = ConcurrentHashMap.newKeySet();

        static {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(InFlight::deleteAll, "vcnn-delete-temporaries"));
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: no hook can be added, the file may stay as after a kill -9
            }
        }

        private static void deleteAll() {
            for (Path temporary : TEMPORARIES) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException e) {
                    // exiting anyway; what stays is a hidden .tmp file, as after a kill -9
                }
            }
        }
    }
}
