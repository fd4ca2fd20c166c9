package dev.vcnn.engine.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads up to a number of bytes that a header claims, growing the buffer only as data arrives, so a forged
 * header cannot make us allocate more than about twice what the file really holds. IDX data files and the
 * arrays of model files are both read through it.
 */
public final class ProgressiveRead {

    // Small enough that a lying header in a tiny file costs nothing, big enough that doubling from here
    // reaches 47 MB (all MNIST training pixels) in a dozen steps; a model's arrays fit in one.
    private static final int FIRST_BUFFER = 64 * 1024;

    private ProgressiveRead() {
    }

    /**
     * Returns exactly {@code wanted} bytes, or fewer if the stream ends first (the array's length then says
     * how many there were).
     */
    public static byte[] upTo(InputStream in, int wanted) throws IOException {
        byte[] buffer = new byte[Math.min(wanted, FIRST_BUFFER)];
        int filled = 0;
        while (filled < wanted) {
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(wanted, 2L * buffer.length));
            }
            int read = in.read(buffer, filled, buffer.length - filled);
            if (read < 0) {
                return Arrays.copyOf(buffer, filled);
            }
            filled += read;
        }
        return buffer;
    }
}
