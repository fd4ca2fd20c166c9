package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Turns a picture file (PNG, JPEG, anything javax.imageio reads) of any size into what the network
 * takes: rows x cols unsigned 8-bit gray, light strokes on a dark ground as in MNIST.
 * <ol>
 *   <li>gray = 0.299 R + 0.587 G + 0.114 B (ITU-R 601, as PIL's convert("L")), or a gray picture's own
 *       samples scaled to 8 bits (16-bit gray too); transparent parts show the ground</li>
 *   <li>scaled, keeping its proportions, to fit rows x cols, centred, the rest filled with the ground</li>
 *   <li>with {@code invert} (dark strokes on a light ground, e.g. ink on paper): p -> 255 - p</li>
 * </ol>
 * The ground is black, or white for an inverted picture, so padding matches the picture's own. Pictures
 * above {@link #MAX_PIXELS} are refused from their header, before decoding.
 */
final class Pictures {
    /**
     * The largest picture decoded, in pixels (e.g. 8000x5000): decoding takes up to 8 bytes a pixel
     * (16-bit RGBA), so this keeps a picture within a few hundred MB; its size is read from the header
     * before anything is decoded.
     */
    static final long MAX_PIXELS = 40_000_000;

    private Pictures() {
    }

    static byte[] read(Path file, int rows, int cols, boolean invert) throws DataFormatException {
        int ground = invert ? 255 : 0;
        BufferedImage gray = fit(gray(decode(file), ground), rows, cols, ground);
        byte[] pixels = ((DataBufferByte) gray.getRaster().getDataBuffer()).getData().clone();
        if (invert) {
            for (int k = 0; k < pixels.length; k++) {
                pixels[k] = (byte) (255 - (pixels[k] & 0xFF));
            }
        }
        return pixels;
    }

    private static BufferedImage decode(Path file) throws DataFormatException {
        if (Files.isDirectory(file)) {
            throw new DataFormatException(file + ": is a folder, not a picture");
        }
        if (!Files.exists(file)) {
            throw new DataFormatException(file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new DataFormatException(file + ": is a device or other special file, not a picture");
        }
        try {
            // the stream below reports an unreadable file only as "no reader", so ask first
            Files.newInputStream(file).close();
        } catch (AccessDeniedException e) {
            throw new DataFormatException(file + ": permission denied, the file cannot be read", e);
        } catch (IOException e) {
            throw new DataFormatException(file + ": could not be read", e);
        }
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DataFormatException(file + ": is not a picture this vcnn can read (PNG, JPEG, BMP, GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                checkSize(file, reader.getWidth(0), reader.getHeight(0));
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw outOfMemory(e) ? tooBig(file, e) : damaged(file, e);
        } catch (RuntimeException e) {
            // javax.imageio's decoders answer some damaged files with unchecked exceptions
            // (ArrayIndexOutOfBounds, NegativeArraySize, IllegalArgument, ...) instead of an IIOException
            throw damaged(file, e);
        } catch (OutOfMemoryError e) {
            // within MAX_PIXELS, but still more than this JVM's heap: one big raster failed, nothing else
            throw tooBig(file, e);
        }
    }

    private static DataFormatException tooBig(Path file, Throwable e) {
        return new DataFormatException(file + ": there is not enough memory to decode this picture; give Java"
                + " more heap (VCNN_JAVA_OPTS=-Xmx2g) or scale the picture down", e);
    }

    // the PNG reader hands a failed raster on as the cause of an IIOException
    private static boolean outOfMemory(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    // from the header alone, before a single pixel is decoded: a 100000x100000 PNG is a few bytes of header
    private static void checkSize(Path file, int width, int height) throws DataFormatException {
        if (width < 1 || height < 1) {
            throw new DataFormatException(file + ": the picture has no pixels (" + width + "x" + height + ")");
        }
        if ((long) width * height > MAX_PIXELS) {
            throw new DataFormatException(file + ": the picture is " + width + "x" + height + " pixels, more than the "
                    + MAX_PIXELS / 1_000_000 + " megapixels vcnn predict decodes; scale it down first");
        }
    }

    private static DataFormatException damaged(Path file, Exception e) {
        return new DataFormatException(file + ": the picture could not be decoded; it is damaged or of a kind "
                + "this vcnn cannot read", e);
    }

    // Gray samples taken as they are, never through Java2D's linear-gray colour conversion (getRGB of a
    // gray picture would return them gamma-encoded, i.e. other values); other pictures through getRGB
    private static BufferedImage gray(BufferedImage picture, int ground) {
        int width = picture.getWidth();
        int height = picture.getHeight();
        BufferedImage gray = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        if (picture.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            gray.getRaster().setRect(picture.getRaster());
            return gray;
        }
        byte[] samples = ((DataBufferByte) gray.getRaster().getDataBuffer()).getData();
        ColorModel model = picture.getColorModel();
        if (model.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(model instanceof IndexColorModel)
                && !model.isAlphaPremultiplied()) {
            // 16-bit gray, or gray with alpha: the samples scaled to 8 bits, as for 8-bit gray above
            Raster raster = picture.getRaster();
            double grayMax = (1 << model.getComponentSize(0)) - 1;
            boolean hasAlpha = model.hasAlpha();
            double alphaMax = hasAlpha ? (1 << model.getComponentSize(1)) - 1 : 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double alpha = hasAlpha ? raster.getSample(x, y, 1) / alphaMax : 1;
                    double luma = raster.getSample(x, y, 0) * 255 / grayMax;
                    samples[y * width + x] = (byte) Math.round(alpha * luma + (1 - alpha) * ground);
                }
            }
            return gray;
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int argb = picture.getRGB(x, y);
                double alpha = (argb >>> 24) / 255.0;
                double luma = 0.299 * (argb >> 16 & 0xFF) + 0.587 * (argb >> 8 & 0xFF) + 0.114 * (argb & 0xFF);
                samples[y * width + x] = (byte) Math.round(alpha * luma + (1 - alpha) * ground);
            }
        }
        return gray;
    }

    private static BufferedImage fit(BufferedImage gray, int rows, int cols, int ground) {
        if (gray.getWidth() == cols && gray.getHeight() == rows) {
            return gray;
        }
        double scale = Math.min((double) cols / gray.getWidth(), (double) rows / gray.getHeight());
        int width = Math.max(1, (int) Math.round(gray.getWidth() * scale));
        int height = Math.max(1, (int) Math.round(gray.getHeight() * scale));
        // halving first keeps thin strokes: one bilinear step from far larger would skip most pixels
        BufferedImage source = gray;
        while (source.getWidth() / 2 >= width && source.getHeight() / 2 >= height) {
            source = resize(source, source.getWidth() / 2, source.getHeight() / 2);
        }
        BufferedImage scaled = resize(source, width, height);

        BufferedImage canvas = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = canvas.createGraphics();
        g.setColor(new Color(ground, ground, ground));
        g.fillRect(0, 0, cols, rows);
        g.drawImage(scaled, (cols - width) / 2, (rows - height) / 2, null);
        g.dispose();
        return canvas;
    }

    private static BufferedImage resize(BufferedImage source, int width, int height) {
        BufferedImage target = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = target.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(source, 0, 0, width, height, null);
        g.dispose();
        return target;
    }
}
