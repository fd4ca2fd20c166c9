package dev.vcnn.engine.training;

/**
 * How a network classified a labelled data set: {@code counts[true class][predicted class]}, and
 * the summed cross-entropy loss. Rows are true classes, as in the usual printed matrix.
 */
public final class ConfusionMatrix {
    private final int classes;
    private final int[] counts;     // [true][predicted], flat
    private final double totalLoss;

    ConfusionMatrix(int classes, int[] counts, double totalLoss) {
        if (counts.length != classes * classes) {
            throw new IllegalArgumentException(counts.length + " counts for " + classes + " classes");
        }
        this.classes = classes;
        this.counts = counts;
        this.totalLoss = totalLoss;
    }

    public int classes() {
        return classes;
    }

    /** How many images of class {@code trueClass} were predicted as {@code predicted}. */
    public int count(int trueClass, int predicted) {
        return counts[trueClass * classes + predicted];
    }

    /** How many images of class {@code trueClass} there were: the row sum. */
    public int total(int trueClass) {
        int sum = 0;
        for (int predicted = 0; predicted < classes; predicted++) {
            sum += count(trueClass, predicted);
        }
        return sum;
    }

    /** The share of class {@code trueClass} predicted right; NaN if the data has none of it. */
    public double accuracy(int trueClass) {
        int total = total(trueClass);
        return total == 0 ? Double.NaN : (double) count(trueClass, trueClass) / total;
    }

    /** Mean loss and overall accuracy: the diagonal over everything. */
    public Evaluation evaluation() {
        int correct = 0;
        int count = 0;
        for (int trueClass = 0; trueClass < classes; trueClass++) {
            correct += count(trueClass, trueClass);
            count += total(trueClass);
        }
        return new Evaluation(totalLoss / count, correct, count);
    }
}
