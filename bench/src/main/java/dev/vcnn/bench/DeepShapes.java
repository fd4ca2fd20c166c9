package dev.vcnn.bench;

/**
 * The deep preset's layers on an MNIST image ({@code NetworkSpec.DEEP}): 1x28x28 -> conv 16x26x26 ->
 * relu, pool 16x13x13 -> conv 32x11x11 -> relu, pool 32x5x5 = 800 -> dense 128 -> relu -> dense 10.
 * The shapes {@link DeepBenchmarks} times each kernel at, and the FLOP counts {@link Report} turns
 * their times into GFLOP/s with (a multiply-add counts as 2; bias, relu, pool and softmax are left
 * out: comparisons, moves and a few adds).
 */
final class DeepShapes {
    /** The value of the {@code shape} parameter, and the report's shape column, for these rows. */
    static final String NAME = "deep";

    /** A 3x3 valid convolution of {@code channels} planes of height x width into {@code filters}. */
    record Conv(int channels, int height, int width, int filters) {
        int inputSize() {
            return channels * height * width;
        }

        int outputSize() {
            return filters * (height - 2) * (width - 2);
        }

        int filterSize() {
            return filters * channels * 9;
        }

        /** Forward, filter gradient and input gradient each: one multiply-add per filter tap per output. */
        long flops() {
            return 2L * filters * channels * 9 * (height - 2) * (width - 2);
        }
    }

    /** A fully connected layer. */
    record Dense(int inputs, int outputs) {
        long forwardFlops() {
            return 2L * inputs * outputs;
        }

        /** dx = W^T dOut, then W -= lr * outer(dOut, x): two multiply-adds per weight. */
        long backwardFlops() {
            return 4L * inputs * outputs;
        }
    }

    /** Samples per call of the batch rows ({@code ...Batch32}): a training group of 32 images. */
    static final int BATCH = 32;
    /** What ends a batch row's name, before {@code Scalar} or {@code Vector}. */
    static final String BATCH_SUFFIX = "Batch" + BATCH;

    static final Conv CONV1 = new Conv(1, 28, 28, 16);
    static final Conv CONV2 = new Conv(16, 13, 13, 32);
    static final Dense DENSE1 = new Dense(32 * 5 * 5, 128);
    static final Dense DENSE2 = new Dense(128, 10);

    private DeepShapes() {
    }

    /** Both convolutions and both dense layers forward. */
    static long inferenceFlops() {
        return CONV1.flops() + CONV2.flops() + DENSE1.forwardFlops() + DENSE2.forwardFlops();
    }

    /**
     * One per-sample training step: inference, both dense layers backward with their update, both
     * filter gradients, and conv2's input gradient (conv1, the first layer, needs none).
     */
    static long trainingStepFlops() {
        return inferenceFlops() + DENSE1.backwardFlops() + DENSE2.backwardFlops() + CONV1.flops()
                + 2 * CONV2.flops();
    }

    /** Images one call of the row {@code benchmark} works on: {@link #BATCH} for a batch row, else 1. */
    static int images(String benchmark) {
        return benchmark.endsWith(BATCH_SUFFIX) ? BATCH : 1;
    }

    /**
     * FLOP of one call of the {@link DeepBenchmarks} or {@link NetworkBenchmarks} row {@code benchmark}; 0 if
     * unknown. A batch row does its per-sample row's work for each of its {@link #BATCH} samples (the dense
     * batch backward, dx = W^T dOut and dW += outer(dOut, x), is two multiply-adds per weight, as the fused
     * per-sample backward). Its dW half is a multiply and a separate add, not an FMA, and the add runs
     * beside the FMAs (on Zen 4 in pipes of its own), so that row can pass the FMA-chain "peak".
     */
    static long flops(String benchmark) {
        if (benchmark.endsWith(BATCH_SUFFIX)) {
            return BATCH * flops(benchmark.substring(0, benchmark.length() - BATCH_SUFFIX.length()));
        }
        return switch (benchmark) {
            case "conv1Forward", "conv1FilterGradient", "conv1InputGradient" -> CONV1.flops();
            case "conv2Forward", "conv2FilterGradient", "conv2InputGradient" -> CONV2.flops();
            case "dense1Forward" -> DENSE1.forwardFlops();
            case "dense1Backward" -> DENSE1.backwardFlops();
            case "dense1WeightGradientShards" -> DENSE1.forwardFlops(); // a multiply-add per weight
            case "dense2Forward" -> DENSE2.forwardFlops();
            case "dense2Backward" -> DENSE2.backwardFlops();
            case "inference" -> inferenceFlops();
            case "trainingStep" -> trainingStepFlops();
            default -> 0;
        };
    }
}
