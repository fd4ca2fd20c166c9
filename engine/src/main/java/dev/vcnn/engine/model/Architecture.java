package dev.vcnn.engine.model;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.LayerSpec;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.SplittableRandom;

/**
 * What defines a {@link Network} apart from its parameter values: the spec, the input shape
 * [channels][height][width] and the number of classes. The constructor refuses, with one sentence,
 * any combination that builds no network (see {@link NetworkSpec#shapes}).
 */
public record Architecture(NetworkSpec spec, Shape input, int classes) {

    /**
     * The most floats any one parameter array may hold (256 MB), well above what a network within
     * {@link NetworkSpec#MAX_BYTES} has; it bounds what reading a model file may allocate.
     */
    public static final int MAX_FLOATS = 1 << 26;

    public Architecture {
        if (classes < 2) {
            throw new IllegalArgumentException("a network needs at least 2 classes, got " + classes);
        }
        spec.shapes(input, classes);
    }

    /** The seed's network on images of {@code height} x {@code width}, one channel, 10 classes. */
    public static Architecture seed(int height, int width) {
        return new Architecture(NetworkSpec.seed(), new Shape(1, height, width), Network.SEED_CLASSES);
    }

    public static Architecture of(Network network) {
        return new Architecture(network.spec(), network.inputShape(), network.classes());
    }

    /** A network of this architecture; its parameters are placeholders until a model is copied in. */
    public Network build(Kernels kernels) {
        return Network.build(kernels, spec, input, classes, new SplittableRandom(0));
    }

    /**
     * Every parameter's name and shape, in the network's order, as PyTorch's {@code state_dict} of
     * the equivalent {@code nn.Sequential} has them: conv {@code i.weight} [F][C][3][3] and
     * {@code i.bias} [F], dense {@code i.weight} [out][in] and {@code i.bias} [out], i the layer's
     * position in the spec. Computed from the shapes alone, so nothing is allocated.
     */
    public SequencedMap<String, int[]> parameterShapes() {
        SequencedMap<String, int[]> shapes = new LinkedHashMap<>();
        List<LayerSpec> layers = spec.layers();
        List<Shape> outputs = spec.shapes(input, classes);
        for (int k = 0; k < layers.size(); k++) {
            Shape in = k == 0 ? input : outputs.get(k - 1);
            switch (layers.get(k)) {
                case LayerSpec.Conv3x3 conv -> {
                    shapes.put(k + ".weight", new int[] {conv.filters(), in.channels(), 3, 3});
                    if (conv.bias()) {
                        shapes.put(k + ".bias", new int[] {conv.filters()});
                    }
                }
                case LayerSpec.Dense dense -> {
                    shapes.put(k + ".weight", new int[] {dense.outputs(), Math.toIntExact(in.size())});
                    shapes.put(k + ".bias", new int[] {dense.outputs()});
                }
                case LayerSpec.Relu relu -> { }
                case LayerSpec.MaxPool2 pool -> { }
            }
        }
        return shapes;
    }
}
