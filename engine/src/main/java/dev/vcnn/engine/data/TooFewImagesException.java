package dev.vcnn.engine.data;

import java.io.Serial;

/**
 * More images were asked for than the files hold. The files are fine: a command line can blame the
 * option that asked, which it could not check before the header was read.
 */
public final class TooFewImagesException extends DataFormatException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int available;
    private final int requested;

    /**
     * @param source    the images file's name as given, or a description of where the images are
     * @param available how many images there are
     * @param requested how many were asked for, more than {@code available}
     */
    public TooFewImagesException(String source, int available, int requested) {
        super(source + " holds " + available + " images, fewer than the " + requested + " asked for");
        this.source = source;
        this.available = available;
        this.requested = requested;
    }

    public String source() {
        return source;
    }

    public int available() {
        return available;
    }

    public int requested() {
        return requested;
    }
}
