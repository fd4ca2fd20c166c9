package dev.vcnn.engine.training;

/**
 * The network's loss recomputed from scratch in double precision, straight from the formulas,
 * for finite-difference gradient checks. Shapes as in {@link Network}; weights [O][I].
 */
final class DoubleReference {
    final int channels, height, width, filterCount, classes;
    final double[] filters;  // [F][C][3][3]
    final double[] weights;  // [classes][F * pooled plane]
    final double[] biases;   // [classes]

    DoubleReference(int channels, int height, int width, int filterCount, int classes,
                    double[] filters, double[] weights, double[] biases) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.filterCount = filterCount;
        this.classes = classes;
        this.filters = filters;
        this.weights = weights;
        this.biases = biases;
    }

    /** -ln softmax(dense(pool(conv(image))))[label]. */
    double loss(double[] image, int label) {
        return denseLoss(pooled(image), label);
    }

    /** pool(conv(image)), [F][(H-2)/2][(W-2)/2]. */
    double[] pooled(double[] image) {
        int oh = height - 2, ow = width - 2;
        double[] conv = new double[filterCount * oh * ow];
        for (int f = 0; f < filterCount; f++)
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++) {
                    double sum = 0;
                    for (int c = 0; c < channels; c++)
                        for (int i = 0; i < 3; i++)
                            for (int j = 0; j < 3; j++)
                                sum += filters[((f * channels + c) * 3 + i) * 3 + j]
                                        * image[(c * height + y + i) * width + x + j];
                    conv[(f * oh + y) * ow + x] = sum;
                }
        int ph = oh / 2, pw = ow / 2;
        double[] pooled = new double[filterCount * ph * pw];
        for (int f = 0; f < filterCount; f++)
            for (int y = 0; y < ph; y++)
                for (int x = 0; x < pw; x++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < 2; i++)
                        for (int j = 0; j < 2; j++)
                            max = Math.max(max, conv[(f * oh + 2 * y + i) * ow + 2 * x + j]);
                    pooled[(f * ph + y) * pw + x] = max;
                }
        return pooled;
    }

    /** -ln softmax(W x + b)[label]. */
    double denseLoss(double[] x, int label) {
        double[] logits = new double[classes];
        double max = Double.NEGATIVE_INFINITY;
        for (int o = 0; o < classes; o++) {
            double sum = biases[o];
            for (int i = 0; i < x.length; i++)
                sum += weights[o * x.length + i] * x[i];
            logits[o] = sum;
            max = Math.max(max, sum);
        }
        double total = 0;
        for (int o = 0; o < classes; o++)
            total += Math.exp(logits[o] - max);
        return -(logits[label] - max - Math.log(total));
    }
}
