package dev.vcnn.cli;

import dev.vcnn.engine.io.AtomicFiles;
import dev.vcnn.engine.io.FileWriteException;

import java.awt.image.RenderedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** The PNGs vcnn draws ({@code filters --out}, {@code train --plot}), written atomically. */
final class PngFile {

    static {
        // ImageIO would stage the encoded picture in a cache file under java.io.tmpdir: the write then
        // failed where that folder is missing or full although the target's folder was fine (and on a full
        // disk the cache's closer thread printed a stack trace). The pictures are small enough for memory.
        ImageIO.setUseCache(false);
    }

    private PngFile() {
    }

    static void write(Path file, RenderedImage image) throws FileWriteException {
        AtomicFiles.write(file, out -> ImageIO.write(image, "png", out));
    }
}
