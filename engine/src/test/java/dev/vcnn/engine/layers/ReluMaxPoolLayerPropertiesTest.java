package dev.vcnn.engine.layers;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.training.FiniteDifference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused relu + pool against the two layers it replaces, {@link ReluLayer} then
 * {@link MaxPool2x2Layer}, bit for bit (compared as raw float bits, so a -0 for a 0 fails): forward
 * outputs, and input gradients from random output gradients. Planes 2..30 with odd sizes; values
 * either from {-1, -0, 0, 0.5, 1} (windows tie and are all-non-positive often) or Gaussian, on the
 * scalar and the vector kernels.
 */
class ReluMaxPoolLayerPropertiesTest {

    @Property(tries = 300)
    void fusedIsThePairBitForBit(@ForAll @IntRange(min = 1, max = 40) int channels,
                                 @ForAll @IntRange(min = 2, max = 30) int height,
                                 @ForAll @IntRange(min = 2, max = 30) int width,
                                 @ForAll boolean ties, @ForAll boolean vector, @ForAll long seed) {
        Kernels kernels = FiniteDifference.kernels(vector ? "vector" : "scalar");
        Shape shape = new Shape(channels, height, width);
        Random random = new Random(seed);
        float[] in = values(random, Math.toIntExact(shape.size()), ties);
        Layer fused = new ReluMaxPool2x2Layer(kernels, shape);
        Layer relu = new ReluLayer(kernels, shape);
        Layer pool = new MaxPool2x2Layer(kernels, shape);
        assertEquals(pool.outputShape(), fused.outputShape());
        String context = shape + (ties ? " ties" : " gaussian") + " on " + kernels.name();

        float[] expected = pool.forward(relu.forward(in, true), true);
        float[] actual = fused.forward(in, true);
        assertArrayEquals(bits(expected), bits(actual), "forward, " + context);

        float[] dOut = values(random, expected.length, false);
        float[] expectedDIn = relu.backward(pool.backward(dOut, true), true);
        float[] actualDIn = fused.backward(dOut, true);
        assertArrayEquals(bits(expectedDIn), bits(actualDIn), "backward, " + context);
        assertEquals(null, fused.backward(dOut, false), "the first layer's backward computes nothing");
        assertTrue(fused.parameters().isEmpty());
    }

    private static float[] values(Random random, int n, boolean ties) {
        float[] palette = {-1f, -0f, 0f, 0.5f, 1f};
        float[] values = new float[n];
        for (int k = 0; k < n; k++) {
            values[k] = ties ? palette[random.nextInt(palette.length)] : (float) random.nextGaussian();
        }
        return values;
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int k = 0; k < values.length; k++) {
            bits[k] = Float.floatToRawIntBits(values[k]);
        }
        return bits;
    }
}
