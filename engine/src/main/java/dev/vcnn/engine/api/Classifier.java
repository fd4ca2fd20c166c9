package dev.vcnn.engine.api;

import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.kernels.KernelSelection;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.model.Architecture;
import dev.vcnn.engine.model.ModelFile;
import dev.vcnn.engine.model.ModelFormatException;
import dev.vcnn.engine.model.ModelInfo;
import dev.vcnn.engine.model.SavedModel;
import dev.vcnn.engine.model.TrainingRecord;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.training.Evaluation;
import dev.vcnn.engine.training.Trainer;
import dev.vcnn.engine.training.TrainingListener;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * An image classifier: a convolutional network that vcnn builds from a spec, trains on arrays,
 * saves to and loads from a numpy {@code .npz} file (the format of {@code vcnn train --save}), and
 * runs on single images.
 *
 * <p><b>Images</b> are {@code float[]} of {@code channels * height * width} values, channel by
 * channel, each row by row. They are used as given, not scaled: vcnn's own MNIST models see each
 * 0..255 byte as {@code p / 255 - 0.5}, which {@link #pixels(byte[])} computes; a model should be
 * fed images scaled as the ones it was trained on. <b>Labels</b> are class indices from 0 to
 * {@code classes - 1}.
 *
 * <p><b>Kernels</b>: the fastest the JVM can run, chosen once per JVM: the Vector API kernels when
 * the JVM runs with {@code --add-modules=jdk.incubator.vector}, otherwise the scalar ones, with one
 * warning line on standard error. Either gives the same predictions to within float rounding.
 *
 * <p><b>Errors</b>: a bad argument (an unknown spec, a spec that does not fit the images, an image of
 * the wrong size or with a value that is not finite, a label out of range, a bad option) throws
 * {@link IllegalArgumentException} with one sentence saying what is wrong; a null array throws
 * {@link NullPointerException}. {@link #save} and {@link #load} throw {@link IOException} with one
 * sentence that starts with the file's name. Training that diverges (usually from too large a
 * learning rate) throws {@link ArithmeticException}.
 *
 * <p>A classifier keeps buffers between calls, so it is for one thread at a time; use one per thread.
 */
public final class Classifier {
    private static final String DATA = "in-memory arrays (library API)";

    private final Network network;
    private final List<String> classNames;
    private TrainingRecord record;

    private Classifier(Network network, List<String> classNames, TrainingRecord record) {
        this.network = network;
        this.classNames = List.copyOf(classNames);
        this.record = record;
    }

    /**
     * A new, untrained classifier.
     *
     * @param spec     the layers, input first, e.g. {@code "conv3x3:8,relu,maxpool2,dense:10"}, or a
     *                 preset: {@code "seed"} or {@code "deep"} (the one that reaches 99% on MNIST). The
     *                 layers are {@code conv3x3:N}, {@code conv3x3:N:nobias}, {@code relu},
     *                 {@code maxpool2} and {@code dense:N}; the last must be {@code dense:classes}
     * @param channels the images' channels, e.g. 1 for grayscale
     * @param height   the images' height in pixels
     * @param width    the images' width in pixels
     * @param classes  the number of classes, at least 2
     * @param seed     fixes the initial weights: the same seed builds the same classifier
     * @throws IllegalArgumentException when the spec names no network or does not fit the images or
     *                                  the classes, or a size is below 1 (classes below 2)
     */
    public static Classifier create(String spec, int channels, int height, int width, int classes, long seed) {
        Objects.requireNonNull(spec, "spec");
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("images need at least 1 channel, row and column, got "
                    + channels + "x" + height + "x" + width);
        }
        NetworkSpec parsed = NetworkSpec.parse(spec);
        Architecture architecture = new Architecture(parsed, new Shape(channels, height, width), classes);
        Network network = Network.build(KernelSelection.best(), parsed, architecture.input(), classes,
                new SplittableRandom(seed));
        TrainingOptions defaults = TrainingOptions.defaults();
        return new Classifier(network, IntStream.range(0, classes).mapToObj(Integer::toString).toList(),
                record(seed, defaults, 0, 0, network));
    }

    /**
     * Reads a classifier saved by {@link #save} or by {@code vcnn train --save}, with its weights and,
     * if it was trained with momentum, its SGD velocities, so that training goes on exactly.
     *
     * @throws IOException when the file cannot be read or is not a vcnn model; the message is one
     *                     sentence that starts with the file's name
     */
    public static Classifier load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        SavedModel saved;
        try {
            saved = ModelFile.load(file);
        } catch (ModelFormatException e) {
            throw new IOException(e.getMessage(), e);
        }
        Network network = saved.network(KernelSelection.best());
        return new Classifier(network, saved.info().classNames(), saved.info().training());
    }

    /**
     * Writes this classifier to {@code file} as a numpy {@code .npz} archive ({@code numpy.load} opens
     * it; {@code vcnn eval} and {@code vcnn predict} read it). The file is replaced atomically: an
     * earlier file of that name survives any failure.
     *
     * @throws IOException              when the file cannot be written; the message is one sentence
     *                                  that starts with the file's name
     * @throws IllegalArgumentException when training diverged and the weights are not finite numbers
     */
    public void save(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        ModelFile.save(file, network, new ModelInfo(Architecture.of(network), classNames, record, null));
    }

    /**
     * Trains on {@code images} with their {@code labels}, going on from where earlier training (also
     * before a save and load) left off. The arrays are read, not copied or changed; do not change them
     * while this runs.
     *
     * @param images   at least one image of {@link #imageSize()} finite values
     * @param labels   one class index per image
     * @param options  the epochs and SGD settings, e.g. {@code TrainingOptions.defaults().withEpochs(3)}
     * @param progress hears of every epoch (and window of 100 steps); {@link TrainingProgress#NONE} for none
     * @throws IllegalArgumentException when an image, a label or the counts are wrong
     * @throws ArithmeticException      when the loss or the weights stop being finite numbers; the
     *                                  classifier is then unusable
     */
    public void train(float[][] images, int[] labels, TrainingOptions options, TrainingProgress progress) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(progress, "progress");
        ArrayExamples examples = ArrayExamples.of(images, labels, this);
        if ((long) record.epochsDone() + options.epochs() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(options.epochs() + " more epochs on top of " + record.epochsDone()
                    + " are more than can be counted");
        }
        new Trainer(network).train(examples, record.epochsDone(), options.epochs(), options.sgd(), options.seed(),
                new EpochTotals(progress));
        record = record(options.seed(), options, record.epochsDone() + options.epochs(), images.length, network);
    }

    /** {@link #train(float[][], int[], TrainingOptions, TrainingProgress)} without progress reports. */
    public void train(float[][] images, int[] labels, TrainingOptions options) {
        train(images, labels, options, TrainingProgress.NONE);
    }

    /**
     * The class probabilities for {@code image}, in class order, summing to 1: a new array each call.
     *
     * @throws IllegalArgumentException when the image is not {@link #imageSize()} finite values
     */
    public float[] predict(float[] image) {
        checkImage(image, "the image");
        return network.forward(image).clone();
    }

    /**
     * The most probable class for {@code image}; the lowest index on ties.
     *
     * @throws IllegalArgumentException when the image is not {@link #imageSize()} finite values
     */
    public int predictClass(float[] image) {
        checkImage(image, "the image");
        network.forward(image);
        return network.lastPredicted();
    }

    /**
     * Loss and accuracy on labelled images, forward passes only: the classifier does not change.
     *
     * @throws IllegalArgumentException when an image, a label or the counts are wrong
     */
    public Score evaluate(float[][] images, int[] labels) {
        Evaluation evaluation = new Trainer(network).evaluate(ArrayExamples.of(images, labels, this));
        return new Score(evaluation.loss(), evaluation.correct(), evaluation.count());
    }

    /**
     * Scales 0..255 grayscale bytes (read unsigned) as vcnn's MNIST models see them,
     * {@code p / 255 - 0.5}, into a new image.
     */
    public static float[] pixels(byte[] grayscale) {
        float[] image = new float[grayscale.length];
        Dataset.toInput(grayscale, 0, grayscale.length, image);
        return image;
    }

    /** The network's layers, written out in full, e.g. {@code conv3x3:8:nobias,maxpool2,dense:10}. */
    public String spec() {
        return network.spec().text();
    }

    /** The images' channels. */
    public int channels() {
        return network.inputShape().channels();
    }

    /** The images' height in pixels. */
    public int height() {
        return network.inputShape().height();
    }

    /** The images' width in pixels. */
    public int width() {
        return network.inputShape().width();
    }

    /** Values per image: {@code channels * height * width}. */
    public int imageSize() {
        return network.imageSize();
    }

    /** The number of classes: predictions hold this many probabilities. */
    public int classes() {
        return network.classes();
    }

    /**
     * One name per class, in label order, as saved: {@code "0"}, {@code "1"}, ... for a classifier
     * made here, whatever {@code vcnn train --classes} gave for one trained by the command line.
     */
    public List<String> classNames() {
        return classNames;
    }

    /** How many epochs this classifier has been trained for in all, saved and loaded runs included. */
    public int epochsDone() {
        return record.epochsDone();
    }

    /** The kernels this classifier runs on, e.g. {@code vector (512-bit, 16 float lanes)} or {@code scalar}. */
    public String engine() {
        return network.kernels().description();
    }

    @Override
    public String toString() {
        return "Classifier[" + spec() + " on " + imageShape() + ", " + classes() + " classes, "
                + record.epochsDone() + " epochs]";
    }

    String imageShape() {
        return network.inputShape().toString();
    }

    void checkImage(float[] image, String what) {
        if (image == null) {
            throw new NullPointerException(what + " is null");
        }
        if (image.length != imageSize()) {
            throw new IllegalArgumentException(what + " holds " + image.length + " values, but the classifier takes "
                    + imageShape() + " = " + imageSize());
        }
        for (int k = 0; k < image.length; k++) {
            if (!Float.isFinite(image[k])) {
                throw new IllegalArgumentException(what + " holds " + image[k] + " at index " + k
                        + "; pixels must be finite numbers");
            }
        }
    }

    private static TrainingRecord record(long seed, TrainingOptions options, int epochsDone, int trainImages,
                                         Network network) {
        return new TrainingRecord(seed, options.learningRate(), options.batchSize(), options.momentum(), epochsDone,
                trainImages, DATA, network.kernels().description());
    }

    // the trainer's windows, added up into each epoch's means
    private static final class EpochTotals implements TrainingListener {
        private final TrainingProgress progress;
        private double loss;
        private double correct;
        private int steps;

        EpochTotals(TrainingProgress progress) {
            this.progress = progress;
        }

        @Override
        public void epochStarted(int epoch, int epochs) {
            loss = 0;
            correct = 0;
            steps = 0;
            progress.epochStarted(epoch, epochs);
        }

        @Override
        public void windowFinished(int epoch, int step, int windowSteps, double averageLoss, double accuracy) {
            loss += averageLoss * windowSteps;
            correct += Math.rint(accuracy * windowSteps);
            steps += windowSteps;
            progress.windowFinished(epoch, step, windowSteps, averageLoss, accuracy);
        }

        @Override
        public void epochFinished(int epoch, int epochs) {
            progress.epochFinished(epoch, epochs, loss / steps, correct / steps);
        }
    }
}
