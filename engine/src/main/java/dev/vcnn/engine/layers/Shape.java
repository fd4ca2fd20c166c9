package dev.vcnn.engine.layers;

/**
 * The shape of one sample's activations, [channels][height][width], channel-major. A dense layer's
 * N values are N x 1 x 1.
 */
public record Shape(int channels, int height, int width) {

    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("no activations have shape " + channels + "x" + height + "x" + width);
        }
    }

    /** N values, as a dense layer holds them. */
    public static Shape flat(int n) {
        return new Shape(n, 1, 1);
    }

    /** Values per sample; as a long, since a forged shape may not fit an int. */
    public long size() {
        return (long) channels * height * width;
    }

    /** channels x height x width, e.g. 8x13x13. */
    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
