package dev.vcnn.engine.training;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Parameter;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.training.DoubleReference.Stack;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.vcnn.engine.training.DoubleReference.toDouble;
import static dev.vcnn.engine.training.FiniteDifference.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference checks of whole networks with their real loss, softmax cross-entropy: the
 * network's gradients ({@link Network#addGradient}) against central differences of a double-precision
 * forward pass of the same spec ({@link DoubleReference.Stack}), built from the network's own
 * parameter values as {@link Network#parameters()} gives them. Every bias entry is checked, and a
 * sample of entries of every weight array (all of a small one). Tolerance: {@link FiniteDifference}.
 * Then the optimizer: a batch's summed gradient, momentum SGD over two batches against PyTorch's
 * formula in double, and the fused per-sample step against the plain gradient-then-update one.
 */
class GradientCheckTest {
    /** Weight entries checked per array when it has more; biases and small arrays are checked whole. */
    private static final int SAMPLED = 40;
    /** Entries of each array checked per batch, biases included (every bias is checked by the single-sample test). */
    private static final int SAMPLED_IN_BATCH = 8;

    /**
     * A network to check: spec, input shape, classes, seed. {@code gain} scales every parameter after
     * the network's own initialisation, so activations are of order 1 and the softmax is not nearly
     * uniform: every gradient is then sizeable against {@link FiniteDifference#ABSOLUTE}.
     */
    record Case(String name, String spec, Shape input, int classes, long seed, float gain) {
        @Override
        public String toString() {
            return name;
        }
    }

    // deep on 1x14x14: conv 16x12x12, pool 16x6x6, conv 32x4x4, pool 32x2x2 = 128, dense 128, dense 10
    static final Case DEEP = new Case("deep", "deep", new Shape(1, 14, 14), 10, 7, 2.5f);
    // seed on 1x12x10: fused conv+pool 8x5x4 = 160, dense 10
    static final Case SEED = new Case("seed", "seed", new Shape(1, 12, 10), 10, 3, 6f);
    // 2x9x8: conv 3x7x6 (bias), relu, fused conv+pool 4x5x4 -> 4x2x2 (a fused layer that is not first,
    // so it computes its input gradient), dense 5, relu, dense 4
    static final Case MIXED = new Case("mixed", "conv3x3:3,relu,conv3x3:4:nobias,maxpool2,dense:5,relu,dense:4",
            new Shape(2, 9, 8), 4, 11, 2f);

    static Stream<Arguments> stacks() {
        List<Arguments> arguments = new ArrayList<>();
        for (String kernels : List.of("scalar", "vector")) {
            for (Case c : List.of(DEEP, SEED, MIXED)) {
                arguments.add(Arguments.of(c, kernels));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("stacks")
    void stackGradientMatchesFiniteDifferences(Case c, String kernelName) {
        Network network = network(c, FiniteDifference.kernels(kernelName));
        SplittableRandom random = new SplittableRandom(c.seed() + 1);
        Stack stack = Stack.of(network);
        Sample sample = sample(c, stack, random);
        float[] image = sample.image();
        double[] x = sample.x();
        int label = sample.label();

        network.zeroGradients();
        double loss = network.addGradient(image, label);
        assertEquals(stack.loss(x, label, new DoubleReference.Kinks()), loss, 1e-5 * Math.max(1, loss), "loss");
        assertNoParameterChanged(network, stack);

        int sizeable = 0, checked = 0;
        for (Parameter p : network.parameters()) {
            double[] values = stack.parameter(p.name());
            int sizeableHere = 0;
            for (int k : entries(p, random)) {
                double numeric = FiniteDifference.derivative(values, k, kinks -> stack.loss(x, label, kinks));
                assertClose(c.name() + " d" + p.name(), k, p.gradient()[k], numeric);
                checked++;
                if (Math.abs(numeric) > 100 * FiniteDifference.ABSOLUTE) {
                    sizeableHere++;
                }
            }
            // a check against near-zero gradients would pass anything: every array must be alive
            assertTrue(sizeableHere > 0, c.name() + ": no gradient of " + p.name() + " is sizeable");
            sizeable += sizeableHere;
        }
        assertTrue(sizeable * 3 > checked, c.name() + ": only " + sizeable + " of " + checked + " gradients are sizeable");

        // and the forward pass the network predicts with is the reference's
        float[] probs = network.forward(image);
        double[] expected = DoubleReference.softmax(stack.logits(x, new DoubleReference.Kinks()));
        for (int k = 0; k < expected.length; k++) {
            assertClose(c.name() + " probs", k, probs[k], expected[k]);
        }
    }

    static Stream<Arguments> batches() {
        List<Arguments> arguments = new ArrayList<>();
        for (String kernels : List.of("scalar", "vector")) {
            for (int batch : new int[] {1, 3}) {
                for (float momentum : new float[] {0f, 0.9f}) {
                    arguments.add(Arguments.of(DEEP, kernels, batch, momentum));
                }
            }
        }
        arguments.add(Arguments.of(MIXED, "scalar", 3, 0.9f));
        return arguments.stream();
    }

    /**
     * Two consecutive batches: each batch's gradient, summed by addGradient, is the sum of the samples'
     * numerical gradients; each {@link Sgd#update} then moves every parameter as PyTorch's SGD does,
     * g = sum / B, v = M v + g, w -= lr v, computed here in double from the network's checked gradients.
     */
    @ParameterizedTest(name = "{0} on {1}, batch {2}, momentum {3}")
    @MethodSource("batches")
    void batchGradientsAndMomentumSgdFollowPyTorch(Case c, String kernelName, int batch, float momentum) {
        Network network = network(c, FiniteDifference.kernels(kernelName));
        SplittableRandom random = new SplittableRandom(c.seed() + 2);
        Sgd sgd = new Sgd(0.1f, batch, momentum);
        List<Parameter> parameters = network.parameters();
        // the prediction, in double: w, v, and a bound on the magnitudes float rounding is relative to
        List<double[]> w = new ArrayList<>(), v = new ArrayList<>(), scale = new ArrayList<>(),
                vScale = new ArrayList<>();
        for (Parameter p : parameters) {
            w.add(toDouble(p.values()));
            v.add(new double[p.size()]);
            vScale.add(new double[p.size()]);
            double[] s = new double[p.size()];
            for (int k = 0; k < s.length; k++) {
                s[k] = Math.abs(p.values()[k]);
            }
            scale.add(s);
        }
        for (int step = 0; step < 2; step++) {
            Stack stack = Stack.of(network);
            Sample[] samples = new Sample[batch];
            for (int s = 0; s < batch; s++) {
                samples[s] = sample(c, stack, random);
            }

            network.zeroGradients();
            for (Sample s : samples) {
                network.addGradient(s.image(), s.label());
            }
            assertNoParameterChanged(network, stack);
            for (Parameter p : parameters) {
                double[] values = stack.parameter(p.name());
                for (int k : random.ints(SAMPLED_IN_BATCH, 0, p.size()).toArray()) {
                    double numeric = 0;
                    for (Sample s : samples) {
                        numeric += FiniteDifference.derivative(values, k, kinks -> stack.loss(s.x(), s.label(), kinks));
                    }
                    assertClose(c.name() + " batch " + step + " d" + p.name(), k, p.gradient()[k], numeric);
                }
            }

            // PyTorch's step, from the gradients just checked
            double m = momentum;
            for (int i = 0; i < parameters.size(); i++) {
                float[] g = parameters.get(i).gradient();
                double[] wi = w.get(i), vi = v.get(i), si = scale.get(i), vsi = vScale.get(i);
                for (int k = 0; k < wi.length; k++) {
                    double gk = (double) g[k] / batch;
                    vi[k] = m * vi[k] + gk;
                    wi[k] -= sgd.learningRate() * vi[k];
                    vsi[k] = m * vsi[k] + Math.abs(gk);
                    si[k] += sgd.learningRate() * vsi[k];
                }
            }
            sgd.update(network, batch);
            for (int i = 0; i < parameters.size(); i++) {
                Parameter p = parameters.get(i);
                double[] wi = w.get(i), vi = v.get(i), si = scale.get(i), vsi = vScale.get(i);
                for (int k = 0; k < wi.length; k++) {
                    // a few float roundings per step, each relative to the magnitudes involved
                    double tolerance = 1e-6 * si[k] + 1e-12;
                    int at = k;
                    int now = step;
                    assertTrue(Math.abs(p.values()[k] - wi[k]) <= tolerance,
                            () -> c.name() + " step " + now + " " + p.name() + "[" + at + "]: " + p.values()[at]
                                    + ", PyTorch's formula gives " + wi[at]);
                    assertTrue(Math.abs(p.velocity()[k] - vi[k]) <= 1e-6 * vsi[k] + 1e-12,
                            () -> c.name() + " step " + now + " velocity of " + p.name() + "[" + at + "]: "
                                    + p.velocity()[at] + ", PyTorch's formula gives " + vi[at]);
                    assertEquals(0f, p.gradient()[k], "the update zeroes the gradients");
                }
            }
        }
    }

    /**
     * Batch 1 without momentum: {@link Network#trainStep}, whose layers apply their updates inside
     * their backward passes through fused kernels, takes the same step as addGradient then
     * {@link Sgd#update}. Each step starts both networks from the same parameters, so the comparison
     * is of one step at a time, to float rounding of the step and the parameter.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("stacks")
    void fusedTrainStepEqualsGradientThenUpdate(Case c, String kernelName) {
        Kernels kernels = FiniteDifference.kernels(kernelName);
        Network fused = network(c, kernels);
        Network plain = network(c, kernels);
        Sgd sgd = Sgd.perSample(0.1f);
        SplittableRandom random = new SplittableRandom(c.seed() + 3);
        boolean[] moved = new boolean[plain.parameters().size()];
        for (int step = 0; step < 3; step++) {
            List<float[]> before = new ArrayList<>();
            for (int i = 0; i < plain.parameters().size(); i++) {
                float[] values = plain.parameters().get(i).values();
                System.arraycopy(values, 0, fused.parameters().get(i).values(), 0, values.length);
                before.add(values.clone());
            }
            Sample sample = sample(c, Stack.of(plain), random);
            float[] image = sample.image();
            int label = sample.label();

            double fusedLoss = fused.trainStep(image, label, sgd.learningRate());
            plain.zeroGradients();
            double plainLoss = plain.addGradient(image, label);
            sgd.update(plain, 1);
            assertEquals(plainLoss, fusedLoss, "the same forward pass");

            for (int i = 0; i < plain.parameters().size(); i++) {
                Parameter p = plain.parameters().get(i);
                float[] f = fused.parameters().get(i).values();
                float[] w0 = before.get(i);
                for (int k = 0; k < w0.length; k++) {
                    double stepSize = Math.abs(p.values()[k] - w0[k]);
                    double tolerance = 1e-6 * (Math.abs(w0[k]) + stepSize) + 1e-12;
                    int at = k;
                    int now = step;
                    assertTrue(Math.abs(f[k] - p.values()[k]) <= tolerance,
                            () -> c.name() + " step " + now + " " + p.name() + "[" + at + "]: trainStep gives " + f[at]
                                    + ", addGradient + update " + p.values()[at] + " from " + w0[at]);
                    moved[i] |= stepSize > 1e-4 * Math.abs(w0[k]);
                }
            }
        }
        // a comparison of steps that move nothing would pass anything
        for (int i = 0; i < moved.length; i++) {
            assertTrue(moved[i], c.name() + ": no step moved " + plain.parameters().get(i).name());
        }
    }

    private static Network network(Case c, Kernels kernels) {
        Network network = Network.build(kernels, NetworkSpec.parse(c.spec()), c.input(), c.classes(),
                new SplittableRandom(c.seed()));
        for (Parameter p : network.parameters()) {
            float[] values = p.values();
            for (int k = 0; k < values.length; k++) {
                values[k] *= c.gain();
            }
        }
        if (c.spec().equals("seed")) {
            // the seed's biases start at 0: give them values, so a bias gradient applied to the wrong
            // class or filter cannot hide behind zeros in the forward pass
            SplittableRandom random = new SplittableRandom(c.seed() + 10);
            float[] bias = network.parameter("2.bias").values();
            for (int k = 0; k < bias.length; k++) {
                bias[k] = (float) random.nextGaussian();
            }
        }
        return network;
    }

    record Sample(float[] image, double[] x, int label) {
    }

    /**
     * A random image and label whose double forward pass through {@code stack} keeps
     * {@link FiniteDifference#KINK_MARGIN} from every relu and pool kink: the inputs are chosen away
     * from the kinks, as a gradient check must, by drawing again (deterministically) when one is close.
     */
    private static Sample sample(Case c, Stack stack, SplittableRandom random) {
        for (int attempt = 0; attempt < 20; attempt++) {
            float[] image = image(c, random);
            int label = random.nextInt(c.classes());
            double[] x = toDouble(image);
            DoubleReference.Kinks kinks = new DoubleReference.Kinks();
            stack.loss(x, label, kinks);
            if (kinks.margin() > FiniteDifference.KINK_MARGIN) {
                return new Sample(image, x, label);
            }
        }
        throw new AssertionError(c.name() + ": 20 random images all come close to a kink");
    }

    private static float[] image(Case c, SplittableRandom random) {
        float[] image = new float[Math.toIntExact(c.input().size())];
        for (int k = 0; k < image.length; k++) {
            image[k] = (float) random.nextDouble();
        }
        return image;
    }

    /** The entries of {@code p} to check: all of a bias or small array, else the first, the last and a sample. */
    private static int[] entries(Parameter p, SplittableRandom random) {
        if (p.shape().length == 1 || p.size() <= SAMPLED + 2) {
            return java.util.stream.IntStream.range(0, p.size()).toArray();
        }
        int[] picked = random.ints(SAMPLED, 1, p.size() - 1).toArray();
        int[] entries = new int[SAMPLED + 2];
        entries[0] = 0;
        entries[1] = p.size() - 1;
        System.arraycopy(picked, 0, entries, 2, SAMPLED);
        return entries;
    }

    // addGradient changes no parameter: the values are still those the reference was built from
    private static void assertNoParameterChanged(Network network, Stack stack) {
        for (Parameter p : network.parameters()) {
            double[] reference = stack.parameter(p.name());
            for (int k = 0; k < reference.length; k++) {
                assertEquals(reference[k], p.values()[k], p.name() + "[" + k + "] changed");
            }
        }
    }
}
