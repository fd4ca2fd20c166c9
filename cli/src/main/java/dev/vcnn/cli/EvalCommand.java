package dev.vcnn.cli;

import dev.vcnn.engine.data.DataFormatException;
import dev.vcnn.engine.data.Dataset;
import dev.vcnn.engine.model.ModelFormatException;
import dev.vcnn.engine.model.SavedModel;
import dev.vcnn.engine.network.Network;
import dev.vcnn.engine.training.ConfusionMatrix;
import dev.vcnn.engine.training.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vcnn eval}: a saved model's loss, accuracy, per-class accuracy and confusion matrix. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        versionProvider = VcnnCommand.Version.class,
        description = "Tests a saved model on the test images: loss, accuracy, accuracy per class and the "
                + "confusion matrix (rows = true class, columns = predicted class).")
final class EvalCommand implements Callable<Integer> {

    @CommandLine.Mixin
    SavedModelOptions modelOptions;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder with MNIST-format test files (t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; raw "
                    + "or .gz). Default: the first 1,000 MNIST test images, bundled in vcnn.")
    Path dataDir;

    @Option(names = "--test-size", defaultValue = "1000", paramLabel = "all|N", converter = ImageCount.class,
            description = "Test on the first N test images, or all (default: ${DEFAULT-VALUE}).")
    int testSize;

    @Option(names = "--threads", paramLabel = "N", description = Threads.EVAL_HELP)
    Integer threads;

    @CommandLine.Mixin
    VerboseOption verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws DataFormatException, ModelFormatException {
        if (testSize < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--test-size must be 'all' or at least 1, got " + testSize);
        }
        int threadCount = Threads.resolve(threads, spec.commandLine());
        SavedModelOptions.Loaded loaded = modelOptions.load(spec.commandLine());
        SavedModel saved = loaded.saved();
        Network network = loaded.network();
        List<String> names = loaded.classNames();
        Dataset test = DataRequest.read(spec.commandLine(), "--test-size", ImageCount.describe(testSize),
                () -> TrainingData.test(dataDir, testSize));
        DataFit.check(test, network, modelOptions.model);
        ConfusionMatrix confusion;
        try (Trainer trainer = new Trainer(network, threadCount)) {
            confusion = trainer.evaluateByClass(test);
        }

        PrintWriter out = spec.commandLine().getOut();
        out.println("Model: " + modelOptions.model + " (" + ModelSummary.of(saved.info()) + ")");
        out.printf("Test images: %,d from %s%n", test.count(), TrainingData.describe(dataDir));
        EvaluationReport.print(out, confusion, names);
        out.flush();
        return 0;
    }
}
