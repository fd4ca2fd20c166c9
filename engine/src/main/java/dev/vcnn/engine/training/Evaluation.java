package dev.vcnn.engine.training;

/** Mean cross-entropy loss and accuracy of a network over {@code count} labelled images. */
public record Evaluation(double loss, int correct, int count) {

    public double accuracy() {
        return (double) correct / count;
    }
}
