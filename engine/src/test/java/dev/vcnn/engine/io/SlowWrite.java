package dev.vcnn.engine.io;

import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Run by {@link AtomicFilesTest} in a child JVM, to be stopped by a signal in the middle of a write:
 * {@code SlowWrite TARGET} writes 1 MB to TARGET's temporary file, says "writing", and waits a minute
 * before it finishes.
 */
final class SlowWrite {

    private SlowWrite() {
    }

    public static void main(String[] args) throws FileWriteException {
        AtomicFiles.write(Path.of(args[0]), out -> {
            out.write(new byte[1 << 20]);
            out.flush();
            System.out.println("writing");
            System.out.flush();
            try {
                Thread.sleep(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                throw new InterruptedIOException("interrupted");
            }
        });
    }
}
