package dev.vcnn.bench;

/**
 * The network shapes the benchmarks run at: the seed's, and a larger one whose planes are still
 * not lane multiples, so the tails stay in the measurement.
 */
enum Shapes {
    // 1x28x28 -> conv 8x26x26 -> pool 8x13x13 = 1352 -> 10
    seed(1, 28, 28, 8, 10),
    // 8x64x64 -> conv 16x62x62 -> pool 16x31x31 = 15376 -> 10
    large(8, 64, 64, 16, 10);

    final int channels;
    final int height;
    final int width;
    final int filters;
    final int classes;

    Shapes(int channels, int height, int width, int filters, int classes) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.filters = filters;
        this.classes = classes;
    }

    int imageSize() {
        return channels * height * width;
    }

    int convHeight() {
        return height - 2;
    }

    int convWidth() {
        return width - 2;
    }

    int convSize() {
        return filters * convHeight() * convWidth();
    }

    int pooledSize() {
        return filters * (convHeight() / 2) * (convWidth() / 2);
    }

    /** Multiply-adds count as 2 floating-point operations. */
    long convFlops() {
        return 2L * filters * channels * 9 * convHeight() * convWidth();
    }

    long denseForwardFlops() {
        return 2L * pooledSize() * classes;
    }

    /** dx = W^T dLogits, then W -= lr * outer(dLogits, x): two multiply-adds per weight. */
    long denseBackwardFlops() {
        return 4L * pooledSize() * classes;
    }

    /** Forward conv + dense; the pool and softmax are comparisons and a handful of exps. */
    long inferenceFlops() {
        return convFlops() + denseForwardFlops();
    }

    /** The filter gradient from the pool: one 3x3 patch per window, the one its max came from. */
    long filterGradientFromPoolFlops() {
        return 2L * channels * 9 * pooledSize();
    }

    /**
     * Inference, plus dense backward and the conv filter gradient from the pool (the first layer
     * needs no input gradient; only the position each window's max came from has a gradient).
     */
    long trainingStepFlops() {
        return inferenceFlops() + denseBackwardFlops() + filterGradientFromPoolFlops();
    }
}
