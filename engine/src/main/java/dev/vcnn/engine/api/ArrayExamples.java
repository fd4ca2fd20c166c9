package dev.vcnn.engine.api;

import dev.vcnn.engine.data.Examples;

import java.util.Objects;

/** Caller's float images and int labels, checked once and then shared, not copied. */
final class ArrayExamples implements Examples {
    private final float[][] images;
    private final int[] labels;
    private final int imageSize;
    private final String shape;

    private ArrayExamples(float[][] images, int[] labels, int imageSize, String shape) {
        this.images = images;
        this.labels = labels;
        this.imageSize = imageSize;
        this.shape = shape;
    }

    /** Checks that there is at least one image, one label per image, every image's size and values, every label. */
    static ArrayExamples of(float[][] images, int[] labels, Classifier classifier) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        if (images.length == 0) {
            throw new IllegalArgumentException("there are no images");
        }
        if (images.length != labels.length) {
            throw new IllegalArgumentException("there are " + images.length + " images but " + labels.length
                    + " labels; every image needs one label");
        }
        for (int i = 0; i < images.length; i++) {
            classifier.checkImage(images[i], "image " + i);
            if (labels[i] < 0 || labels[i] >= classifier.classes()) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", outside the classifier's "
                        + classifier.classes() + " classes 0.." + (classifier.classes() - 1));
            }
        }
        return new ArrayExamples(images, labels, classifier.imageSize(), classifier.imageShape());
    }

    @Override
    public String source() {
        return "the arrays";
    }

    @Override
    public int count() {
        return images.length;
    }

    @Override
    public int imageSize() {
        return imageSize;
    }

    @Override
    public void imageInto(int index, float[] dst) {
        System.arraycopy(images[index], 0, dst, 0, imageSize);
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public String imageShape() {
        return shape;
    }
}
