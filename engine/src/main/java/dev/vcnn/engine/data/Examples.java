package dev.vcnn.engine.data;

/**
 * Labelled images as a {@code Trainer} reads them, one at a time by index: a
 * {@link Dataset} of MNIST bytes, or float arrays handed to the library API.
 * Labels are class indices from 0.
 */
public interface Examples {

    /** Where the examples came from, for messages, e.g. a file's name. */
    String source();

    /** How many labelled images there are. */
    int count();

    /** Values per image, as the network takes them. */
    int imageSize();

    /** Writes image {@code index} as the network's input into the first {@link #imageSize()} entries of {@code dst}. */
    void imageInto(int index, float[] dst);

    /** The class of image {@code index}. */
    int label(int index);

    /** The images' shape for messages, e.g. {@code 28x28}. */
    String imageShape();
}
