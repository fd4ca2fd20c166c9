package dev.vcnn.cli;

import dev.vcnn.engine.Evaluation;
import dev.vcnn.engine.KernelSelection;
import dev.vcnn.engine.Kernels;
import dev.vcnn.engine.Network;
import dev.vcnn.engine.Trainer;
import dev.vcnn.engine.TrainingStats;
import dev.vcnn.engine.data.DataFormatException;
import dev.vcnn.engine.data.Dataset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code vcnn train}: the seed's job, by default on the bundled 1,000 + 1,000 MNIST images. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        versionProvider = VcnnCommand.Version.class,
        description = "Trains the seed's CNN (conv3x3 with 8 filters, 2x2 max-pool, softmax dense) with "
                + "per-sample SGD, printing the average loss and accuracy of every 100 steps, then tests it.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--epochs", defaultValue = "3", paramLabel = "N",
            description = "Passes over the training images (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.005", paramLabel = "RATE",
            description = "SGD learning rate (default: ${DEFAULT-VALUE}).")
    float learningRate;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "Seed of the one random source for initialisation and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--train-size", defaultValue = "1000", paramLabel = "N",
            description = "Train on the first N training images (default: ${DEFAULT-VALUE}).")
    int trainSize;

    @Option(names = "--test-size", defaultValue = "1000", paramLabel = "N",
            description = "Test on the first N test images (default: ${DEFAULT-VALUE}).")
    int testSize;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder with the four MNIST-format files (train-images-idx3-ubyte, "
                    + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; raw or .gz), "
                    + "e.g. the full MNIST or Fashion-MNIST. Default: the first 1,000 MNIST training and test "
                    + "images, bundled in vcnn.")
    Path dataDir;

    enum Engine { vector, scalar }

    @Option(names = "--engine", paramLabel = "ENGINE",
            description = "Kernels to run: ${COMPLETION-CANDIDATES}. Default: vector where this JVM can run it "
                    + "(the Vector API module is loaded and the C2 compiler is on), otherwise scalar with a warning.")
    Engine engine;

    @Option(names = "--verbose", description = "Show the stack trace when something fails.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws DataFormatException {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        Dataset train = TrainingData.train(dataDir, trainSize);
        Dataset test = TrainingData.test(dataDir, testSize);

        Kernels kernels = kernels();
        // the seed fixes the initial weights here and, through (seed, epoch), every epoch's shuffle
        Network network = new Network(kernels, 1, train.rows(), train.cols(),
                Network.SEED_FILTERS, Network.SEED_CLASSES, new SplittableRandom(seed));
        out.println("MNIST CNN initialized!");
        out.flush();

        Trainer trainer = new Trainer(network);
        TrainingStats stats = trainer.train(train, 0, epochs, learningRate, seed, new StepLog(out));

        out.println("--- Testing the CNN ---");
        Evaluation evaluation = trainer.evaluate(test);
        out.println("Test Loss: " + evaluation.loss());
        out.println("Test Accuracy: " + evaluation.accuracy());
        out.printf("Trained %d images in %.3f s (%,.0f images/s) with the %s engine, seed %d.%n",
                stats.images(), stats.seconds(), stats.imagesPerSecond(), kernels.description(), seed);
        out.flush();
        return 0;
    }

    // an engine asked for by name must run; only the default may fall back
    private Kernels kernels() {
        if (engine == null) {
            return KernelSelection.best();
        }
        return switch (engine) {
            case scalar -> KernelSelection.scalar();
            case vector -> KernelSelection.vector();
        };
    }

    // cross-field and range rules in one place; picocli has already checked the types
    private void validate() {
        if (epochs < 1) {
            throw usage("--epochs must be at least 1, got " + epochs);
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw usage("--lr must be a positive finite number, got " + learningRate);
        }
        if (trainSize < 1) {
            throw usage("--train-size must be at least 1, got " + trainSize);
        }
        if (testSize < 1) {
            throw usage("--test-size must be at least 1, got " + testSize);
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
