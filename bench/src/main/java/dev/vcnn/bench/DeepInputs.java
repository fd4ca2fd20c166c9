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
 * Seeded inputs and output buffers for the deep preset's conv and dense layers ({@link DeepShapes}), for
 * one image and for a group of {@link DeepShapes#BATCH}.
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
    ConvBatch conv1Batch;
    ConvBatch conv2Batch;
    DenseBatch dense1Batch;
    DenseBatch dense2Batch;

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

    /**
     * One convolution over a group of {@link DeepShapes#BATCH} images, each with its own input, output
     * and gradients (as a group's [32][...] buffers hold them), the filters shared.
     */
    static final class ConvBatch {
        final DeepShapes.Conv shape;
        final float[] filters;     // [F][C][3][3]
        final float[][] images;    // [32][C][H][W]
        final float[][] conv;      // [32][F][H-2][W-2]
        final float[][] dConv;     // [32][F][H-2][W-2]
        final float[][] dFilters;  // [32][F][C][3][3]
        final float[][] dImages;   // [32][C][H][W]

        ConvBatch(DeepShapes.Conv shape, SplittableRandom random) {
            this.shape = shape;
            filters = gaussian(random, shape.filterSize());
            images = new float[DeepShapes.BATCH][];
            conv = new float[DeepShapes.BATCH][];
            dConv = new float[DeepShapes.BATCH][];
            dFilters = new float[DeepShapes.BATCH][];
            dImages = new float[DeepShapes.BATCH][];
            for (int n = 0; n < DeepShapes.BATCH; n++) {
                images[n] = gaussian(random, shape.inputSize());
                conv[n] = new float[shape.outputSize()];
                dConv[n] = gaussian(random, shape.outputSize());
                dFilters[n] = new float[shape.filterSize()];
                dImages[n] = new float[shape.inputSize()];
            }
        }
    }

    /** One dense layer over a group of {@link DeepShapes#BATCH} samples, rows flat as the batch kernels take them. */
    static final class DenseBatch {
        final DeepShapes.Dense shape;
        final float[] x;         // [32][I]
        final float[] weights;   // [O][I]
        final float[] biases;    // [O]
        final float[] out;       // [32][O]
        final float[] dOut;      // [32][O]
        final float[] dx;        // [32][I]
        final float[] dWeights;  // [O][I], added to by every backward call
        final float[] dBiases;   // [O], likewise

        DenseBatch(DeepShapes.Dense shape, SplittableRandom random) {
            this.shape = shape;
            x = gaussian(random, DeepShapes.BATCH * shape.inputs());
            weights = gaussian(random, shape.inputs() * shape.outputs());
            biases = gaussian(random, shape.outputs());
            out = new float[DeepShapes.BATCH * shape.outputs()];
            dOut = gaussian(random, DeepShapes.BATCH * shape.outputs());
            dx = new float[DeepShapes.BATCH * shape.inputs()];
            dWeights = new float[shape.inputs() * shape.outputs()];
            dBiases = new float[shape.outputs()];
        }
    }

    @Setup
    public void setup() {
        SplittableRandom random = new SplittableRandom(43);
        conv1 = new ConvData(DeepShapes.CONV1, random);
        conv2 = new ConvData(DeepShapes.CONV2, random);
        dense1 = new DenseData(DeepShapes.DENSE1, random);
        dense2 = new DenseData(DeepShapes.DENSE2, random);
        conv1Batch = new ConvBatch(DeepShapes.CONV1, random);
        conv2Batch = new ConvBatch(DeepShapes.CONV2, random);
        dense1Batch = new DenseBatch(DeepShapes.DENSE1, random);
        dense2Batch = new DenseBatch(DeepShapes.DENSE2, random);
        Agreement.check(this);
    }
}
