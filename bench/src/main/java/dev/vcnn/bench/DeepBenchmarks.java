package dev.vcnn.bench;

import dev.vcnn.engine.kernels.Kernels;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The kernels of the deep preset's layers at their own shapes ({@link DeepShapes}), scalar against
 * vector, on the inputs of {@link DeepInputs} (checked to agree before timing): conv1 1->16 on 28x28
 * and conv2 16->32 on 13x13 forward, filter gradient and input gradient; dense 800->128 and 128->10
 * forward and backward (fused with the update, as a per-sample step runs it). The whole deep step and
 * inference are {@link NetworkBenchmarks} at shape {@code deep}.
 *
 * <p>The {@code ...Batch32} rows time the same layers over a group of {@link DeepShapes#BATCH} samples,
 * one call each: the dense layers through the batch kernels ({@code denseForwardBatch}, and
 * {@code denseBackwardBatch}, which leaves the update to the optimizer and adds into the gradients
 * instead), the convolutions as the per-image kernels called for each image in turn, since those already
 * run at 89-112% of peak per image and that loop is the batch path. Their times are per call, so per
 * 32 images; {@link Report} also gives them per image.
 */
public class DeepBenchmarks extends KernelBenchmark {
    private static final int SHARD = 4; // the trainer's shard at batch 32
    // small enough that the dense weights barely move over millions of calls: every call does the same work
    private static final float LR = 1e-9f;

    @Benchmark
    public Object conv1ForwardScalar(DeepInputs in) {
        return convForward(in.scalar, in.conv1);
    }

    @Benchmark
    public Object conv1ForwardVector(DeepInputs in) {
        return convForward(in.vector, in.conv1);
    }

    @Benchmark
    public Object conv1FilterGradientScalar(DeepInputs in) {
        return convFilterGradient(in.scalar, in.conv1);
    }

    @Benchmark
    public Object conv1FilterGradientVector(DeepInputs in) {
        return convFilterGradient(in.vector, in.conv1);
    }

    @Benchmark
    public Object conv1InputGradientScalar(DeepInputs in) {
        return convInputGradient(in.scalar, in.conv1);
    }

    @Benchmark
    public Object conv1InputGradientVector(DeepInputs in) {
        return convInputGradient(in.vector, in.conv1);
    }

    @Benchmark
    public Object conv2ForwardScalar(DeepInputs in) {
        return convForward(in.scalar, in.conv2);
    }

    @Benchmark
    public Object conv2ForwardVector(DeepInputs in) {
        return convForward(in.vector, in.conv2);
    }

    @Benchmark
    public Object conv2FilterGradientScalar(DeepInputs in) {
        return convFilterGradient(in.scalar, in.conv2);
    }

    @Benchmark
    public Object conv2FilterGradientVector(DeepInputs in) {
        return convFilterGradient(in.vector, in.conv2);
    }

    @Benchmark
    public Object conv2InputGradientScalar(DeepInputs in) {
        return convInputGradient(in.scalar, in.conv2);
    }

    @Benchmark
    public Object conv2InputGradientVector(DeepInputs in) {
        return convInputGradient(in.vector, in.conv2);
    }

    @Benchmark
    public Object dense1ForwardScalar(DeepInputs in) {
        return denseForward(in.scalar, in.dense1);
    }

    @Benchmark
    public Object dense1ForwardVector(DeepInputs in) {
        return denseForward(in.vector, in.dense1);
    }

    @Benchmark
    public Object dense1BackwardScalar(DeepInputs in) {
        return denseBackward(in.scalar, in.dense1);
    }

    @Benchmark
    public Object dense1BackwardVector(DeepInputs in) {
        return denseBackward(in.vector, in.dense1);
    }

    @Benchmark
    public Object dense2ForwardScalar(DeepInputs in) {
        return denseForward(in.scalar, in.dense2);
    }

    @Benchmark
    public Object dense2ForwardVector(DeepInputs in) {
        return denseForward(in.vector, in.dense2);
    }

    @Benchmark
    public Object dense2BackwardScalar(DeepInputs in) {
        return denseBackward(in.scalar, in.dense2);
    }

    @Benchmark
    public Object dense2BackwardVector(DeepInputs in) {
        return denseBackward(in.vector, in.dense2);
    }

    @Benchmark
    public Object conv1ForwardBatch32Scalar(DeepInputs in) {
        return convForwardBatch(in.scalar, in.conv1Batch);
    }

    @Benchmark
    public Object conv1ForwardBatch32Vector(DeepInputs in) {
        return convForwardBatch(in.vector, in.conv1Batch);
    }

    @Benchmark
    public Object conv1FilterGradientBatch32Scalar(DeepInputs in) {
        return convFilterGradientBatch(in.scalar, in.conv1Batch);
    }

    @Benchmark
    public Object conv1FilterGradientBatch32Vector(DeepInputs in) {
        return convFilterGradientBatch(in.vector, in.conv1Batch);
    }

    @Benchmark
    public Object conv1InputGradientBatch32Scalar(DeepInputs in) {
        return convInputGradientBatch(in.scalar, in.conv1Batch);
    }

    @Benchmark
    public Object conv1InputGradientBatch32Vector(DeepInputs in) {
        return convInputGradientBatch(in.vector, in.conv1Batch);
    }

    @Benchmark
    public Object conv2ForwardBatch32Scalar(DeepInputs in) {
        return convForwardBatch(in.scalar, in.conv2Batch);
    }

    @Benchmark
    public Object conv2ForwardBatch32Vector(DeepInputs in) {
        return convForwardBatch(in.vector, in.conv2Batch);
    }

    @Benchmark
    public Object conv2FilterGradientBatch32Scalar(DeepInputs in) {
        return convFilterGradientBatch(in.scalar, in.conv2Batch);
    }

    @Benchmark
    public Object conv2FilterGradientBatch32Vector(DeepInputs in) {
        return convFilterGradientBatch(in.vector, in.conv2Batch);
    }

    @Benchmark
    public Object conv2InputGradientBatch32Scalar(DeepInputs in) {
        return convInputGradientBatch(in.scalar, in.conv2Batch);
    }

    @Benchmark
    public Object conv2InputGradientBatch32Vector(DeepInputs in) {
        return convInputGradientBatch(in.vector, in.conv2Batch);
    }

    @Benchmark
    public Object dense1ForwardBatch32Scalar(DeepInputs in) {
        return denseForwardBatch(in.scalar, in.dense1Batch);
    }

    @Benchmark
    public Object dense1ForwardBatch32Vector(DeepInputs in) {
        return denseForwardBatch(in.vector, in.dense1Batch);
    }

    @Benchmark
    public Object dense1BackwardBatch32Scalar(DeepInputs in) {
        return denseBackwardBatch(in.scalar, in.dense1Batch);
    }

    @Benchmark
    public Object dense1BackwardBatch32Vector(DeepInputs in) {
        return denseBackwardBatch(in.vector, in.dense1Batch);
    }

    // dense1's weight gradient over a batch of 32 in shards of 4 (the trainer's at batch 32), all rows:
    // what the reduction computes, split by rows across the threads, instead of the backward's dW half
    @Benchmark
    public Object dense1WeightGradientShardsBatch32Scalar(DeepInputs in) {
        return denseWeightGradientShards(in.scalar, in.dense1Batch);
    }

    @Benchmark
    public Object dense1WeightGradientShardsBatch32Vector(DeepInputs in) {
        return denseWeightGradientShards(in.vector, in.dense1Batch);
    }

    @Benchmark
    public Object dense2ForwardBatch32Scalar(DeepInputs in) {
        return denseForwardBatch(in.scalar, in.dense2Batch);
    }

    @Benchmark
    public Object dense2ForwardBatch32Vector(DeepInputs in) {
        return denseForwardBatch(in.vector, in.dense2Batch);
    }

    @Benchmark
    public Object dense2BackwardBatch32Scalar(DeepInputs in) {
        return denseBackwardBatch(in.scalar, in.dense2Batch);
    }

    @Benchmark
    public Object dense2BackwardBatch32Vector(DeepInputs in) {
        return denseBackwardBatch(in.vector, in.dense2Batch);
    }

    private static Object convForward(Kernels k, DeepInputs.ConvData c) {
        DeepShapes.Conv s = c.shape;
        k.conv3x3Forward(c.image, s.channels(), s.height(), s.width(), c.filters, s.filters(), c.conv);
        return c.conv;
    }

    private static Object convFilterGradient(Kernels k, DeepInputs.ConvData c) {
        DeepShapes.Conv s = c.shape;
        k.conv3x3FilterGradient(c.image, s.channels(), s.height(), s.width(), c.dConv, s.filters(), c.dFilters);
        return c.dFilters;
    }

    private static Object convInputGradient(Kernels k, DeepInputs.ConvData c) {
        DeepShapes.Conv s = c.shape;
        k.conv3x3InputGradient(c.dConv, s.filters(), s.height(), s.width(), c.filters, s.channels(), c.dImage);
        return c.dImage;
    }

    private static Object denseForward(Kernels k, DeepInputs.DenseData d) {
        DeepShapes.Dense s = d.shape;
        k.denseForward(d.x, s.inputs(), d.weights, d.biases, s.outputs(), d.out);
        return d.out;
    }

    private static Object denseBackward(Kernels k, DeepInputs.DenseData d) {
        DeepShapes.Dense s = d.shape;
        k.denseBackwardUpdate(d.x, s.inputs(), d.weights, d.biases, s.outputs(), d.dOut, LR, d.dx);
        return d.dx;
    }

    // each image's own input and output, as a group's buffers hold them: 32 conv1 outputs (1.4 MB) are
    // more than a 1 MB L2 holds, which the per-image rows never see
    private static Object convForwardBatch(Kernels k, DeepInputs.ConvBatch c) {
        DeepShapes.Conv s = c.shape;
        for (int n = 0; n < DeepShapes.BATCH; n++) {
            k.conv3x3Forward(c.images[n], s.channels(), s.height(), s.width(), c.filters, s.filters(), c.conv[n]);
        }
        return c.conv;
    }

    private static Object convFilterGradientBatch(Kernels k, DeepInputs.ConvBatch c) {
        DeepShapes.Conv s = c.shape;
        for (int n = 0; n < DeepShapes.BATCH; n++) {
            k.conv3x3FilterGradient(c.images[n], s.channels(), s.height(), s.width(), c.dConv[n], s.filters(),
                    c.dFilters[n]);
        }
        return c.dFilters;
    }

    private static Object convInputGradientBatch(Kernels k, DeepInputs.ConvBatch c) {
        DeepShapes.Conv s = c.shape;
        for (int n = 0; n < DeepShapes.BATCH; n++) {
            k.conv3x3InputGradient(c.dConv[n], s.filters(), s.height(), s.width(), c.filters, s.channels(),
                    c.dImages[n]);
        }
        return c.dImages;
    }

    private static Object denseForwardBatch(Kernels k, DeepInputs.DenseBatch d) {
        DeepShapes.Dense s = d.shape;
        k.denseForwardBatch(d.x, DeepShapes.BATCH, s.inputs(), d.weights, d.biases, s.outputs(), d.out);
        return d.out;
    }

    private static Object denseWeightGradientShards(Kernels k, DeepInputs.DenseBatch d) {
        DeepShapes.Dense s = d.shape;
        k.denseWeightGradientShards(d.x, d.dOut, DeepShapes.BATCH, SHARD, s.inputs(), s.outputs(), 0, s.outputs(),
                d.dWeights);
        return d.dWeights;
    }

    // dWeights and dBiases grow by the same terms every call; they stay finite and take no denormals,
    // so every call does the same work
    private static Object denseBackwardBatch(Kernels k, DeepInputs.DenseBatch d) {
        DeepShapes.Dense s = d.shape;
        k.denseBackwardBatch(d.x, DeepShapes.BATCH, s.inputs(), d.weights, s.outputs(), d.dOut, d.dx, d.dWeights,
                d.dBiases, true);
        return d.dx;
    }
}
