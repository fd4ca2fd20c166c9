package dev.vcnn.bench;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;

/**
 * A network per engine at one shape, and a small ring of seeded images and labels for it to
 * train and infer on, so successive calls do not see the very same input. Shapes {@code seed} and
 * {@code large} are the seed's stack ({@link Shapes}); {@code deep} is the deep preset on an MNIST
 * image ({@link DeepShapes}). Before timing, both engines' networks must give the same output for
 * the first image.
 */
@State(Scope.Thread)
public class NetworkInputs {
    private static final int RING = 64;

    @Param({"seed", "large", DeepShapes.NAME})
    public String shape;

    Network scalar;
    Network vector;
    float[][] images;  // [RING][C*H*W], pixels scaled to [-0.5, 0.5] like the data
    int[] labels;
    private int next;

    @Setup
    public void setup() {
        NetworkSpec spec;
        Shape input;
        int classes;
        if (shape.equals(DeepShapes.NAME)) {
            spec = NetworkSpec.deep();
            DeepShapes.Conv first = DeepShapes.CONV1;
            input = new Shape(first.channels(), first.height(), first.width());
            classes = DeepShapes.DENSE2.outputs();
        } else {
            Shapes s = Shapes.valueOf(shape);
            // the seed's stack at this shape: for the seed's own shape, the seed network itself
            spec = NetworkSpec.parse("conv3x3:" + s.filters + ":nobias,maxpool2,dense:" + s.classes);
            input = new Shape(s.channels, s.height, s.width);
            classes = s.classes;
        }
        scalar = Network.build(KernelSelection.scalar(), spec, input, classes, new SplittableRandom(1));
        vector = Network.build(KernelSelection.vector(), spec, input, classes, new SplittableRandom(1));
        int imageSize = Math.toIntExact(input.size());
        SplittableRandom random = new SplittableRandom(2);
        images = new float[RING][imageSize];
        labels = new int[RING];
        for (int n = 0; n < RING; n++) {
            for (int k = 0; k < imageSize; k++) {
                images[n][k] = (float) random.nextDouble(-0.5, 0.5);
            }
            labels[n] = random.nextInt(classes);
        }
        agree(scalar.forward(images[0]).clone(), vector.forward(images[0]));
    }

    // a fast wrong network is not worth timing either: the same outputs to 1e-4 of the largest (at least 1)
    private void agree(float[] expected, float[] actual) {
        double scale = 1;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int k = 0; k < expected.length; k++) {
            if (!(Math.abs(expected[k] - actual[k]) <= 1e-4 * scale)) {
                throw new IllegalStateException("the " + shape + " network's output " + k + ": vector " + actual[k]
                        + " but scalar " + expected[k]);
            }
        }
    }

    /** Index of the next example in the ring. */
    int next() {
        next = (next + 1) % RING;
        return next;
    }
}
