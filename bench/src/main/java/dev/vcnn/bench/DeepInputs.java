package dev.vcnn.bench;

import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.kernels.Kernels;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;

import static dev.vcnn.bench.KernelInputs.gaussian;

/**
 * Seeded inputs and output buffers for the deep preset's conv and dense layers ({@link DeepShapes}).
 * As {@link KernelInputs}, {@link #setup()} runs every kernel on both implementations and refuses to
 * go on if they disagree.
 */
@State(Scope.Thread)
public class DeepInputs {
    // one value: the report's shape column; a parameter so the report reads it as it reads the others
    @Param({DeepShapes.NAME})
    public String shape;

    final Kernels scalar = KernelSelection.scalar();
    final Kernels vector = KernelSelection.vector();

    ConvData conv1;
    ConvData conv2;
    DenseData dense1;
    DenseData dense2;

    /** One convolution's input, filters, output and gradients. */
    static final class ConvData {
        final DeepShapes.Conv shape;
        final float[] image;     // [C][H][W]
        final float[] filters;   // [F][C][3][3]
        final float[] conv;      // [F][H-2][W-2]
        final float[] dConv;     // [F][H-2][W-2]
        final float[] dFilters;  // [F][C][3][3]
        final float[] dImage;    // [C][H][W]

        ConvData(DeepShapes.Conv shape, SplittableRandom random) {
            this.shape = shape;
            image = gaussian(random, shape.inputSize());
            filters = gaussian(random, shape.filterSize());
            conv = new float[shape.outputSize()];
            dConv = gaussian(random, shape.outputSize());
            dFilters = new float[shape.filterSize()];
            dImage = new float[shape.inputSize()];
        }
    }

    /** One dense layer's input, weights, output and gradients. */
    static final class DenseData {
        final DeepShapes.Dense shape;
        final float[] x;        // [I]
        final float[] weights;  // [O][I]
        final float[] biases;   // [O]
        final float[] out;      // [O]
        final float[] dOut;     // [O]
        final float[] dx;       // [I]

        DenseData(DeepShapes.Dense shape, SplittableRandom random) {
            this.shape = shape;
            x = gaussian(random, shape.inputs());
            weights = gaussian(random, shape.inputs() * shape.outputs());
            biases = gaussian(random, shape.outputs());
            out = new float[shape.outputs()];
            dOut = gaussian(random, shape.outputs());
            dx = new float[shape.inputs()];
        }
    }

    @Setup
    public void setup() {
        SplittableRandom random = new SplittableRandom(43);
        conv1 = new ConvData(DeepShapes.CONV1, random);
        conv2 = new ConvData(DeepShapes.CONV2, random);
        dense1 = new DenseData(DeepShapes.DENSE1, random);
        dense2 = new DenseData(DeepShapes.DENSE2, random);
        Agreement.check(this);
    }
}
