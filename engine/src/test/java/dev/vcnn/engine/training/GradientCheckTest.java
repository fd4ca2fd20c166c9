package dev.vcnn.engine.training;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.kernels.ScalarKernels;
import dev.vcnn.engine.network.Network;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference checks of every gradient the layers compute. The loss is recomputed in double
 * precision by {@link DoubleReference} and differentiated numerically with central differences;
 * the float layers' analytic gradients must agree to within {@link #RELATIVE} of the larger
 * magnitude, plus {@link #ABSOLUTE} for values near zero. Float sums of a few hundred terms carry
 * relative errors near 1e-6, far inside that band; a wrong index or sign lands far outside it.
 */
class GradientCheckTest {
    static final double RELATIVE = 1e-3;
    static final double ABSOLUTE = 1e-5;
    private static final double H = 1e-5;

    // a small network with every dimension distinct, so a swapped index cannot hide:
    // image [2][7][6] -> conv [3][5][4] -> pool [3][2][2] = 12 -> dense 4 classes
    private static final int C = 2, HEIGHT = 7, WIDTH = 6, F = 3, CLASSES = 4, LABEL = 2;
    // a step of 1 makes the update equal to the gradient, so reading the dense gradients back from
    // the update loses nothing to cancellation; the reference keeps the parameters from before it
    private static final float LR = 1f;

    private final Kernels kernels = new ScalarKernels();
    private final SplittableRandom random = new SplittableRandom(42);
    private final Network network = new Network(kernels, C, HEIGHT, WIDTH, F, CLASSES, random);
    private final float[] image = randomArray(C * HEIGHT * WIDTH, 1.0);

    GradientCheckTest() {
        // larger than the seed's init, so the softmax is not nearly uniform and every gradient is sizeable
        scaleInPlace(network.conv().filters(), 3f);
        scaleInPlace(network.dense().weights(), 20f);
        float[] biases = network.dense().biases();
        for (int k = 0; k < biases.length; k++) {
            biases[k] = (float) random.nextGaussian() * 0.1f;
        }
    }

    /** A snapshot of the parameters, in double, before the step under test changes them. */
    private DoubleReference reference() {
        return new DoubleReference(C, HEIGHT, WIDTH, F, CLASSES,
                toDouble(network.conv().filters()), toDouble(network.dense().weights()),
                toDouble(network.dense().biases()));
    }

    /** Runs forward and backward through the layers by hand, keeping every gradient. */
    private record Step(float[] dImage, float[] dPooled, float[] dFilters, float[] dWeights, float[] dBiases) {
    }

    private Step step() {
        float[] weightsBefore = network.dense().weights().clone();
        float[] biasesBefore = network.dense().biases().clone();
        network.dense().forward(network.pool().forward(network.conv().forward(image)));
        float[] dPooled = network.dense().backward(LABEL, LR).clone();
        float[] dConv = network.pool().backward(dPooled);
        float[] dImage = network.conv().backward(dConv, LR, true).clone();
        // the dense kernel fuses the update, so its parameter gradients are read back from the step taken
        return new Step(dImage, dPooled, network.conv().filterGradient().clone(),
                gradientFromUpdate(weightsBefore, network.dense().weights()),
                gradientFromUpdate(biasesBefore, network.dense().biases()));
    }

    @Test
    void convFilterGradientMatchesFiniteDifferences() {
        DoubleReference ref = reference();
        double[] img = toDouble(image);
        Step step = step();
        for (int k = 0; k < ref.filters.length; k++) {
            double numeric = centralDifference(ref.filters, k, () -> ref.loss(img, LABEL));
            assertClose("dFilters", k, step.dFilters[k], numeric);
        }
    }

    // Network.trainStep goes from dPooled to the filter gradient in one fused kernel, without the
    // layers' pool backward: its gradient must match the same finite differences
    @Test
    void trainStepFilterGradientMatchesFiniteDifferences() {
        DoubleReference ref = reference();
        double[] img = toDouble(image);
        network.trainStep(image, LABEL, LR);
        float[] dFilters = network.conv().filterGradient();
        for (int k = 0; k < ref.filters.length; k++) {
            double numeric = centralDifference(ref.filters, k, () -> ref.loss(img, LABEL));
            assertClose("dFilters (trainStep)", k, dFilters[k], numeric);
        }
    }

    @Test
    void convInputGradientMatchesFiniteDifferences() {
        DoubleReference ref = reference();
        double[] img = toDouble(image);
        Step step = step();
        for (int k = 0; k < img.length; k++) {
            double numeric = centralDifference(img, k, () -> ref.loss(img, LABEL));
            assertClose("dImage", k, step.dImage[k], numeric);
        }
    }

    @Test
    void denseWeightAndBiasGradientsMatchFiniteDifferences() {
        DoubleReference ref = reference();
        double[] img = toDouble(image);
        Step step = step();
        for (int k = 0; k < ref.weights.length; k++) {
            double numeric = centralDifference(ref.weights, k, () -> ref.loss(img, LABEL));
            assertClose("dWeights", k, step.dWeights[k], numeric);
        }
        for (int k = 0; k < ref.biases.length; k++) {
            double numeric = centralDifference(ref.biases, k, () -> ref.loss(img, LABEL));
            assertClose("dBiases", k, step.dBiases[k], numeric);
        }
    }

    @Test
    void denseInputGradientMatchesFiniteDifferences() {
        DoubleReference ref = reference();
        double[] pooled = ref.pooled(toDouble(image));
        Step step = step();
        for (int k = 0; k < pooled.length; k++) {
            double numeric = centralDifference(pooled, k, () -> ref.denseLoss(pooled, LABEL));
            assertClose("dPooled", k, step.dPooled[k], numeric);
        }
    }

    @Test
    void theChecksCanFail() {
        // guard against a check that passes anything: a gradient off by 1% of itself is rejected
        assertTrue(!close(1.01, 1.0));
        assertTrue(close(1.0 + 1e-6, 1.0));
    }

    private static double centralDifference(double[] values, int k, java.util.function.DoubleSupplier loss) {
        double saved = values[k];
        values[k] = saved + H;
        double up = loss.getAsDouble();
        values[k] = saved - H;
        double down = loss.getAsDouble();
        values[k] = saved;
        return (up - down) / (2 * H);
    }

    private static boolean close(double analytic, double numeric) {
        return Math.abs(analytic - numeric) <= RELATIVE * Math.max(Math.abs(analytic), Math.abs(numeric)) + ABSOLUTE;
    }

    private static void assertClose(String what, int index, double analytic, double numeric) {
        assertTrue(close(analytic, numeric),
                () -> what + "[" + index + "]: analytic " + analytic + " vs numeric " + numeric);
    }

    private static float[] gradientFromUpdate(float[] before, float[] after) {
        float[] gradient = new float[before.length];
        for (int k = 0; k < before.length; k++) {
            gradient[k] = (before[k] - after[k]) / LR;
        }
        return gradient;
    }

    private float[] randomArray(int n, double scale) {
        float[] values = new float[n];
        for (int k = 0; k < n; k++) {
            values[k] = (float) (random.nextGaussian() * scale);
        }
        return values;
    }

    private static void scaleInPlace(float[] values, float factor) {
        for (int k = 0; k < values.length; k++) {
            values[k] *= factor;
        }
    }

    private static double[] toDouble(float[] values) {
        double[] result = new double[values.length];
        for (int k = 0; k < values.length; k++) {
            result[k] = values[k];
        }
        return result;
    }
}
