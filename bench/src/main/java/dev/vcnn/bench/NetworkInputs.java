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
 * train and infer on, so successive calls do not see the very same input.
 */
@State(Scope.Thread)
public class NetworkInputs {
    private static final int RING = 64;

    @Param({"seed", "large"})
    public String shape;

    Network scalar;
    Network vector;
    float[][] images;  // [RING][C*H*W], pixels scaled to [-0.5, 0.5] like the data
    int[] labels;
    private int next;

    @Setup
    public void setup() {
        Shapes s = Shapes.valueOf(shape);
        // the seed's layers at this shape: conv without bias + max-pool (one fused layer), dense
        NetworkSpec spec = NetworkSpec.parse("conv3x3:" + s.filters + ":nobias,maxpool2,dense:" + s.classes);
        Shape input = new Shape(s.channels, s.height, s.width);
        scalar = Network.build(KernelSelection.scalar(), spec, input, s.classes, new SplittableRandom(1));
        vector = Network.build(KernelSelection.vector(), spec, input, s.classes, new SplittableRandom(1));
        SplittableRandom random = new SplittableRandom(2);
        images = new float[RING][s.imageSize()];
        labels = new int[RING];
        for (int n = 0; n < RING; n++) {
            for (int k = 0; k < s.imageSize(); k++) {
                images[n][k] = (float) random.nextDouble(-0.5, 0.5);
            }
            labels[n] = random.nextInt(s.classes);
        }
    }

    /** Index of the next example in the ring. */
    int next() {
        next = (next + 1) % RING;
        return next;
    }
}
