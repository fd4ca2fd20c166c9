package dev.vcnn.engine.io;

import java.io.IOException;
import java.io.Serial;

/**
 * A file the program was asked to write could not be written. The message is one sentence that
 * starts with the file's name, fit to show a user; an earlier file of that name is left untouched.
 */
public final class FileWriteException extends IOException {

    @Serial
    private static final long serialVersionUID = 1L;

    public FileWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
