package dev.vcnn.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * Draws 3x3 conv filters as a grid of enlarged squares: one row per input channel, one column per
 * filter, each weight a block of {@code scale} x {@code scale} pixels. Colour is diverging and
 * shared by all filters: white is 0, full red the largest |weight| positive, full blue negative.
 */
final class FilterImage {
    private static final Color GAP = new Color(0xD0D0D0);
    private static final int[] RED = {0xB2, 0x18, 0x2B};
    private static final int[] BLUE = {0x21, 0x66, 0xAC};

    private FilterImage() {
    }

    /** filters [F][C][3][3]. */
    static BufferedImage render(float[] filters, int filterCount, int channels, int scale) {
        float limit = 0;
        for (float w : filters) {
            limit = Math.max(limit, Math.abs(w));
        }
        int gap = Math.max(1, scale / 4);
        int side = 3 * scale;
        BufferedImage image = new BufferedImage(filterCount * side + (filterCount + 1) * gap,
                channels * side + (channels + 1) * gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(GAP);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int f = 0; f < filterCount; f++) {
            for (int c = 0; c < channels; c++) {
                int left = gap + f * (side + gap);
                int top = gap + c * (side + gap);
                int filterBase = (f * channels + c) * 9;
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        float w = filters[filterBase + i * 3 + j];
                        g.setColor(color(limit == 0 ? 0 : w / limit));
                        g.fillRect(left + j * scale, top + i * scale, scale, scale);
                    }
                }
            }
        }
        g.dispose();
        return image;
    }

    // t in [-1, 1]: white at 0, blending to red (t > 0) or blue (t < 0)
    static Color color(float t) {
        int[] end = t >= 0 ? RED : BLUE;
        float a = Math.min(1f, Math.abs(t));
        return new Color(Math.round(255 + a * (end[0] - 255)), Math.round(255 + a * (end[1] - 255)),
                Math.round(255 + a * (end[2] - 255)));
    }
}
