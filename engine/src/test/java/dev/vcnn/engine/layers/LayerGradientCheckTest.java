package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.training.DoubleReference;
import dev.vcnn.engine.training.DoubleReference.Kinks;
import dev.vcnn.engine.training.FiniteDifference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

import static dev.vcnn.engine.training.DoubleReference.toDouble;
import static dev.vcnn.engine.training.FiniteDifference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every layer alone against finite differences of its double-precision reference
 * ({@link DoubleReference}). The scalar loss is L = sum_k r[k] * out[k] for a fixed random r, so
 * dL/dout = r is what backward receives; L's derivatives by every input and every parameter entry,
 * taken numerically in double, must match the layer's dIn and its {@link Parameter#gradient()}
 * (tolerance: {@link FiniteDifference}). Each check runs all three backward paths: backward with the
 * input gradient, backward without it (the first layer's, which for the fused conv+pool is a
 * different kernel), and backwardAndUpdate, whose step must be -lr times the same gradient.
 * Shapes are non-square with every dimension distinct, so a swapped index cannot hide.
 */
class LayerGradientCheckTest {
    // a step of 1 makes the update equal to the gradient, so reading it back loses nothing to cancellation
    private static final float LR = 1f;

    private final SplittableRandom random = new SplittableRandom(20240611);

    /** The double forward pass of one layer: input and parameters (by name, live) to output. */
    private interface Reference {
        double[] forward(double[] in, Map<String, double[]> parameters, Kinks kinks);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void conv3x3WithBias(String kernelName) {
        Shape in = new Shape(3, 7, 6);
        Layer layer = new Conv3x3Layer(FiniteDifference.kernels(kernelName), 5, in, 4, true);
        assertEquals(List.of("5.weight", "5.bias"), names(layer));
        check("conv3x3:4 on 3x7x6", layer, gaussian(in.size()),
                (x, p, k) -> DoubleReference.conv3x3(x, in, p.get("5.weight"), p.get("5.bias"), 4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void conv3x3WithoutBias(String kernelName) {
        Shape in = new Shape(3, 7, 6);
        Layer layer = new Conv3x3Layer(FiniteDifference.kernels(kernelName), 0, in, 4, false);
        assertEquals(List.of("0.weight"), names(layer));
        check("conv3x3:4:nobias on 3x7x6", layer, gaussian(in.size()),
                (x, p, k) -> DoubleReference.conv3x3(x, in, p.get("0.weight"), null, 4));
    }

    // conv planes 5x4 (odd height: the last conv row is never pooled) and 7x7 (both odd)
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void fusedConv3x3MaxPool(String kernelName) {
        Kernels kernels = FiniteDifference.kernels(kernelName);
        for (int[] dims : new int[][] {{3, 7, 6, 4}, {2, 9, 9, 3}}) {
            Shape in = new Shape(dims[0], dims[1], dims[2]);
            int filters = dims[3];
            Shape conv = new Shape(filters, in.height() - 2, in.width() - 2);
            Layer layer = new Conv3x3MaxPoolLayer(kernels, 2, in, filters);
            assertEquals(List.of("2.weight"), names(layer));
            assertEquals(new Shape(filters, conv.height() / 2, conv.width() / 2), layer.outputShape());
            check("conv3x3:" + filters + ":nobias,maxpool2 on " + in, layer, gaussian(in.size()),
                    (x, p, k) -> DoubleReference.maxPool2(
                            DoubleReference.conv3x3(x, in, p.get("2.weight"), null, filters), conv, k));
        }
    }

    // odd height and width; distinct inputs at least 0.05 apart, so no window holds a tie
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void maxPool2OddSizes(String kernelName) {
        Shape in = new Shape(3, 7, 5);
        Layer layer = new MaxPool2x2Layer(FiniteDifference.kernels(kernelName), in);
        assertEquals(new Shape(3, 3, 2), layer.outputShape());
        float[] x = new float[Math.toIntExact(in.size())];
        int[] order = permutation(x.length);
        for (int k = 0; k < x.length; k++) {
            x[k] = (order[k] - x.length / 2f) * 0.05f;
        }
        check("maxpool2 on 3x7x5", layer, x, (v, p, k) -> DoubleReference.maxPool2(v, in, k));
    }

    // the fused relu + pool: distinct values of both signs, so windows whose max is negative (all
    // gradient masked) and positive ones both occur; odd sizes as above
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void fusedReluMaxPool2(String kernelName) {
        Shape in = new Shape(3, 7, 5);
        Layer layer = new ReluMaxPool2x2Layer(FiniteDifference.kernels(kernelName), in);
        assertEquals(new Shape(3, 3, 2), layer.outputShape());
        float[] x = new float[Math.toIntExact(in.size())];
        int[] order = permutation(x.length);
        for (int k = 0; k < x.length; k++) {
            x[k] = (order[k] - 63.5f) * 0.05f; // 105 values, none closer to 0 than 0.025
        }
        // relu(pool(x)) is pool(relu(x)), without the all-zero windows whose ties the reference refuses
        check("relu,maxpool2 on 3x7x5", layer, x,
                (v, p, k) -> DoubleReference.relu(DoubleReference.maxPool2(v, in, k), k));
    }

    // inputs of both signs, none closer to 0 than 0.1
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void relu(String kernelName) {
        Shape in = new Shape(2, 3, 5);
        Layer layer = new ReluLayer(FiniteDifference.kernels(kernelName), in);
        float[] x = new float[Math.toIntExact(in.size())];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) ((random.nextBoolean() ? 1 : -1) * random.nextDouble(0.1, 2));
        }
        check("relu on 2x3x5", layer, x, (v, p, k) -> DoubleReference.relu(v, k));
    }

    // a [3][2][5] input read flat, channel-major, into 7 outputs
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void dense(String kernelName) {
        Shape in = new Shape(3, 2, 5);
        Layer layer = new DenseLayer(FiniteDifference.kernels(kernelName), 4, in, 7);
        assertEquals(List.of("4.weight", "4.bias"), names(layer));
        check("dense:7 on 3x2x5", layer, gaussian(in.size()),
                (x, p, k) -> DoubleReference.dense(x, p.get("4.weight"), p.get("4.bias"), 7));
    }

    private void check(String what, Layer layer, float[] input, Reference reference) {
        for (Parameter p : layer.parameters()) {
            float[] values = p.values();
            for (int k = 0; k < values.length; k++) {
                values[k] = (float) random.nextGaussian();
            }
        }
        float[] r = gaussian(layer.outputShape().size());
        double[] x = toDouble(input);
        Map<String, double[]> parameters = new HashMap<>();
        for (Parameter p : layer.parameters()) {
            parameters.put(p.name(), toDouble(p.values()));
        }
        ToDoubleFunction<Kinks> loss = kinks -> {
            double[] out = reference.forward(x, parameters, kinks);
            assertEquals(r.length, out.length, what + ": output size");
            double sum = 0;
            for (int k = 0; k < out.length; k++) {
                sum += r[k] * out[k];
            }
            return sum;
        };
        FiniteDifference.assertAwayFromKinks(what, loss);

        // the numeric gradients, once: by each input, and by each entry of each parameter
        double[] numericIn = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            numericIn[k] = FiniteDifference.derivative(x, k, loss);
        }
        Map<String, double[]> numeric = new HashMap<>();
        for (Parameter p : layer.parameters()) {
            double[] values = parameters.get(p.name());
            double[] d = new double[values.length];
            for (int k = 0; k < values.length; k++) {
                d[k] = FiniteDifference.derivative(values, k, loss);
            }
            numeric.put(p.name(), d);
        }

        // forward agrees with the reference
        float[] out = layer.forward(input, true);
        double[] expected = reference.forward(x, parameters, new Kinks());
        for (int k = 0; k < expected.length; k++) {
            assertClose(what + " forward", k, out[k], expected[k]);
        }

        // backward with the input gradient; parameter gradients added to zeroed arrays
        zero(layer);
        float[] dIn = layer.backward(r, true).clone();
        assertGradients(what + " backward", layer, 1, numeric);
        for (int k = 0; k < dIn.length; k++) {
            assertClose(what + " dIn", k, dIn[k], numericIn[k]);
        }

        // without the input gradient, as a first layer: the same parameter gradients, added to the
        // ones already there (a batch sums them), so now twice the sample's
        layer.forward(input, true);
        assertNull(layer.backward(r, false), what + ": no input gradient was asked for");
        assertGradients(what + " backward twice", layer, 2, numeric);

        // the fused update: p -= lr * gradient, the input gradient from the parameters before the step,
        // and the gradient arrays left alone
        zero(layer);
        Map<String, float[]> before = new HashMap<>();
        for (Parameter p : layer.parameters()) {
            before.put(p.name(), p.values().clone());
        }
        layer.forward(input, true);
        float[] dInFused = layer.backwardAndUpdate(r, true, LR);
        for (int k = 0; k < dInFused.length; k++) {
            assertClose(what + " dIn (backwardAndUpdate)", k, dInFused[k], numericIn[k]);
        }
        for (Parameter p : layer.parameters()) {
            float[] old = before.get(p.name());
            double[] d = numeric.get(p.name());
            for (int k = 0; k < old.length; k++) {
                assertClose(what + " step of " + p.name(), k, (old[k] - p.values()[k]) / LR, d[k]);
            }
            assertTrue(allZero(p.gradient()), what + ": backwardAndUpdate changed " + p.name() + "'s gradient");
        }

        // the same step without the input gradient, from the same parameters
        for (Parameter p : layer.parameters()) {
            System.arraycopy(before.get(p.name()), 0, p.values(), 0, p.size());
        }
        layer.forward(input, true);
        assertNull(layer.backwardAndUpdate(r, false, LR), what + ": no input gradient was asked for");
        for (Parameter p : layer.parameters()) {
            float[] old = before.get(p.name());
            double[] d = numeric.get(p.name());
            for (int k = 0; k < old.length; k++) {
                assertClose(what + " step of " + p.name() + " (no dIn)", k, (old[k] - p.values()[k]) / LR, d[k]);
            }
        }
    }

    private static void assertGradients(String what, Layer layer, int times, Map<String, double[]> numeric) {
        for (Parameter p : layer.parameters()) {
            double[] d = numeric.get(p.name());
            float[] g = p.gradient();
            for (int k = 0; k < d.length; k++) {
                assertClose(what + " d" + p.name(), k, g[k], times * d[k]);
            }
        }
    }

    private static void zero(Layer layer) {
        for (Parameter p : layer.parameters()) {
            Arrays.fill(p.gradient(), 0f);
        }
    }

    private static boolean allZero(float[] values) {
        for (float v : values) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    private static List<String> names(Layer layer) {
        return layer.parameters().stream().map(Parameter::name).toList();
    }

    private float[] gaussian(long n) {
        float[] values = new float[Math.toIntExact(n)];
        for (int k = 0; k < values.length; k++) {
            values[k] = (float) random.nextGaussian();
        }
        return values;
    }

    private int[] permutation(int n) {
        int[] order = new int[n];
        for (int k = 0; k < n; k++) {
            order[k] = k;
        }
        for (int k = n - 1; k > 0; k--) {
            int j = random.nextInt(k + 1);
            int t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        return order;
    }
}
