package dev.vcnn.engine.network;

import dev.vcnn.engine.layers.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A network as a comma-separated list of layers, input first: {@code conv3x3:N} (N filters, with a
 * bias), {@code conv3x3:N:nobias}, {@code relu}, {@code maxpool2}, {@code dense:N}. Softmax and
 * cross-entropy follow the last layer, which must be {@code dense:K} for K classes. The input shape
 * comes from the data. Presets stand for whole specs: {@code seed} and {@code deep}.
 */
public record NetworkSpec(List<LayerSpec> layers) {
    /** The blog post's network, vcnn's default. */
    public static final String SEED = "conv3x3:8:nobias,maxpool2,dense:10";
    /** Two conv blocks and a hidden dense layer: 99% on MNIST. */
    public static final String DEEP = "conv3x3:16,relu,maxpool2,conv3x3:32,relu,maxpool2,dense:128,relu,dense:10";
    /** The most memory a network's parameters (with gradients and momentum) and buffers may need. */
    public static final long MAX_BYTES = 1L << 30;

    private static final String LAYERS_HELP = "the layers are conv3x3:N, conv3x3:N:nobias, relu, maxpool2 and "
            + "dense:N, and the presets seed and deep";

    /**
     * Checks what a list of layers can get wrong whatever the input: it is not empty, no conv or pool
     * comes after a dense layer, and the last layer is dense.
     */
    public NetworkSpec {
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new NetworkSpecException("the network spec is empty; " + LAYERS_HELP);
        }
        boolean dense = false;
        for (int k = 0; k < layers.size(); k++) {
            LayerSpec layer = layers.get(k);
            if (dense && (layer instanceof LayerSpec.Conv3x3 || layer instanceof LayerSpec.MaxPool2)) {
                throw new NetworkSpecException(where(layer.token(), k) + " comes after a dense layer; conv3x3 and "
                        + "maxpool2 work on planes, so they go before the first dense layer");
            }
            dense |= layer instanceof LayerSpec.Dense;
        }
        if (!(layers.getLast() instanceof LayerSpec.Dense)) {
            throw new NetworkSpecException("the last layer must be dense:K, one score per class, but it is "
                    + where(layers.getLast().token(), layers.size() - 1));
        }
    }

    public static NetworkSpec seed() {
        return parse(SEED);
    }

    public static NetworkSpec deep() {
        return parse(DEEP);
    }

    /**
     * Reads a spec or a preset name. Throws {@link NetworkSpecException} naming the token for an
     * unknown layer, an N below 1, a conv or pool after a dense layer, or a last layer that is not dense.
     */
    public static NetworkSpec parse(String text) {
        String trimmed = text.strip();
        switch (trimmed.toLowerCase(Locale.ROOT)) {
            case "seed" -> trimmed = SEED;
            case "deep" -> trimmed = DEEP;
            default -> { }
        }
        if (trimmed.isEmpty()) {
            throw new NetworkSpecException("the network spec is empty; " + LAYERS_HELP);
        }
        String[] tokens = trimmed.split(",", -1);
        List<LayerSpec> layers = new ArrayList<>();
        for (int k = 0; k < tokens.length; k++) {
            layers.add(token(tokens[k].strip(), k));
        }
        return new NetworkSpec(layers);
    }

    private static LayerSpec token(String token, int k) {
        String[] parts = token.split(":", -1);
        String kind = parts[0].toLowerCase(Locale.ROOT);
        switch (kind) {
            case "relu", "maxpool2" -> {
                if (parts.length != 1) {
                    throw new NetworkSpecException(where(token, k) + ": " + kind + " takes no size");
                }
                return kind.equals("relu") ? new LayerSpec.Relu() : new LayerSpec.MaxPool2();
            }
            case "dense" -> {
                if (parts.length != 2) {
                    throw new NetworkSpecException(where(token, k) + ": write dense:N, N outputs");
                }
                return new LayerSpec.Dense(size(parts[1], token, k));
            }
            case "conv3x3" -> {
                if (parts.length == 3 && !parts[2].equalsIgnoreCase("nobias") || parts.length < 2 || parts.length > 3) {
                    throw new NetworkSpecException(where(token, k)
                            + ": write conv3x3:N or conv3x3:N:nobias, N filters");
                }
                return new LayerSpec.Conv3x3(size(parts[1], token, k), parts.length == 2);
            }
            default -> throw new NetworkSpecException(token.isEmpty()
                    ? "layer " + (k + 1) + " of the network spec is empty (two commas in a row?); " + LAYERS_HELP
                    : "unknown layer " + where(token, k) + "; " + LAYERS_HELP);
        }
    }

    private static int size(String text, String token, int k) {
        int n;
        try {
            n = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new NetworkSpecException(where(token, k) + ": N must be a whole number from 1 to "
                    + Integer.MAX_VALUE + ", got '" + text + "'");
        }
        if (n < 1) {
            throw new NetworkSpecException(where(token, k) + ": N must be at least 1");
        }
        return n;
    }

    // "'conv3x3:0' (layer 2)"
    private static String where(String token, int k) {
        return "'" + token + "' (layer " + (k + 1) + ")";
    }

    /** The spec written out in full, as parse reads it back: e.g. {@value #SEED}. */
    public String text() {
        return String.join(",", layers.stream().map(LayerSpec::token).toList());
    }

    /** The preset this spec is, {@code seed} or {@code deep}, or null. */
    public String preset() {
        return text().equals(SEED) ? "seed" : text().equals(DEEP) ? "deep" : null;
    }

    /** Whether this is the seed's network, which keeps the seed's initialisation. */
    public boolean isSeed() {
        return text().equals(SEED);
    }

    /** K of the last layer, dense:K. */
    public int classes() {
        return ((LayerSpec.Dense) layers.getLast()).outputs();
    }

    /**
     * Each layer's output shape for {@code input} images and {@code classes} classes. Throws
     * {@link NetworkSpecException} when a plane shrinks below what a layer needs (saying the shapes),
     * when the last layer's K is not the number of classes, or when the network would need more than
     * {@link #MAX_BYTES}.
     */
    public List<Shape> shapes(Shape input, int classes) {
        List<Shape> shapes = new ArrayList<>();
        StringBuilder path = new StringBuilder(input.toString());
        Shape shape = input;
        boolean flat = false; // past the first dense layer, shapes are N values
        double bytes = 0;
        for (int k = 0; k < layers.size(); k++) {
            LayerSpec layer = layers.get(k);
            long parameters = 0;
            Shape next = switch (layer) {
                case LayerSpec.Conv3x3 conv -> {
                    if (shape.height() < 3 || shape.width() < 3) {
                        throw tooSmall(layer, k, shape, "3x3", path);
                    }
                    parameters = (long) conv.filters() * shape.channels() * 9 + (conv.bias() ? conv.filters() : 0);
                    yield new Shape(conv.filters(), shape.height() - 2, shape.width() - 2);
                }
                case LayerSpec.MaxPool2 pool -> {
                    if (shape.height() < 2 || shape.width() < 2) {
                        throw tooSmall(layer, k, shape, "2x2", path);
                    }
                    yield new Shape(shape.channels(), shape.height() / 2, shape.width() / 2);
                }
                case LayerSpec.Relu relu -> shape;
                case LayerSpec.Dense dense -> {
                    parameters = (dense.outputs() + 1L) * shape.size();
                    yield Shape.flat(dense.outputs());
                }
            };
            // values, batch gradient, velocity and one sample's gradient per parameter; output and input
            // gradient per layer, twice over for the scratch a kernel may keep
            bytes += 4.0 * (4.0 * parameters + 2.0 * (next.size() + shape.size()));
            if (bytes > MAX_BYTES) {
                throw new NetworkSpecException(String.format(Locale.ROOT, "%s on %s images takes the network past "
                        + "the %d GB vcnn allows for parameters (with their gradients and momentum) and buffers",
                        where(layer.token(), k), input, MAX_BYTES >> 30));
            }
            flat |= layer instanceof LayerSpec.Dense;
            path.append(" -> ").append(layer.token()).append(" -> ").append(flat ? next.channels() : next);
            shapes.add(next);
            shape = next;
        }
        if (classes() != classes) {
            throw new NetworkSpecException("the last layer is " + layers.getLast().token() + ", but there are "
                    + classes + " classes: end the spec with dense:" + classes);
        }
        return shapes;
    }

    private static NetworkSpecException tooSmall(LayerSpec layer, int k, Shape shape, String needs,
                                                 StringBuilder path) {
        return new NetworkSpecException(where(layer.token(), k) + " gets planes of " + shape.height() + "x"
                + shape.width() + " but needs at least " + needs + " (" + path + ")");
    }

    @Override
    public String toString() {
        return text();
    }
}
