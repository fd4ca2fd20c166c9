package dev.vcnn.engine.data;

import java.io.Serial;

/**
 * A data file that cannot be used: missing, unreadable, or not the IDX content its header promises.
 * The message is one sentence that starts with the file's name as the caller gave it, fit to show a user.
 * {@link TooFewImagesException} is the one kind that is the request's fault rather than the file's.
 */
public class DataFormatException extends Exception {

    @Serial
    private static final long serialVersionUID = 1L;

    public DataFormatException(String message) {
        super(message);
    }

    /** The cause is kept for debugging only; its text is deliberately not part of the message. */
    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
