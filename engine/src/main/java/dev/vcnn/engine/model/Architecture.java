package dev.vcnn.engine.model;

import dev.vcnn.engine.Kernels;
import dev.vcnn.engine.Network;

import java.util.SplittableRandom;

/**
 * The shapes that define a {@link Network}: input [channels][height][width], the number of 3x3
 * filters and of classes. Everything else (pool and dense sizes) follows from them.
 */
public record Architecture(int channels, int height, int width, int filters, int classes) {
    /** The one layer stack vcnn builds, as the metadata names it. */
    public static final String LAYERS = "conv3x3-maxpool2x2-softmax";

    public Architecture {
        if (channels < 1 || height < 3 || width < 3 || filters < 1 || classes < 2) {
            throw new IllegalArgumentException("no network has input " + channels + "x" + height + "x" + width
                    + ", " + filters + " filters and " + classes + " classes");
        }
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
