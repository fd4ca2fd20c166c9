package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;
import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.layers.Shape;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.network.NetworkSpecException;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Whether data and a network go together, checked before any step is taken so that a mismatch is one
 * sentence naming the file or the option rather than an exception from deep inside the engine.
 */
final class DataFit {

    private DataFit() {
    }

    /**
     * The network {@code vcnn train} builds for these training images and {@code classes} classes (the
     * names' count, not the labels seen: images that happen to use few labels do not make a smaller
     * classifier), its initial parameters drawn from {@code seed}. A spec that does not fit is a usage
     * error naming --net when the user gave one, and a data error naming the file when the default seed
     * network cannot take these images. Labels beyond the classes are {@link #check}'s to refuse.
     */
    static Network forTraining(Kernels kernels, NetworkSpec spec, boolean specGiven, Dataset train, int classes,
                               long seed, CommandLine commandLine) throws DataFormatException {
        Shape input = new Shape(1, train.rows(), train.cols());
        if (specGiven) {
            checkNet(spec, input, classes, commandLine);
        }
        try {
            return Network.build(kernels, spec, input, classes, new SplittableRandom(seed));
        } catch (NetworkSpecException e) {
            throw new DataFormatException(train.source() + ": holds images of " + train.rows() + "x" + train.cols()
                    + " pixels, for which vcnn builds no " + spec + " network (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Checks that the --net {@code spec} builds a network for images of {@code input} and {@code classes}
     * classes: a usage error naming --net and what does not fit when it does not.
     */
    static void checkNet(NetworkSpec spec, Shape input, int classes, CommandLine commandLine) {
        try {
            spec.shapes(input, classes);
        } catch (NetworkSpecException e) {
            throw new CommandLine.ParameterException(commandLine, "--net " + spec + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks that the network (from {@code model}, or trained on other images when it is null) takes
     * these images and knows every one of their labels.
     */
    static void check(Dataset data, Network network, Path model) throws DataFormatException {
        String whose = model != null ? "the model " + model : "the network trained here";
        Shape input = network.inputShape();
        if (data.rows() != input.height() || data.cols() != input.width() || input.channels() != 1) {
            throw new DataFormatException(data.source() + ": holds images of " + data.rows() + "x" + data.cols()
                    + " pixels, but " + whose + " takes " + input.height() + "x" + input.width());
        }
        int k = firstLabelOutside(data, network.classes());
        if (k >= 0) {
            throw new DataFormatException(data.source() + ": image " + k + " has label " + data.label(k)
                    + ", but " + whose + " knows only " + network.classes() + " classes");
        }
    }

    /** The first image whose label is not one of {@code classes} classes, or -1. */
    static int firstLabelOutside(Dataset data, int classes) {
        for (int k = 0; k < data.count(); k++) {
            if (data.label(k) >= classes) {
                return k;
            }
        }
        return -1;
    }
}
