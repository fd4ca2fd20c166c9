package dev.vcnn.engine.api;

/**
 * How well a {@link Classifier} does on labelled images: see {@link Classifier#evaluate}.
 *
 * @param loss    the mean cross-entropy loss, {@code -ln} of the probability given to the true class
 * @param correct how many images were given their label as the most probable class
 * @param count   how many images were evaluated, at least 1
 */
public record Score(double loss, int correct, int count) {

    /** The fraction of the images classified correctly, {@code correct / count}. */
    public double accuracy() {
        return (double) correct / count;
    }
}
