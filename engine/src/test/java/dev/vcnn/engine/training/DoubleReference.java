package dev.vcnn.engine.training;

import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.LayerSpec;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;

import java.util.HashMap;
import java.util.Map;

/**
 * Every layer's forward pass recomputed in double precision, straight from the formulas (PyTorch's
 * definitions, not the engine's code), for finite-difference gradient checks. Layouts as PyTorch's
 * NCHW with one sample: activations [C][H][W] channel-major, conv weights [F][C][3][3], dense weights
 * [O][I]. The piecewise-linear layers (relu, max-pool) report the branch they took to a {@link Kinks}
 * so that a check can prove its perturbation stayed on one linear piece.
 */
public final class DoubleReference {

    private DoubleReference() {
    }

    /**
     * The branches the relus and max-pools took, as a hash a perturbation must leave unchanged, and
     * how close the nearest kink was: the smallest |relu input| and the smallest gap between a pool
     * window's largest and second-largest value. A window whose two largest values are both exactly 0
     * (behind a dead relu) is left out of the margin: its gradient is zero whichever one wins.
     */
    public static final class Kinks {
        private long pattern = 17;
        private double margin = Double.POSITIVE_INFINITY;

        void relu(double x) {
            pattern = pattern * 31 + (x > 0 ? 1 : 2);
            margin = Math.min(margin, Math.abs(x));
        }

        void pool(int winner, double max, double second) {
            pattern = pattern * 31 + winner;
            if (!(max == 0.0 && second == 0.0)) {
                margin = Math.min(margin, max - second);
            }
        }

        public long pattern() {
            return pattern;
        }

        public double margin() {
            return margin;
        }
    }

    /** out[f][y][x] = bias[f] + sum_c sum_i sum_j weight[f][c][i][j] * in[c][y+i][x+j]; bias may be null. */
    public static double[] conv3x3(double[] in, Shape shape, double[] weight, double[] bias, int filters) {
        int c0 = shape.channels(), h = shape.height(), w = shape.width();
        int oh = h - 2, ow = w - 2;
        double[] out = new double[filters * oh * ow];
        for (int f = 0; f < filters; f++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    double sum = bias == null ? 0 : bias[f];
                    for (int c = 0; c < c0; c++) {
                        for (int i = 0; i < 3; i++) {
                            for (int j = 0; j < 3; j++) {
                                sum += weight[((f * c0 + c) * 3 + i) * 3 + j] * in[(c * h + y + i) * w + x + j];
                            }
                        }
                    }
                    out[(f * oh + y) * ow + x] = sum;
                }
            }
        }
        return out;
    }

    /** max(x, 0) element-wise. */
    public static double[] relu(double[] in, Kinks kinks) {
        double[] out = new double[in.length];
        for (int k = 0; k < in.length; k++) {
            kinks.relu(in[k]);
            out[k] = Math.max(in[k], 0);
        }
        return out;
    }

    /** out[c][y][x] = max over the window in[c][2y..2y+1][2x..2x+1]; an odd last row or column is dropped. */
    public static double[] maxPool2(double[] in, Shape shape, Kinks kinks) {
        int channels = shape.channels(), h = shape.height(), w = shape.width();
        int oh = h / 2, ow = w / 2;
        double[] out = new double[channels * oh * ow];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    double max = Double.NEGATIVE_INFINITY, second = Double.NEGATIVE_INFINITY;
                    int winner = -1;
                    for (int i = 0; i < 2; i++) {
                        for (int j = 0; j < 2; j++) {
                            double v = in[(c * h + 2 * y + i) * w + 2 * x + j];
                            if (v > max) {
                                second = max;
                                max = v;
                                winner = 2 * i + j;
                            } else if (v > second) {
                                second = v;
                            }
                        }
                    }
                    kinks.pool(winner, max, second);
                    out[(c * oh + y) * ow + x] = max;
                }
            }
        }
        return out;
    }

    /** y[o] = bias[o] + sum_i weight[o][i] * x[i]. */
    public static double[] dense(double[] x, double[] weight, double[] bias, int outputs) {
        double[] y = new double[outputs];
        for (int o = 0; o < outputs; o++) {
            double sum = bias[o];
            for (int i = 0; i < x.length; i++) {
                sum += weight[o * x.length + i] * x[i];
            }
            y[o] = sum;
        }
        return y;
    }

    /** -ln softmax(logits)[label], computed as logsumexp(logits) - logits[label]. */
    public static double crossEntropy(double[] logits, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logits) {
            max = Math.max(max, v);
        }
        double total = 0;
        for (double v : logits) {
            total += Math.exp(v - max);
        }
        return max + Math.log(total) - logits[label];
    }

    /** softmax(logits), for comparing with the network's forward pass. */
    public static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double total = 0;
        for (int k = 0; k < p.length; k++) {
            p[k] = Math.exp(logits[k] - max);
            total += p[k];
        }
        for (int k = 0; k < p.length; k++) {
            p[k] /= total;
        }
        return p;
    }

    public static double[] toDouble(float[] values) {
        double[] result = new double[values.length];
        for (int k = 0; k < values.length; k++) {
            result[k] = values[k];
        }
        return result;
    }

    /**
     * A whole network in double: the spec's layers in order (never fused: a conv followed by a pool
     * is two steps here), then softmax cross-entropy. The parameters are looked up by PyTorch's
     * state_dict names, {@code <spec position>.weight} and {@code .bias}, so a parameter the engine
     * filed under the wrong layer fails here; the arrays are live, for perturbing.
     */
    public static final class Stack {
        private final NetworkSpec spec;
        private final Shape input;
        private final Map<String, double[]> parameters;

        public Stack(NetworkSpec spec, Shape input, Map<String, double[]> parameters) {
            this.spec = spec;
            this.input = input;
            this.parameters = parameters;
        }

        /** The network's current parameter values, copied to double. */
        public static Stack of(Network network) {
            Map<String, double[]> parameters = new HashMap<>();
            for (Parameter p : network.parameters()) {
                parameters.put(p.name(), toDouble(p.values()));
            }
            return new Stack(network.spec(), network.inputShape(), parameters);
        }

        /** The live double array of the parameter {@code name}. */
        public double[] parameter(String name) {
            double[] values = parameters.get(name);
            if (values == null) {
                throw new AssertionError("no parameter " + name + " in " + parameters.keySet());
            }
            return values;
        }

        /** The logits of the last dense layer. */
        public double[] logits(double[] image, Kinks kinks) {
            double[] values = image;
            Shape shape = input;
            for (int k = 0; k < spec.layers().size(); k++) {
                switch (spec.layers().get(k)) {
                    case LayerSpec.Conv3x3 conv -> {
                        double[] weight = expectSize(k + ".weight", conv.filters() * shape.channels() * 9);
                        double[] bias = conv.bias() ? expectSize(k + ".bias", conv.filters()) : null;
                        if (!conv.bias() && parameters.containsKey(k + ".bias")) {
                            throw new AssertionError(k + ": a conv without bias has a bias parameter");
                        }
                        values = conv3x3(values, shape, weight, bias, conv.filters());
                        shape = new Shape(conv.filters(), shape.height() - 2, shape.width() - 2);
                    }
                    case LayerSpec.Relu relu -> values = DoubleReference.relu(values, kinks);
                    case LayerSpec.MaxPool2 pool -> {
                        values = maxPool2(values, shape, kinks);
                        shape = new Shape(shape.channels(), shape.height() / 2, shape.width() / 2);
                    }
                    case LayerSpec.Dense d -> {
                        double[] weight = expectSize(k + ".weight", d.outputs() * values.length);
                        double[] bias = expectSize(k + ".bias", d.outputs());
                        values = dense(values, weight, bias, d.outputs());
                        shape = Shape.flat(d.outputs());
                    }
                }
            }
            return values;
        }

        public double loss(double[] image, int label, Kinks kinks) {
            return crossEntropy(logits(image, kinks), label);
        }

        private double[] expectSize(String name, int size) {
            double[] values = parameter(name);
            if (values.length != size) {
                throw new AssertionError(name + " holds " + values.length + " values, the layer needs " + size);
            }
            return values;
        }
    }
}
