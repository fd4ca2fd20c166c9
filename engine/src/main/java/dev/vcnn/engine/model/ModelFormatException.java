package dev.vcnn.engine.model;

import java.io.Serial;

/**
 * A model file that cannot be used: missing, not an .npz archive, or not the arrays and metadata a
 * vcnn model has. The message is one sentence that starts with the file's name, fit to show a user.
 */
public final class ModelFormatException extends Exception {

    @Serial
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    /** The cause is kept for debugging only; its text is deliberately not part of the message. */
    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
