package dev.vcnn.engine.model;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.network.Network;

import java.util.SplittableRandom;

/**
 * The shapes that define a {@link Network}: input [channels][height][width], the number of 3x3
 * filters and of classes. Everything else (pool and dense sizes) follows from them.
 */
public record Architecture(int channels, int height, int width, int filters, int classes) {
    /** The one layer stack vcnn builds, as the metadata names it. */
    public static final String LAYERS = "conv3x3-maxpool2x2-softmax";

    /**
     * The most floats any one array of the network may hold (256 MB): the seed's largest holds 13,520,
     * and the limit keeps a forged architecture from asking for more memory than a machine has.
     */
    public static final int MAX_FLOATS = 1 << 26;

    public Architecture {
        // 4x4 is the smallest input whose pooled plane is not empty
        if (channels < 1 || height < 4 || width < 4 || filters < 1 || classes < 2) {
            throw new IllegalArgumentException("no network has input " + channels + "x" + height + "x" + width
                    + ", " + filters + " filters and " + classes + " classes");
        }
        long largest = Math.max(Math.max(floats(channels, height, width), floats(filters, height - 2, width - 2)),
                Math.max(floats(filters, channels, 9), floats(classes, filters, (height - 2) / 2, (width - 2) / 2)));
        if (largest > MAX_FLOATS) {
            throw new IllegalArgumentException("a network with input " + channels + "x" + height + "x" + width
                    + ", " + filters + " filters and " + classes + " classes would hold an array of "
                    + (largest == Long.MAX_VALUE ? "more than 2^63" : String.format("%,d", largest))
                    + " floats, more than the " + String.format("%,d", MAX_FLOATS) + " vcnn allows");
        }
    }

    // the product, or Long.MAX_VALUE if it does not fit a long
    private static long floats(int... sizes) {
        long product = 1;
        for (int size : sizes) {
            try {
                product = Math.multiplyExact(product, size);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return product;
    }

    public static Architecture of(Network network) {
        return new Architecture(network.channels(), network.height(), network.width(),
                network.conv().filterCount(), network.classes());
    }

    /** A network of these shapes; its parameters are placeholders until a model is copied in. */
    public Network build(Kernels kernels) {
        return new Network(kernels, channels, height, width, filters, classes, new SplittableRandom(0));
    }

    /** conv filters [F][C][3][3]. */
    public int[] convFiltersShape() {
        return new int[] {filters, channels, 3, 3};
    }

    /** dense weights [classes][F * pooled height * pooled width], output-major as the engine keeps them. */
    public int[] denseWeightsShape() {
        return new int[] {classes, filters * ((height - 2) / 2) * ((width - 2) / 2)};
    }

    /** dense biases [classes]. */
    public int[] denseBiasesShape() {
        return new int[] {classes};
    }
}
