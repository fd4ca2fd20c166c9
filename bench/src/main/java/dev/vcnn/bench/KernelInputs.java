package dev.vcnn.bench;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.kernels.Kernels;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;

/**
 * Seeded inputs and output buffers for every kernel at one shape, shared by the per-kernel
 * benchmarks. Before anything is timed, {@link #setup()} runs each kernel on both implementations
 * and refuses to go on if they disagree: a fast wrong kernel is not worth measuring.
 */
@State(Scope.Thread)
public class KernelInputs {
    @Param({"seed", "large"})
    public String shape;

    Shapes s;
    final Kernels scalar = KernelSelection.scalar();
    final Kernels vector = KernelSelection.vector();

    float[] image;     // [C][H][W]
    float[] filters;   // [F][C][3][3]
    float[] conv;      // [F][H-2][W-2]
    float[] dConv;     // [F][H-2][W-2]
    float[] dFilters;  // [F][C][3][3]
    float[] dImage;    // [C][H][W]
    float[] pooled;    // [F][(H-2)/2][(W-2)/2]
    int[] argmax;      // same
    float[] dPooled;   // same
    float[] weights;   // [classes][pooled]
    float[] biases;    // [classes]
    float[] logits;    // [classes]
    float[] dLogits;   // [classes]
    float[] dx;        // [pooled]

    @Setup
    public void setup() {
        s = Shapes.valueOf(shape);
        SplittableRandom random = new SplittableRandom(42);
        image = gaussian(random, s.imageSize());
        filters = gaussian(random, s.filters * s.channels * 9);
        conv = new float[s.convSize()];
        dConv = gaussian(random, s.convSize());
        dFilters = new float[filters.length];
        dImage = new float[s.imageSize()];
        pooled = new float[s.pooledSize()];
        argmax = new int[s.pooledSize()];
        dPooled = gaussian(random, s.pooledSize());
        weights = gaussian(random, s.classes * s.pooledSize());
        biases = gaussian(random, s.classes);
        logits = new float[s.classes];
        dLogits = gaussian(random, s.classes);
        dx = new float[s.pooledSize()];
        Agreement.check(this);
        // the checks ran kernels that write; start every trial from the same conv output and argmax
        scalar.conv3x3Forward(image, s.channels, s.height, s.width, filters, s.filters, conv);
        scalar.maxPool2x2Forward(conv, s.filters, s.convHeight(), s.convWidth(), pooled, argmax);
    }

    static float[] gaussian(SplittableRandom random, int n) {
        float[] values = new float[n];
        for (int k = 0; k < n; k++) {
            values[k] = (float) random.nextGaussian();
        }
        return values;
    }
}
