package dev.vcnn.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;

/**
 * Standard output that remembers why a write failed. System.out is a PrintStream, which swallows
 * write errors, so a report lost to a full disk ({@code >/dev/full}) would otherwise end with exit
 * code 0 as if it had been delivered.
 */
final class StandardOutput extends FilterOutputStream {
    private IOException failure;

    private StandardOutput() {
        super(new FileOutputStream(FileDescriptor.out));
    }

    /** Makes System.out write through a new one, in System.out's charset, and returns it. */
    static StandardOutput install() {
        StandardOutput stdout = new StandardOutput();
        System.setOut(new PrintStream(stdout, true, System.out.charset()));
        return stdout;
    }

    @Override
    public void write(int b) throws IOException {
        try {
            out.write(b);
        } catch (IOException e) {
            throw remember(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw remember(e);
        }
    }

    private IOException remember(IOException e) {
        if (failure == null) {
            failure = e;
        }
        if (readerLeft(e)) {
            // as a tool that SIGPIPE kills (the JVM ignores the signal and gets EPIPE instead): no more
            // work for output no one reads, and no files written after it; the shutdown hooks still run,
            // so a save cut short leaves no temporary file
            System.exit(1); // what exitCode gives a reader that left
        }
        return e;
    }

    private static boolean readerLeft(IOException e) {
        return "Broken pipe".equals(e.getMessage());
    }

    /**
     * The exit code of a command that ended with {@code exitCode}, once its output is flushed: 1, with
     * one line on stderr, if some of it could not be written. A reader that stopped reading (a closed
     * pipe, as {@code vcnn eval ... | head -1}) gets exit code 1 without the line, as tools killed by
     * SIGPIPE say nothing: the user chose to read no further.
     */
    int exitCode(int exitCode) {
        if (!System.out.checkError() && failure == null) {
            return exitCode;
        }
        if (failure == null || !readerLeft(failure)) {
            System.err.println("vcnn: could not write to standard output ("
                    + (failure == null ? "an error" : failure.getMessage()) + ")");
        }
        return exitCode == 0 ? 1 : exitCode;
    }
}
